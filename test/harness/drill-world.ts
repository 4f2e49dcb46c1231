/**
 * A local world for drills: each region's application is a small HTTP server (the primary on
 * 127.0.0.1, the standby on 127.0.0.2, one port), and DNS answers follow the Route 53 records and
 * health checks in the emulator, as Route 53 would answer them, since the emulator serves no DNS:
 * a failover record's PRIMARY is answered while its health check is healthy, the SECONDARY
 * otherwise. A health check is evaluated as Route 53 does: a request to its address, port and
 * path (a 2xx or 3xx answer is healthy), inverted when it is inverted, healthy whatever when it
 * is disabled. The resolver is both a function (for drills run in this process) and a DNS server
 * on a UDP port (for drctl in its own process: `probe.resolver: { servers: [127.0.0.1:PORT] }`).
 *
 * Product code knows nothing of this: it resolves through the system resolver or the DNS servers
 * a drill file names.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  GetHealthCheckCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { createSocket, type Socket } from "node:dgram";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { listRecordSets } from "../../src/aws/route53.js";
import type { Resolver } from "../../src/drill/probe.js";

/** One region's application: answers /health with its region while it serves, 503 otherwise. */
export class RegionApp {
  private server: Server | undefined;
  /** Whether it serves now (a function: the harness decides by time or state). */
  serving: () => boolean = () => true;
  /** Name the region in a header and the body (false: answers that say nothing of their region). */
  namesRegion = true;
  requests = 0;
  port = 0;

