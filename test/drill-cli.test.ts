/**
 * `drctl drill` as an operator runs it: the compiled CLI in its own process against the emulator,
 * with local HTTP servers for each region's application and a DNS server on a UDP port that
 * answers from the Route 53 records and health check (the drill file names it in
 * `probe.resolver.servers`, as a real one would name its VPC resolver). A plan and a run without
 * --execute change nothing; --execute exits 0 when the targets are met and 1 when one is missed;
 * --json is the record docs/drill-json.md documents; bad input exits 2 naming file:line.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import type { DrillResult } from "../src/core/drill-result.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { drillRun } from "../src/history/types.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { bundleCli } from "./harness/cli-bundle.js";
import { drctlProcess } from "./harness/drctl-process.js";
import { DnsServer, failoverRecords, regionApps, Route53Dns, type RegionApp } from "./harness/drill-world.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
let drctl: string[];
let direct: AwsClients;
let behaviour: AwsBehaviour;
let proxy: FaultProxy;
let apps: { primary: RegionApp; standby: RegionApp; port: number };
let dnsServer: DnsServer;
let healthCheckId: string;
let name: string;
let dir: string;
/** drctl.yaml: api owns the health check its drills invert and the canary's table. */
let configFile: string;
let faultAt: number | undefined;
/** The record of the drill whose targets were met (for the history in DynamoDB). */
let metRecord: DrillResult | undefined;
/** Every change of the health check that reached the emulator. */
const updates: string[] = [];

interface Drill {
  file: string;
  /** The line of each top-level key, for the file:line of an error. */
  lines: Record<string, number>;
}

function drillFile(file: string, extra: Record<string, string> = {}): Drill {
  const path = join(dir, file);
  const text = `version: 1
name: dns failover
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: http://${name.replace(/\.$/, "")}:${apps.port}/health
    expect: { status: 200, body: healthy }
    region: { header: x-region }
probe:
  interval: 0.25s
  timeout: 1s
  consecutive: 3
  baseline: 20s
  resolver: { servers: ["127.0.0.1:${dnsServer.port}"] }
canaries:
  - name: orders
    dynamodb: { table: ${extra.canaryTable ?? "drill-canary"}, key: pk }
fault:
  kind: ${extra.kind ?? "fault.route53-health-check"}
  params: { healthCheck: ${healthCheckId}, action: invert }
runbook: ${extra.runbook ?? "none"}
failback: ${extra.failback ?? "none"}
targets:
  rto: ${extra.rto ?? "1m"}
  rpo: 1m
timeouts: { detect: 10s, recovery: ${extra.recovery ?? "30s"}, failback: 30s }
`;
  writeFileSync(path, text);
  const lines: Record<string, number> = {};
  text.split("\n").forEach((l, i) => {
    const key = /^\s*([a-z]+):/.exec(l)?.[1];
    if (key && lines[key] === undefined) lines[key] = i + 1;
  });
  return { file: path, lines };
}

function home(): string {
  return mkdtempSync(join(tmpdir(), "drctl-drill-cli-"));
}

function run(h: string, ...args: string[]) {
  const config = args.includes("--config") ? [] : ["--config", configFile];
  return drctlProcess(drctl, ["--endpoint-url", proxy.endpoint, ...config, ...args], {
    DRCTL_HOME: h,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
  }).exited;
}

async function inverted(): Promise<boolean> {
  const h = await direct
    .get(Route53Client, "us-east-1")
    .send(new GetHealthCheckCommand({ HealthCheckId: healthCheckId }));
  return h.HealthCheck?.HealthCheckConfig?.Inverted ?? false;
}

async function markers(region: string): Promise<number> {
  const out = await direct.get(DynamoDBClient, region).send(new ScanCommand({ TableName: "drill-canary" }));
  return (out.Items ?? []).filter((i) => i.pk?.S?.startsWith("drctl-drill#")).length;
}

