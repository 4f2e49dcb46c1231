/**
 * npm run bench:drill [-- --seconds 30 --endpoints 10 --intervals 1000,100]
 *
 * 1. Probe schedule: the drill's Prober on N endpoints (local HTTP servers, one each) at each
 *    interval for the given time. Per interval: the achieved mean interval between one endpoint's
 *    probes, the jitter of each tick against its due time (p50, p95, max), ticks missed (the
 *    schedule skips a tick that is already past when the previous one fires), and the answer
 *    latency.
 * 2. The drill engine's overhead: one drill (runbook: none; a Route 53 health check inverted as
 *    the fault, DNS that follows it, a DynamoDB canary replicated by the harness) in its own
 *    process (test/harness/drill-child.ts, bundled) against the emulator: its wall time, AWS calls
 *    by operation (counted by a proxy the harness's resolver does not go through), journal calls,
 *    CPU time and peak RSS of the drill's process.
 * Prints figures; asserts nothing.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildSync } from "esbuild";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Emulator } from "../demo/emulator.js";
import { AwsClients } from "../src/aws/client-factory.js";
import type { DrillResult } from "../src/core/drill-result.js";
import { Prober, type Resolver } from "../src/drill/probe.js";
import type { DrillEndpoint } from "../src/drill/schema.js";
import { AwsBehaviour } from "../test/harness/aws-behaviour.js";
import { failoverRecords, regionApps } from "../test/harness/drill-world.js";
import { RecordingProxy } from "../test/harness/recording-proxy.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    endpoints: { type: "string", default: "10" },
    intervals: { type: "string", default: "1000,100" },
    "no-drill": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const endpointCount = Number(values.endpoints);
const [P, S] = ["us-east-1", "us-west-2"];

const quantile = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

console.log(
  `bench:drill on ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), node ${process.version}, load average ${(
    await import("node:os")
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);

// 1. The probe schedule.
async function localServers(n: number): Promise<{ servers: Server[]; endpoints: DrillEndpoint[] }> {
  const servers: Server[] = [];
  const endpoints: DrillEndpoint[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-region": P });
      res.end(JSON.stringify({ status: "healthy", region: P }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    endpoints.push({
      name: `e${i}`,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
      expect: { status: 200, body: "healthy" },
      region: { header: "x-region" },
    });
  }
  return { servers, endpoints };
}

const loopback: Resolver = {
  description: "127.0.0.1",
  lookup: () => Promise.resolve({ address: "127.0.0.1", family: 4 }),
};

const { servers, endpoints } = await localServers(endpointCount);
for (const intervalMs of values.intervals.split(",").map(Number)) {
  const prober = new Prober(endpoints, intervalMs, {
    timeoutMs: 2000,
    resolver: loopback,
    primaryValue: () => P,
    standbyValue: () => S,
  });
  const t0 = Date.now();
  const cpu = process.cpuUsage();
  prober.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const t1 = Date.now();
  await prober.stop();
  const used = process.cpuUsage(cpu);
  const intervals: number[] = [];
  let missed = 0;
  let probes = 0;
  const latencies: number[] = [];
  endpoints.forEach((e, i) => {
    const s = prober.answered(e.name);
    probes += s.length;
    latencies.push(...s.map((x) => x.ms));
    // A tick the schedule skipped leaves a gap of two intervals or more between two probes; the
    // first is due at t0 + this endpoint's offset.
    const first = (s[0]?.at ?? t1) - (t0 + (intervalMs * i) / endpoints.length);
    missed += Math.max(0, Math.round(first / intervalMs));
    for (let j = 1; j < s.length; j++) {
      const gap = (s[j]?.at as number) - (s[j - 1]?.at as number);
      intervals.push(gap);
      missed += Math.max(0, Math.round(gap / intervalMs) - 1);
    }
  });
  const late = [...prober.lateness].sort((a, b) => a - b);
  const mean = intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length);
  latencies.sort((a, b) => a - b);
  console.log(
    `\nprobe schedule: ${endpoints.length} endpoints every ${intervalMs} ms for ${seconds} s (${probes} probes, ${(probes / ((t1 - t0) / 1000)).toFixed(1)}/s)`,
  );
  console.log(`  achieved mean interval  ${ms(mean)} (nominal ${intervalMs} ms)`);
  console.log(
    `  jitter (tick vs due)    p50 ${ms(quantile(late, 0.5))}  p95 ${ms(quantile(late, 0.95))}  max ${ms(late.at(-1) ?? NaN)}`,
  );
  console.log(`  missed ticks            ${missed}`);
  console.log(
    `  answer latency          p50 ${quantile(latencies, 0.5)} ms  p95 ${quantile(latencies, 0.95)} ms  max ${latencies.at(-1) ?? NaN} ms`,
  );
  console.log(
    `  CPU of this process     ${((used.user + used.system) / 1000).toFixed(0)} ms (${((used.user + used.system) / 10 / (t1 - t0)).toFixed(1)} % of one core; servers included)`,
  );
}
for (const s of servers) await new Promise<void>((r) => s.close(() => r()));

// 2. The drill engine's overhead.
if (!values["no-drill"]) {
  const outfile = join(process.cwd(), "node_modules", ".cache", "drctl-bench", "drill-child.mjs");
  buildSync({
    entryPoints: ["test/harness/drill-child.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  const emulator = await Emulator.start();
  Object.assign(process.env, emulator.env);
  try {
    const direct = await AwsClients.create({ endpointUrl: emulator.endpoint, rateLimits: "off" });
    const behaviour = new AwsBehaviour(direct);
    const faults = await behaviour.proxy(emulator.endpoint);
    const recording = await RecordingProxy.start(faults.endpoint);
    await direct.get(DynamoDBClient, P).send(
      new CreateTableCommand({
        TableName: "drill-canary",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await behaviour.replicate("drill-canary", P, S);
    behaviour.replicateCanary({ delayMs: 500, table: { name: "drill-canary", region: P, replicaRegion: S } });
    const apps = await regionApps(P, S);
    const records = await failoverRecords(direct, apps);
    const dir = mkdtempSync(join(tmpdir(), "drctl-bench-drill-"));
    const file = join(dir, "drill.yaml");
    writeFileSync(
      file,
      `version: 1
name: bench
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: http://${records.name.replace(/\.$/, "")}:${apps.port}/health
    expect: { status: 200, body: healthy }
    region: { header: x-region }
probe: { interval: 1s, timeout: 2s, consecutive: 3, baseline: 60s }
canaries:
  - name: orders
    dynamodb: { table: drill-canary, key: pk }
fault:
  kind: fault.route53-health-check
  params: { healthCheck: ${records.healthCheckId}, action: invert }
runbook: none
failback: none
targets: { rto: 1m, rpo: 1m }
timeouts: { detect: 60s, recovery: 60s, failback: 60s }
`,
    );
    const child = spawn(process.execPath, [outfile], {
      env: {
        ...process.env,
        DRILL_ENDPOINT: recording.endpoint,
        DRILL_RESOLVER_ENDPOINT: emulator.endpoint,
        DRILL_ZONE: records.zoneId,
        DRILL_FILE: file,
        DRILL_HOME: dir,
        DRILL_ID: "drill-20261201T000000Z-bench",
        DRILL_USAGE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    const [recordLine, usageLine] = stdout.split("\n");
    if (!recordLine || !usageLine) throw new Error(`the drill did not finish (exit ${code}): ${stderr}`);
    const result = JSON.parse(recordLine) as DrillResult;
    const usage = JSON.parse(usageLine) as {
      drillMs: number;
      cpuUserMs: number;
      cpuSystemMs: number;
      processCpuMs: number;
      peakRssKb: number;
      journalCalls: Record<string, number>;
    };
    const calls: Record<string, number> = {};
    for (const c of recording.calls) {
      const op = c.operation.replace(/\/healthcheck\/[0-9a-f-]+/, "/healthcheck/{id}");
      calls[op] = (calls[op] ?? 0) + 1;
    }
    const total = recording.calls.length;
    const reads = new Set([
      "run",
      "runs",
      "steps",
      "events",
      "lockOf",
      "approval",
      "decision",
      "description",
    ]);
    const writes = Object.entries(usage.journalCalls).filter(([k]) => !reads.has(k));
    const probes = Object.values(result.probes).reduce(
      (a, by) => a + Object.values(by).reduce((x, y) => x + y, 0),
      0,
    );
    console.log(
      `\ndrill engine (runbook: none, 1 endpoint every 1 s, K = 3, one DynamoDB canary; exit ${code}, outcome ${result.outcome})`,
    );
    console.log(
      `  wall time of the drill  ${(usage.drillMs / 1000).toFixed(1)} s, ${probes} probes; RTO ${result.failover.rto.measuredSeconds ?? "?"} s, RPO ${result.failover.rpo.measuredSeconds ?? "?"} s, ${result.failover.lostWrites} writes not seen in ${S} when read`,
    );
    console.log(
      `  CPU during the drill    ${(usage.cpuUserMs + usage.cpuSystemMs).toFixed(0)} ms (user ${usage.cpuUserMs.toFixed(0)}, system ${usage.cpuSystemMs.toFixed(0)}; ${(((usage.cpuUserMs + usage.cpuSystemMs) / usage.drillMs) * 100).toFixed(1)} % of one core); the whole process ${usage.processCpuMs.toFixed(0)} ms`,
    );
    console.log(`  peak RSS                ${(usage.peakRssKb / 1024).toFixed(0)} MiB`);
    console.log(`  AWS calls               ${total} (${(total / (usage.drillMs / 1000)).toFixed(1)}/s)`);
    for (const [op, n] of Object.entries(calls).sort(([, a], [, b]) => b - a))
      console.log(`    ${op.padEnd(44)} ${String(n).padStart(5)}`);
    console.log(
      `  journal calls           ${Object.values(usage.journalCalls).reduce((a, b) => a + b, 0)}, of which writes ${writes.reduce((a, [, n]) => a + n, 0)}`,
    );
    for (const [k, n] of Object.entries(usage.journalCalls).sort(([, a], [, b]) => b - a))
      console.log(`    ${k.padEnd(44)} ${String(n).padStart(5)}${reads.has(k) ? "" : "  (write)"}`);
    await apps.primary.stop();
    await apps.standby.stop();
    await recording.stop();
    await faults.stop();
    direct.destroy();
  } finally {
    await emulator.stop();
  }
}
