/**
 * An HTTP proxy in front of the emulator that records every AWS call (operation, region, body) so
 * a test can count what reached AWS, across processes that were killed on the way, and may answer
 * chosen calls itself (a throttle that outlasts the SDK's retries). The emulator's promoted-replica
 * bug is corrected on the way (moto-workarounds.ts).
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { clearPromotedReplicaSource } from "./moto-workarounds.js";

export interface RecordedCall {
  /** "AutoScaling.UpdateAutoScalingGroup", "SSM.PutParameter", "Route53.ChangeResourceRecordSets", ... */
  operation: string;
  region: string;
  body: string;
  path: string;
}

/** An answer given instead of the emulator's. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const SERVICE_BY_SCOPE: Record<string, string> = {
  autoscaling: "AutoScaling",
  ssm: "SSM",
  route53: "Route53",
  rds: "RDS",
  ec2: "EC2",
  sns: "SNS",
  dynamodb: "DynamoDB",
  monitoring: "CloudWatch",
  elasticloadbalancing: "ELBv2",
  sqs: "SQS",
};

function describe(req: IncomingMessage, body: string): Omit<RecordedCall, "body"> {
  const auth = String(req.headers.authorization ?? "");
  // Credential=AKID/20261122/us-west-2/autoscaling/aws4_request
  const scope = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\//.exec(auth);
  const region = scope?.[1] ?? "";
  const service = SERVICE_BY_SCOPE[scope?.[2] ?? ""] ?? scope?.[2] ?? "?";
  const target = String(req.headers["x-amz-target"] ?? "");
  const path = req.url ?? "";
  let action = target ? (target.split(".").pop() ?? "") : (new URLSearchParams(body).get("Action") ?? "");
  if (!action && service === "Route53") {
    // REST: the operation is in the method and path.
    if (/\/rrset\/?$/.test(path) && req.method === "POST") action = "ChangeResourceRecordSets";
    else if (/\/healthcheck\/[^/]+$/.test(path) && req.method === "POST") action = "UpdateHealthCheck";
    else action = `${req.method ?? ""} ${path.replace(/\?.*$/, "")}`;
  }
  return { operation: `${service}.${action}`, region, path };
}

export class RecordingProxy {
  readonly calls: RecordedCall[] = [];
  /** Decides, per call, to answer in the emulator's place (undefined: pass it on). */
  answer: ((call: RecordedCall) => Answer | undefined) | undefined;
  private readonly rewrite = clearPromotedReplicaSource();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(targetEndpoint: string): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, new URL(targetEndpoint));
    server.on("request", (req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks).toString("utf8");
        const call = { ...describe(req, body), body };
        proxy.calls.push(call);
        const answered = proxy.answer?.(call);
        if (answered) {
          res.writeHead(answered.status, answered.headers).end(answered.body);
          return;
        }
        const upstream = request(
          {
            host: proxy.target.hostname,
            port: proxy.target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (reply) => {
            const parts: Buffer[] = [];
            reply.on("data", (c: Buffer) => parts.push(c));
            reply.on("end", () => {
              const text = proxy.rewrite(body, Buffer.concat(parts).toString("utf8"));
              res
                .writeHead(reply.statusCode ?? 502, {
                  ...reply.headers,
                  "content-length": String(Buffer.byteLength(text)),
                })
                .end(text);
            });
          },
        );
        upstream.on("error", (err) => res.writeHead(502).end(String(err)));
        upstream.end(body);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The calls recorded since `from` (an index into calls). */
  since(from: number): RecordedCall[] {
    return this.calls.slice(from);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A DynamoDB throttling error as the service writes it (the SDK retries it, then gives up). */
export const DYNAMODB_THROTTLED: Answer = {
  status: 400,
  headers: {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-errortype": "ProvisionedThroughputExceededException",
  },
  body: JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded.",
  }),
};