  constructor(
    readonly region: string,
    readonly address: string,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((req, res) => {
      this.requests++;
      if (!this.serving())
        return void res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
      const body = JSON.stringify({
        status: "healthy",
        ...(this.namesRegion ? { region: this.region } : {}),
      });
      res.writeHead(200, {
        "content-type": "application/json",
        ...(this.namesRegion ? { "x-region": this.region } : {}),
      });
      res.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(port, this.address, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Two region apps on one port: 127.0.0.1 (primary) and 127.0.0.2 (standby). */
export async function regionApps(
  primary = "us-east-1",
  standby = "us-west-2",
): Promise<{ primary: RegionApp; standby: RegionApp; port: number }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const p = new RegionApp(primary, "127.0.0.1");
    const s = new RegionApp(standby, "127.0.0.2");
    const port = await p.start();
    try {
      await s.start(port);
      return { primary: p, standby: s, port };
    } catch {
      await p.stop();
    }
  }
  throw new Error("no port free on both 127.0.0.1 and 127.0.0.2");
}

/** GET http://address:port/path within 500 ms: healthy on 2xx and 3xx, as a Route 53 health checker. */
function healthy(address: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: address, port, path, agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** DNS answers from the Route 53 records and health checks in the emulator. */
export class Route53Dns implements Resolver {
  readonly description = "the harness's Route 53 resolver";
  queries = 0;

  constructor(
    private readonly aws: AwsClients,
    private readonly zoneId: string,
  ) {}

  async lookup(host: string): Promise<{ address: string; family: 4 | 6 }> {
    this.queries++;
    const name = host.endsWith(".") ? host : `${host}.`;
    const r53 = this.aws.get(Route53Client, "us-east-1");
    const records: ResourceRecordSet[] = [];
    for await (const r of listRecordSets(r53, this.zoneId))
      if (r.Name === name && r.Type === "A") records.push(r);
    if (records.length === 0) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    const value = (r: ResourceRecordSet) => r.ResourceRecords?.[0]?.Value ?? "";
    const primary = records.find((r) => r.Failover === "PRIMARY");
    const secondary = records.find((r) => r.Failover === "SECONDARY");
    if (!primary || !secondary) return { address: value(records[0] as ResourceRecordSet), family: 4 };
    let up = true;
    if (primary.HealthCheckId) {
      const h = (await r53.send(new GetHealthCheckCommand({ HealthCheckId: primary.HealthCheckId })))
        .HealthCheck;
      const c = h?.HealthCheckConfig;
      if (c?.Disabled) up = true;
      else {
        const answers = await healthy(c?.IPAddress ?? "", c?.Port ?? 80, c?.ResourcePath ?? "/");
        up = c?.Inverted ? !answers : answers;
      }
    }
    return { address: value(up ? primary : secondary), family: 4 };
  }
}

/** The resolver as a DNS server on a UDP port of 127.0.0.1: A queries answered, TTL 0. */
export class DnsServer {
  private socket: Socket | undefined;
  port = 0;

  constructor(private readonly resolver: Resolver) {}

  async start(): Promise<number> {
    const socket = createSocket("udp4");
    this.socket = socket;
    socket.on("message", (msg, rinfo) => {
      // An answer that comes after stop() is dropped (sending on a closed socket throws).
      void this.answer(msg)
        .then((out) => {
          if (this.socket === socket) socket.send(out, rinfo.port, rinfo.address);
        })
        .catch(() => undefined);
    });
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    this.port = socket.address().port;
    return this.port;
  }

  private async answer(q: Buffer): Promise<Buffer> {
    let i = 12;
    const labels: string[] = [];
    while (i < q.length && q[i] !== 0) {
      const n = q[i] as number;
      labels.push(q.subarray(i + 1, i + 1 + n).toString("ascii"));
      i += n + 1;
    }
    const questionEnd = i + 5;
    const qtype = q.readUInt16BE(i + 1);
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2);
    const question = q.subarray(12, questionEnd);
    let address: string | undefined;
    let rcode = 0;
    try {
      address = (await this.resolver.lookup(labels.join("."))).address;
    } catch {
      rcode = 3;
    }
    const answers = qtype === 1 && address ? 1 : 0;
    header.writeUInt16BE(0x8180 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers, 6);
    if (!answers) return Buffer.concat([header, question]);
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(0, 6);
    rr.writeUInt16BE(4, 10);
    (address as string).split(".").forEach((o, j) => rr.writeUInt8(Number(o), 12 + j));
    return Buffer.concat([header, question, rr]);
  }

  stop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }
}

/**
 * The Route 53 side of a DNS failover in the emulator: a zone, a health check on the primary
 * app, PRIMARY and SECONDARY A records of `name`.
 */
export async function failoverRecords(
  aws: AwsClients,
  apps: { primary: RegionApp; standby: RegionApp; port: number },
  zone = "drill.test",
  name = `app.${zone}`,
): Promise<{ zoneId: string; healthCheckId: string; name: string }> {
  const r53 = aws.get(Route53Client, "us-east-1");
  const z = await r53.send(
    new CreateHostedZoneCommand({ Name: zone, CallerReference: `drill-${Date.now()}-${Math.random()}` }),
  );
  const zoneId = (z.HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const h = await r53.send(
    new CreateHealthCheckCommand({
      CallerReference: `drill-hc-${Date.now()}-${Math.random()}`,
      HealthCheckConfig: {
        Type: "HTTP",
        IPAddress: apps.primary.address,
        Port: apps.port,
        ResourcePath: "/health",
        RequestInterval: 10,
        FailureThreshold: 1,
      },
    }),
  );
  const healthCheckId = h.HealthCheck?.Id ?? "";
  const record = (id: "PRIMARY" | "SECONDARY", address: string) => ({
    Action: "CREATE" as const,
    ResourceRecordSet: {
      Name: name,
      Type: "A" as const,
      SetIdentifier: id.toLowerCase(),
      Failover: id,
      TTL: 0,
      ResourceRecords: [{ Value: address }],
      ...(id === "PRIMARY" ? { HealthCheckId: healthCheckId } : {}),
    },
  });
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [record("PRIMARY", apps.primary.address), record("SECONDARY", apps.standby.address)],
      },
    }),
  );
  return { zoneId, healthCheckId, name };
}