/** What a drill that must change nothing is checked against. */
async function unchanged(h: string, before: number) {
  expect(updates.length).toBe(before);
  expect(await inverted()).toBe(false);
  expect(await markers(P)).toBe(0);
  expect(await markers(S)).toBe(0);
  const journal = SqliteJournal.open(join(h, "journal.sqlite"));
  try {
    expect(await journal.runs()).toEqual([]);
  } finally {
    journal.close();
  }
}

beforeAll(async () => {
  drctl = bundleCli();
  direct = await env.clients();
  behaviour = new AwsBehaviour(direct);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  behaviour.observe((request, info) => {
    if (info.method === "POST" && /\/healthcheck\/[0-9a-f-]+$/.test(info.path)) {
      updates.push(request);
      if (/<Inverted>true<\/Inverted>/.test(request)) faultAt = Date.now();
    }
  });
  await direct.get(DynamoDBClient, P).send(
    new CreateTableCommand({
      TableName: "drill-canary",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await behaviour.replicate("drill-canary", P, S);
  // The primary region is not lost (only its health check says so): every write is copied, both
  // ways as a global table does, 100 ms late.
  behaviour.replicateCanary({ delayMs: 100, table: { name: "drill-canary", region: P, replicaRegion: S } });
  behaviour.alsoReplicateCanary({
    delayMs: 100,
    table: { name: "drill-canary", region: S, replicaRegion: P },
  });
  apps = await regionApps(P, S);
  const records = await failoverRecords(direct, apps);
  healthCheckId = records.healthCheckId;
  name = records.name;
  dnsServer = new DnsServer(new Route53Dns(direct, records.zoneId));
  await dnsServer.start();
  dir = mkdtempSync(join(tmpdir(), "drctl-drill-cli-files-"));
  configFile = join(dir, "drctl.yaml");
  writeFileSync(
    configFile,
    `applications:\n  - name: api\n    arns: ["arn:aws:route53:::healthcheck/${healthCheckId}", "arn:aws:dynamodb:*:*:table/drill-canary"]\n`,
  );
  writeFileSync(
    join(dir, "failover.yaml"),
    `version: 1
name: api failover
application: api
region: ${S}
steps:
  - id: point
    kind: ssm.put-parameters
    params: { parameters: { /api/active-region: ${S} } }
`,
  );
}, 120_000);

afterAll(async () => {
  dnsServer?.stop();
  await apps?.primary.stop();
  await apps?.standby.stop();
  await proxy?.stop();
});

describe("drctl drill: nothing changes without --execute", () => {
  it("drill plan shows the probes and what they answer now, the canaries, the fault's plan and the runbook's plan", async () => {
    const d = drillFile("plan.yaml", { runbook: "failover.yaml", failback: "generated" });
    const h = home();
    const before = updates.length;
    const out = await run(h, "drill", "plan", d.file);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("plan of drill dns failover of api (dry run, nothing changed):");
    expect(out.stdout).toMatch(
      new RegExp(
        `probes every 0.25 s \\(timeout 1 s, 3 in a row\\), through DNS servers 127.0.0.1:${dnsServer.port}:`,
      ),
    );
    expect(out.stdout).toMatch(
      / {2}api http:\/\/app\.drill\.test:\d+\/health: now 200 ok from us-east-1 at 127\.0\.0\.1/,
    );
    expect(out.stdout).toMatch(
      /canaries:\n {2}items pk=drctl-drill#<drill>#orders#<n> in DynamoDB table drill-canary \(us-east-1\), read in us-west-2/,
    );
    expect(out.stdout).toMatch(
      new RegExp(`fault:\\n.*fault\\.route53-health-check[^\\n]*\\n[^\\n]*${healthCheckId}`),
    );
    expect(out.stdout).toMatch(
      /failover runbook .*failover\.yaml:\n.*point \[ssm\.put-parameters in us-west-2\]/,
    );
    expect(out.stdout).toContain("targets: RTO 60 s, RPO 60 s");
    await unchanged(h, before);

    const json = await run(h, "--json", "drill", "plan", d.file);
    expect(json.code, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout) as { dryRun: boolean; probes: { endpoint: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.probes.map((p) => p.endpoint)).toEqual(["api"]);
    await unchanged(h, before);
  }, 60_000);

  it("drill plan with a canary whose table has no copy in the standby: says the run would refuse, exit 1", async () => {
    await direct.get(DynamoDBClient, P).send(
      new CreateTableCommand({
        TableName: "drill-canary-solo",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const d = drillFile("solo.yaml", { canaryTable: "drill-canary-solo" });
    const h = home();
    const before = updates.length;
    const out = await run(h, "drill", "plan", d.file);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(
      /\ndrill run --execute would refuse to start:\n {2}canary orders: DynamoDB table drill-canary-solo has no copy in us-west-2/,
    );
    await unchanged(h, before);
  }, 60_000);

  it("drill run without --execute prints the plan and changes nothing", async () => {
    const d = drillFile("dry.yaml");
    const h = home();
    const before = updates.length;
    const out = await run(h, "drill", "run", d.file);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("(dry run, nothing changed)");
    expect(out.stdout).toContain("failover runbook: none (the architecture fails over by itself)");
    await unchanged(h, before);
  }, 60_000);
});

describe("drctl drill run --execute", () => {
  it("targets met: exit 0, the --json record as documented, the fault reverted, the markers removed", async () => {
    const d = drillFile("met.yaml");
    const h = home();
    faultAt = undefined;
    apps.standby.serving = () => faultAt !== undefined;
    let out;
    try {
      out = await run(h, "--json", "drill", "run", d.file, "--execute", "--html", join(h, "drill.html"));
    } finally {
      apps.standby.serving = () => false;
    }
    expect(out.code, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as DrillResult;
    metRecord = r;
    expect(r.version).toBe(1);
    expect(r.outcome).toBe("completed");
    expect(r.fault).toMatchObject({ kind: "fault.route53-health-check", reverted: true });
    for (const t of [r.failover.rto, r.failover.rpo]) {
      expect(typeof t.measuredSeconds).toBe("number");
      expect(t.targetSeconds).toBe(60);
      expect(t.met).toBe(true);
      expect(t.resolutionSeconds).toBe(0.25);
    }
    expect(r.failover.lostWrites).toBe(0);
    expect(r.failover.canaries?.[0]).toMatchObject({ name: "orders", lost: 0 });
    expect(r.probes[S]?.ok).toBeGreaterThanOrEqual(3);
    expect(r.probes[P]?.ok).toBeGreaterThanOrEqual(3);
    const kinds = r.timeline.map((t) => t.kind);
    for (const k of ["baseline", "fault", "first-standby-success", "recovered", "fault-reverted"])
      expect(kinds).toContain(k);
    expect(r.failback?.rto.measuredSeconds).not.toBeNull();
    expect(r.runs.fault).toBe(r.id);
    // Every field of the record is documented.
    const doc = readFileSync("docs/drill-json.md", "utf8");
    for (const key of Object.keys(r)) expect(doc, key).toContain(`"${key}"`);
    for (const key of Object.keys(r.failover)) expect(doc, `failover.${key}`).toContain(`"${key}"`);
    for (const key of Object.keys(r.failover.rto)) expect(doc, `rto.${key}`).toContain(`"${key}"`);
    expect(out.stderr).toMatch(new RegExp(`stored as ${r.id} in SQLite file`));
    expect(readFileSync(join(h, "drill.html"), "utf8")).toContain("<svg");
    expect(await inverted()).toBe(false);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);

    // In the history: kind drill with its verdict, and shown whole.
    const list = await run(h, "history");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${r.id}\\s+drill\\s.*RTO .* met, RPO .* met`));
    const show = await run(h, "history", "show", r.id ?? "");
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`drill dns failover (${r.id ?? ""}) of api: completed`);
    expect(show.stdout).toMatch(/RTO\s+\S+ s \(± 0\.25 s\)\s+target 60 s: met/);
  }, 120_000);

  it("a target missed (the standby never serves): exit 1, RTO at least the time waited, the fault reverted", async () => {
    const d = drillFile("missed.yaml", { recovery: "3s" });
    const h = home();
    apps.standby.serving = () => false;
    const out = await run(h, "drill", "run", d.file, "--execute");
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/RTO\s+at least \S+ s \(± 0\.25 s\)\s+target 60 s: NOT MET/);
    expect(out.stdout).toMatch(/never answered from us-west-2/);
    expect(out.stdout).toMatch(/first-failure\s+first failed probe: api 503/);
    expect(await inverted()).toBe(false);
    expect(await markers(P)).toBe(0);
    const list = await run(h, "--json", "history");
    const runs = (JSON.parse(list.stdout) as { runs: { kind: string; counts: { high: number } }[] }).runs;
    expect(runs.find((x) => x.kind === "drill")?.counts.high).toBeGreaterThanOrEqual(1);
  }, 120_000);
});

describe("drills in the history kept in DynamoDB", () => {
  it("drctl history lists the drill with its verdict, drctl history show prints its report and its record", async () => {
    const r = metRecord as DrillResult;
    expect(r).toBeDefined();
    await DynamoDbHistory.createTable(direct, "drctl-drill-history", "us-east-1");
    await new DynamoDbHistory(direct, "drctl-drill-history", "us-east-1").save(
      drillRun(r.id ?? "", r, new Date(r.finishedAt)),
    );
    const h = home();
    const store = ["--store", "dynamodb://drctl-drill-history?region=us-east-1"];
    const list = await run(h, ...store, "history");
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`${r.id ?? ""}\\s+drill\\s.*RTO [0-9.]+ s met, RPO [0-9.]+ s met`),
    );
    const json = await run(h, ...store, "--json", "history");
    const runs = (JSON.parse(json.stdout) as { runs: { id: string; verdict?: string }[] }).runs;
    expect(runs.find((x) => x.id === r.id)?.verdict).toMatch(/^RTO [0-9.]+ s met, RPO [0-9.]+ s met$/);
    const show = await run(h, ...store, "--json", "history", "show", r.id ?? "");
    expect(show.code, show.stderr).toBe(0);
    expect((JSON.parse(show.stdout) as { kind: string; result: DrillResult }).result).toEqual(r);
    const missing = await run(h, ...store, "history", "show", "drill-nope");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no run "drill-nope" in .*; drctl history lists them/);
  }, 60_000);
});

describe("drctl drill: bad input exits 2 with file:line and changes nothing", () => {
  it("a target written as `30 minutes`", async () => {
    const d = drillFile("minutes.yaml", { rto: "30 minutes" });
    const h = home();
    const before = updates.length;
    for (const args of [["plan"], ["run", "--execute"]]) {
      const [command, ...rest] = args as [string, ...string[]];
      const out = await run(h, "drill", command, d.file, ...rest);
      expect(out.code, out.stderr).toBe(2);
      const line = (d.lines.rto ?? 0) + 0;
      expect(out.stderr.trim()).toMatch(
        new RegExp(
          `^drctl: ${d.file.replace(/[.]/g, "\\.")}:${line}:\\d+: targets\\.rto: .*found "30 minutes"$`,
        ),
      );
    }
    await unchanged(h, before);
  }, 60_000);

  it("a fault kind that does not exist, with the nearest one", async () => {
    const d = drillFile("kind.yaml", { kind: "fault.route53-healthcheck" });
    const h = home();
    const before = updates.length;
    const out = await run(h, "drill", "run", d.file, "--execute");
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toMatch(
      new RegExp(
        `drctl: ${d.file.replace(/[.]/g, "\\.")}:${d.lines.kind ?? 0}:\\d+: fault\\.kind: no fault kind "fault\\.route53-healthcheck" \\(did you mean fault\\.route53-health-check\\?\\)`,
      ),
    );
    await unchanged(h, before);
  }, 60_000);
});
