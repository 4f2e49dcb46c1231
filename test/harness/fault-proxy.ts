/**
 * An HTTP proxy on 127.0.0.1 between the AWS SDK and the emulator that injects throttling
 * errors, 5xx answers and delays, decided by a seeded generator so a run is repeatable. Error
 * bodies are shaped like each AWS protocol's, so the SDK classifies them as it would AWS's.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultPlan {
  seed: number;
  /** Share of requests answered with a throttling error. */
  throttle: number;
  /** Share answered with a 500/503. */
  serverError: number;
  /** Share delayed, by up to delayMaxMs. */
  delay: number;
  delayMaxMs: number;
  /** After this many faults in a row the next request goes through, so retries always end. */
  maxConsecutiveFaults: number;
  /** Requests answered with AccessDenied, as IAM would: matched on method, path and X-Amz-Target. */
  deny?: ((request: { method: string; path: string; target: string }) => boolean) | undefined;
  /** Sees each request body and may rewrite the emulator's answer (workarounds for emulator bugs). */
  rewrite?: ((requestBody: string, responseBody: string, request: RequestInfo) => string) | undefined;
  /**
   * May take a request over (workarounds for emulator bugs): forward it, changed or not, act on the
   * emulator's answer, and return the answer to give; undefined passes it on as it is.
   */
  intercept?: Interceptor | undefined;
  /**
   * Answers chosen requests with an error of the caller's choice, whatever the draw: a throttle, a
   * 5xx, or an AWS error code (LoadBalancerNotFound for a load balancer deleted mid-scan).
   */
  fail?:
    | ((request: {
        method: string;
        path: string;
        target: string;
        body: string;
        /** From the signature's credential scope. */
        region: string;
      }) => "throttle" | "server" | { status: number; code: string; message?: string } | undefined)
    | undefined;
}

/** What a rewrite knows of the request beside its body. */
export interface RequestInfo {
  method: string;
  path: string;
  /** X-Amz-Target of the JSON protocols ("DynamoDB_20120810.PutItem"), "" otherwise. */
  target: string;
  /** From the signature's credential scope. */
  region: string;
}

