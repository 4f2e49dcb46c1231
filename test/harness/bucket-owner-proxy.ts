/**
 * moto accepts `ExpectedBucketOwner` on S3 calls but does not check it: a call naming an owner
 * other than the bucket's succeeds there, where S3 refuses it with 403 AccessDenied. This proxy,
 * in front of moto, does the check S3 does for the buckets it is told the owners of, and keeps
 * the header each request carried, so tests see what drctl sent and how AWS would answer.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface BucketOwnerProxy {
  readonly endpoint: string;
  /** Per S3 request: method, path and the x-amz-expected-bucket-owner header ("" when absent). */
  readonly seen: { method: string; path: string; expectedOwner: string }[];
  stop(): Promise<void>;
}

export async function startBucketOwnerProxy(
  targetEndpoint: string,
  owners: Readonly<Record<string, string>>,
): Promise<BucketOwnerProxy> {
  const target = new URL(targetEndpoint);
  const seen: BucketOwnerProxy["seen"] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    const expectedOwner = String(req.headers["x-amz-expected-bucket-owner"] ?? "");
    const bucket = decodeURIComponent(path.split("?")[0]?.split("/")[1] ?? "");
    const isS3 = String(req.headers.authorization ?? "").includes("/s3/aws4_request");
    if (isS3) seen.push({ method: req.method ?? "", path, expectedOwner });
    const owner = owners[bucket];
    if (isS3 && expectedOwner !== "" && owner !== undefined && owner !== expectedOwner) {
      req.resume();
      res
        .writeHead(403, { "content-type": "application/xml" })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>bucket-owner-proxy</RequestId></Error>`,
        );
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => res.writeHead(502).end(String(err)));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