export interface Forwarded {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Interceptor = (
  request: { body: string; region: string; target: string; method: string; path: string },
  /** Sends `body` (the request's own, or a changed one) to the emulator and returns its answer. */
  forward: (body: string) => Promise<Forwarded>,
) => Promise<Forwarded | undefined>;

/** A proxy that injects nothing: the base for deny rules and rewrites. */
export const NO_FAULTS: FaultPlan = {
  seed: 1,
  throttle: 0,
  serverError: 0,
  delay: 0,
  delayMaxMs: 0,
  maxConsecutiveFaults: 0,
};

export interface FaultStats {
  requests: number;
  denied: number;
  throttled: number;
  serverErrors: number;
  delayed: number;
  /**
   * Errors the proxy did not inject: 5xx answers of the emulator itself and connections to it that
   * failed (it falters under load). The SDK retries these too.
   */
  upstreamErrors: number;
}

/** mulberry32: small, fast and deterministic for a seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Protocol = "json" | "ec2" | "xml";

function protocolOf(req: IncomingMessage, body: string): Protocol {
  if (String(req.headers["content-type"] ?? "").includes("x-amz-json")) return "json";
  if (body.includes("Version=2016-11-15")) return "ec2";
  return "xml";
}

function errorResponse(
  protocol: Protocol,
  kind: "throttle" | "server",
): { status: number; headers: Record<string, string>; body: string } {
  const code = {
    json: kind === "throttle" ? "ThrottlingException" : "InternalFailure",
    ec2: kind === "throttle" ? "RequestLimitExceeded" : "InternalError",
    xml: kind === "throttle" ? "Throttling" : "InternalFailure",
  }[protocol];
  const status = kind === "throttle" ? (protocol === "ec2" ? 503 : 400) : 500;
  const message =
    kind === "throttle" ? "Rate exceeded" : "We encountered an internal error. Please try again.";
  if (protocol === "json") {
    return {
      status,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  const body =
    protocol === "ec2"
      ? `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>`
      : `<ErrorResponse><Error><Type>${kind === "throttle" ? "Sender" : "Receiver"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
  return { status, headers: { "content-type": "text/xml" }, body };
}

/** AccessDenied as the JSON protocols (DynamoDB) and the XML ones (S3) write it. */
function accessDenied(protocol: "json" | "xml"): { headers: Record<string, string>; body: string } {
  const message =
    "User: arn:aws:sts::123456789012:assumed-role/drctl/test is not authorized to perform this action";
  return protocol === "json"
    ? {
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-errortype": "AccessDeniedException",
        },
        body: JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", message }),
      }
    : {
        headers: { "content-type": "application/xml" },
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`,
      };
}

export class FaultProxy {
  readonly stats: FaultStats = {
    requests: 0,
    denied: 0,
    throttled: 0,
    serverErrors: 0,
    delayed: 0,
    upstreamErrors: 0,
  };
  private consecutive = 0;
  private readonly random: () => number;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    private readonly plan: FaultPlan,
  ) {
    this.random = generator(plan.seed);
  }

  static async start(targetEndpoint: string, plan: FaultPlan): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, new URL(targetEndpoint), plan);
    server.on("request", (req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get faults(): number {
    return this.stats.throttled + this.stats.serverErrors;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    this.stats.requests++;
    const target = String(req.headers["x-amz-target"] ?? "");
    if (this.plan.deny?.({ method: req.method ?? "", path: req.url ?? "", target })) {
      this.stats.denied++;
      const denied = accessDenied(target !== "" ? "json" : "xml");
      res.writeHead(403, denied.headers).end(denied.body);
      return;
    }
    // The region is in the signature's credential scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request.
    const region =
      /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    const chosen = this.plan.fail?.({
      method: req.method ?? "",
      path: req.url ?? "",
      target,
      body: body.toString("utf8"),
      region,
    });
    if (chosen) {
      const protocol = protocolOf(req, body.toString("utf8"));
      if (chosen === "throttle" || chosen === "server") {
        if (chosen === "throttle") this.stats.throttled++;
        else this.stats.serverErrors++;
        const error = errorResponse(protocol, chosen);
        res.writeHead(error.status, error.headers).end(error.body);
      } else {
        const message = chosen.message ?? chosen.code;
        res
          .writeHead(chosen.status, { "content-type": "text/xml" })
          .end(
            protocol === "ec2"
              ? `<Response><Errors><Error><Code>${chosen.code}</Code><Message>${message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>`
              : `<ErrorResponse><Error><Type>Sender</Type><Code>${chosen.code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
          );
      }
      return;
    }
    // Draw all three numbers for every request so one decision never shifts the others.
    const [faultDraw, delayDraw, delayLength] = [this.random(), this.random(), this.random()];
    if (delayDraw < this.plan.delay) {
      this.stats.delayed++;
      await new Promise((r) => setTimeout(r, Math.floor(delayLength * this.plan.delayMaxMs)));
    }
    const kind =
      this.consecutive >= this.plan.maxConsecutiveFaults
        ? undefined
        : faultDraw < this.plan.throttle
          ? "throttle"
          : faultDraw < this.plan.throttle + this.plan.serverError
            ? "server"
            : undefined;
    if (kind) {
      this.consecutive++;
      if (kind === "throttle") this.stats.throttled++;
      else this.stats.serverErrors++;
      const error = errorResponse(protocolOf(req, body.toString("utf8")), kind);
      res.writeHead(error.status, error.headers).end(error.body);
      return;
    }
    this.consecutive = 0;
    let intercepted: Forwarded | undefined;
    try {
      intercepted = await this.plan.intercept?.(
        { body: body.toString("utf8"), region, target, method: req.method ?? "", path: req.url ?? "" },
        (text) => this.forward(req, Buffer.from(text, "utf8")),
      );
    } catch (err) {
      // The emulator dropped a connection the interceptor made: answer as the proxy would, never hang.
      this.stats.upstreamErrors++;
      res.writeHead(502).end(String(err));
      return;
    }
    if (intercepted) {
      const text = this.plan.rewrite
        ? this.plan.rewrite(body.toString("utf8"), intercepted.body, {
            method: req.method ?? "",
            path: req.url ?? "",
            target,
            region,
          })
        : intercepted.body;
      res
        .writeHead(intercepted.status, {
          ...intercepted.headers,
          "content-length": String(Buffer.byteLength(text)),
        })
        .end(text);
      return;
    }
    const upstream = request(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if ((answer.statusCode ?? 502) >= 500) this.stats.upstreamErrors++;
        const rewrite = this.plan.rewrite;
        if (!rewrite) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("end", () => {
          const text = rewrite(body.toString("utf8"), Buffer.concat(parts).toString("utf8"), {
            method: req.method ?? "",
            path: req.url ?? "",
            target,
            region,
          });
          res
            .writeHead(answer.statusCode ?? 502, {
              ...answer.headers,
              "content-length": String(Buffer.byteLength(text)),
            })
            .end(text);
        });
      },
    );
    upstream.on("error", (err) => {
      this.stats.upstreamErrors++;
      res.writeHead(502).end(String(err));
    });
    upstream.end(body);
  }

  /** One request to the emulator, its answer read whole. */
  private forward(req: IncomingMessage, body: Buffer): Promise<Forwarded> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, "content-length": String(body.length) },
        },
        (answer) => {
          if ((answer.statusCode ?? 502) >= 500) this.stats.upstreamErrors++;
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(parts).toString("utf8"),
            }),
          );
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
