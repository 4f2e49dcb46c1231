/**
 * Drills against a ground truth: local HTTP servers stand for each region's application, DNS
 * answers follow the Route 53 failover records and health check in the emulator (the harness's
 * resolver), and the harness knows when the fault took effect (it sees the health check's
 * update), makes the standby serve a known time after it, and replicates canary writes with a
 * known delay until the fault (then the primary region is lost: nothing more arrives). The
 * measured RTO and RPO equal that truth within one interval for three delays; a standby that
 * never serves is "at least" the time waited, not met. Bad input refuses to start and changes
 * nothing. Times are never asserted against durations: against what the harness saw.
 */
import { ruleIds, STEP_KINDS } from "../src/catalog.js";
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { canaryStores } from "../src/drill/canaries.js";
import { resumeDrill, runDrill, type DrillOptions } from "../src/drill/engine.js";
import { drillVerdict, formatDrillText } from "../src/report/drill-text.js";
import { drillTrend } from "../src/report/site-drills.js";
import { loadDrill } from "../src/drill/load.js";
import { configSchema } from "../src/config/schema.js";
import { loadConfig } from "../src/config/load.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { failoverRecords, regionApps, Route53Dns, type RegionApp } from "./harness/drill-world.js";
import { undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
const INTERVAL = 0.25;
let direct: AwsClients;
let through: AwsClients;
let behaviour: AwsBehaviour;
let proxy: FaultProxy;
let apps: { primary: RegionApp; standby: RegionApp; port: number };
let dns: Route53Dns;
let healthCheckId: string;
let name: string;
let dir: string;
/** When the emulator answered the fault's UpdateHealthCheck (inverted), as the harness saw it. */
let faultAt: number | undefined;
const updates: string[] = [];

const config = configSchema.parse({});

function drillFile(file: string, extra: Record<string, string> = {}): string {
  const path = join(dir, file);
  const text = `version: 1
name: dns failover
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: http://${name.replace(/\.$/, "")}:${apps.port}/health
    expect: { status: 200, body: healthy }
    ${extra.region ?? "region: { header: x-region }"}
probe: { interval: ${INTERVAL}s, timeout: 1s, consecutive: 3, baseline: ${extra.baseline ?? "20s"} }
${extra.canaries ?? `canaries:\n  - name: orders\n    dynamodb: { table: ${extra.table ?? "drill-canary"}, key: pk }`}
fault:
${extra.fault ?? `  kind: fault.route53-health-check\n  params: { healthCheck: ${healthCheckId}, action: invert }`}
runbook: none
failback: none
targets: { rto: ${extra.rto ?? "1m"}, rpo: 1m }
timeouts: { detect: 10s, recovery: ${extra.recovery ?? "30s"}, failback: ${extra.failback ?? "30s"} }
`;
  writeFileSync(path, text);
  return path;
}

/** drctl.yaml's applications: api owns the health check its drills invert. */
const applications = () =>
  configSchema.parse({
    applications: [{ name: "api", arns: [`arn:aws:route53:::healthcheck/${healthCheckId}`] }],
  }).applications;

function options(journalDir: string): DrillOptions & { journal: SqliteJournal } {
  const journal = SqliteJournal.open(join(journalDir, "journal.sqlite"));
  return {
    journal,
    applications: applications(),
    resolver: dns,
    preflight: () => Promise.resolve({ findings: [], problems: [], runs: {} }),
    canaries: (id) =>
      canaryStores(through, loadDrill(STEP_KINDS, join(dir, "truth.yaml")).drill, id, config, "drill"),
    runbookDir: join(journalDir, "runbooks"),
    leaseMs: 5000,
  };
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

beforeAll(async () => {
  direct = await env.clients();
  behaviour = new AwsBehaviour(direct);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  through = await env.clients({ endpointUrl: proxy.endpoint });
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
  apps = await regionApps(P, S);
  const records = await failoverRecords(direct, apps);
  healthCheckId = records.healthCheckId;
  name = records.name;
  dns = new Route53Dns(direct, records.zoneId);
  dir = mkdtempSync(join(tmpdir(), "drctl-drill-"));
  drillFile("truth.yaml");
});

afterAll(async () => {
  await apps?.primary.stop();
  await apps?.standby.stop();
  await proxy?.stop();
});

/** One drill: the standby serves `serveAfter` s after the fault, canary writes arrive `delay` s after they are made. */
async function truthRun(serveAfter: number, delay: number, file = "truth.yaml") {
  faultAt = undefined;
  const replicator = behaviour.replicateCanary({
    delayMs: delay * 1000,
    table: { name: "drill-canary", region: P, replicaRegion: S },
  });
  let firstServed: number | undefined;
  apps.standby.serving = () => {
    const on = faultAt !== undefined && Date.now() >= faultAt + serveAfter * 1000;
    if (on && firstServed === undefined) firstServed = Date.now();
    return on;
  };
  // The primary region's data stops replicating at the fault.
  behaviour.observe((req) => {
    if (faultAt !== undefined && /<Inverted>true<\/Inverted>/.test(req)) replicator.cutAt(faultAt);
  });
  const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
  const o = options(home);
  try {
    const out = await runDrill(through, o.journal, loadDrill(STEP_KINDS, join(dir, file)), o);
    return { out, replicator, firstServed, journal: o.journal };
  } finally {
    apps.standby.serving = () => false;
  }
}

describe("drill ground truth", () => {
  for (const [serveAfter, delay] of [
    [1, 0.5],
    [2, 1.25],
    [3, 2],
  ] as const)
    it(`the standby serving ${serveAfter} s after the fault, writes replicated ${delay} s late: measured RTO and RPO equal the truth within one interval`, async () => {
      const { out, replicator, firstServed, journal } = await truthRun(serveAfter, delay);
      const r = out.result;
      expect(r.outcome, JSON.stringify(r.unfinished)).toBe("completed");
      expect(r.fault.reverted).toBe(true);
      expect(await inverted()).toBe(false);
      const F = Date.parse(r.timeline.find((t) => t.kind === "fault")?.at ?? "");
      expect(faultAt).toBeDefined();
      // The truth, relative to the drill's own fault start: the standby served from faultAt + S.
      const rtoTruth = ((faultAt as number) + serveAfter * 1000 - F) / 1000;
      // How late the first probe after that came beyond one interval (0 on an idle machine).
      const late = Math.max(
        0,
        ((firstServed as number) - ((faultAt as number) + serveAfter * 1000)) / 1000 - INTERVAL,
      );
      expect(r.failover.rto.resolutionSeconds).toBe(INTERVAL);
      expect(r.failover.rto.atLeast).toBeUndefined();
      expect(Math.abs((r.failover.rto.measuredSeconds as number) - rtoTruth)).toBeLessThanOrEqual(
        INTERVAL + late + 0.001,
      );
      expect(r.failover.rto.met).toBe(true);
      // RPO: the harness's record of which copies were visible when the region was lost.
      const rpoTruth = replicator.truthAt(faultAt as number) as number;
      expect(rpoTruth).toBeDefined();
      expect(Math.abs((r.failover.rpo.measuredSeconds as number) - rpoTruth)).toBeLessThanOrEqual(
        INTERVAL + 0.001,
      );
      // Lost writes: exactly the acknowledged markers the harness never copied before the region
      // was lost (how many that is depends on how fast the machine got to the fault: never assumed).
      const copied = [...replicator.visible.keys()].length;
      const written = r.failover.canaries?.[0]?.written ?? 0;
      expect(written).toBeGreaterThanOrEqual(copied);
      expect(r.failover.lostWrites).toBe(written - copied);
      expect(r.failover.detectSeconds).not.toBeNull();
      expect(r.failback?.rto.measuredSeconds).not.toBeNull();
      expect(r.failback?.rto.atLeast).toBeUndefined();
      // Markers removed on both sides; the lock freed.
      expect(await markers(P)).toBe(0);
      expect(await markers(S)).toBe(0);
      expect(await journal.lockOf("api")).toBeUndefined();
      expect(out.exit).toBe(r.failover.lostWrites > 0 ? 1 : 0); // lost writes miss the drill
      journal.close();
    }, 120_000);

  it("a standby that never serves: RTO at least the time waited, not met; the fault still reverted", async () => {
    drillFile("never.yaml", { recovery: "3s" });
    const { out, journal } = await truthRun(10_000, 0.25, "never.yaml");
    const r = out.result;
    expect(r.failover.rto.atLeast).toBe(true);
    expect(r.failover.rto.met).toBe(false);
    expect(r.failover.rto.measuredSeconds).toBeGreaterThanOrEqual(3 - INTERVAL);
    expect(r.failover.rto.note).toMatch(/never answered from us-west-2/);
    expect(r.fault.reverted).toBe(true);
    expect(await inverted()).toBe(false);
    expect(out.exit).toBe(1);
    journal.close();
  }, 120_000);
});

/** A drill of a file with its own canaries (none, or a store of its own), the standby serving as `serving` says. */
async function ownRun(file: string, serving: () => boolean) {
  const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
  const o = options(home);
  const d = loadDrill(STEP_KINDS, join(dir, file));
  faultAt = undefined;
  apps.standby.serving = serving;
  try {
    const out = await runDrill(through, o.journal, d, {
      ...o,
      canaries: (id) => canaryStores(through, d.drill, id, config, "drill"),
    });
    return { out, journal: o.journal };
  } finally {
    apps.standby.serving = () => false;
  }
}

describe("drill verdicts that agree with the evidence", () => {
  it("answers that name no region and a fault that changes nothing: RTO not measured (the probes never saw the fault), exit 1", async () => {
    // Disabled, the health check says healthy whatever: DNS never fails over, the primary answers on.
    drillFile("unseen.yaml", {
      region: "",
      fault: `  kind: fault.route53-health-check\n  params: { healthCheck: ${healthCheckId}, action: disable }`,
      recovery: "2s",
      failback: "5s",
    });
    apps.primary.namesRegion = false;
    apps.standby.namesRegion = false;
    behaviour.replicateCanary({ delayMs: 250, table: { name: "drill-canary", region: P, replicaRegion: S } });
    try {
      const { out, journal } = await ownRun("unseen.yaml", () => true);
      const r = out.result;
      expect(r.outcome).toBe("completed");
      expect(r.failover.rto).toMatchObject({ measuredSeconds: null, met: false });
      expect(r.failover.rto.note).toMatch(
        /^not measured: the probes never saw the fault: api answered as before/,
      );
      expect(r.timeline.filter((t) => t.kind === "recovered")).toEqual([]);
      expect(r.timeline.map((t) => t.message).join("\n")).not.toMatch(
        /answered \d+ times in a row from us-west-2/,
      );
      expect(out.exit).toBe(1);
      expect(formatDrillText(r).split("\n")[0]).toMatch(
        /: completed, not passed: RTO not measured \(target 60 s\)/,
      );
      journal.close();
    } finally {
      apps.primary.namesRegion = true;
      apps.standby.namesRegion = true;
    }
  }, 120_000);

  it("an RPO target and no canary: not met, exit 1, saying what would measure it", async () => {
    drillFile("no-canary.yaml", { canaries: "canaries: []", recovery: "10s" });
    const { out, journal } = await ownRun("no-canary.yaml", () => faultAt !== undefined);
    const r = out.result;
    expect(r.failover.rto.met).toBe(true);
    expect(r.failover.rpo).toMatchObject({ measuredSeconds: null, targetSeconds: 60, met: false });
    expect(r.failover.rpo.note).toMatch(
      /no canary: the RPO was not measured; a canary under canaries: in the drill file/,
    );
    expect(out.exit).toBe(1);
    expect(formatDrillText(r).split("\n")[0]).toMatch(
      /: completed, not passed: RPO not measured \(target 60 s\)$/,
    );
    journal.close();
  }, 120_000);

  it("a canary table with no copy in the standby: refused at preflight, naming the table and the region; nothing changed", async () => {
    await direct.get(DynamoDBClient, P).send(
      new CreateTableCommand({
        TableName: "solo-canary",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    drillFile("solo.yaml", { table: "solo-canary" });
    const before = updates.length;
    const { out, journal } = await ownRun("solo.yaml", () => faultAt !== undefined);
    expect(out.result.outcome).toBe("refused");
    expect(out.exit).toBe(1);
    expect(out.result.findings.find((f) => f.ruleId === "drill.canary-no-copy")?.message).toMatch(
      /canary orders: DynamoDB table solo-canary has no copy in us-west-2 \(ResourceNotFoundException/,
    );
    expect(formatDrillText(out.result).split("\n")[0]).toMatch(
      /: refused \(not started\): a canary cannot be read in us-west-2: canary orders: DynamoDB table solo-canary has no copy in us-west-2/,
    );
    expect(updates.length).toBe(before);
    expect(await inverted()).toBe(false);
    expect(await journal.runs()).toEqual([]);
    journal.close();
  }, 60_000);
});

describe("drill bad input", () => {
  it("answers that name no region: reported, RTO by status alone, said so", async () => {
    drillFile("noregion.yaml", { region: "" });
    apps.primary.namesRegion = false;
    apps.standby.namesRegion = false;
    try {
      const { out, journal } = await truthRun(1, 0.25, "noregion.yaml");
      const r = out.result;
      expect(r.findings.map((f) => f.ruleId)).toContain("drill.no-region-field");
      expect(r.failover.rto.note).toMatch(/by status alone/);
      expect(r.failover.rto.measuredSeconds).not.toBeNull();
      journal.close();
    } finally {
      apps.primary.namesRegion = true;
      apps.standby.namesRegion = true;
    }
  }, 120_000);

  it("an endpoint that never answers before the fault: refused (no baseline), nothing changed", async () => {
    drillFile("nobaseline.yaml", { baseline: "1s" });
    apps.primary.serving = () => false;
    const before = updates.length;
    try {
      const { out, journal } = await truthRun(1, 0.25, "nobaseline.yaml");
      expect(out.result.outcome).toBe("refused");
      expect(out.exit).toBe(1);
      expect(out.result.findings.map((f) => f.ruleId)).toContain("drill.no-baseline");
      expect(out.result.findings.find((f) => f.ruleId === "drill.no-baseline")?.message).toMatch(
        /last answer 503/,
      );
      expect(updates.length).toBe(before);
      expect(await markers(P)).toBe(0);
      expect(await journal.lockOf("api")).toBeUndefined();
      journal.close();
    } finally {
      apps.primary.serving = () => true;
    }
  }, 60_000);

  it("a canary store that refuses writes: refused, nothing changed", async () => {
    drillFile("nocanary.yaml", { table: "no-such-table" });
    const before = updates.length;
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const o = options(home);
    const d = loadDrill(STEP_KINDS, join(dir, "nocanary.yaml"));
    const out = await runDrill(through, o.journal, d, {
      ...o,
      canaries: (id) => canaryStores(through, d.drill, id, config, "drill"),
    });
    expect(out.result.outcome).toBe("refused");
    expect(out.result.findings.find((f) => f.ruleId === "drill.canary-refused")?.message).toMatch(
      /refuses writes: ResourceNotFoundException/,
    );
    expect(updates.length).toBe(before);
    expect(await inverted()).toBe(false);
    o.journal.close();
  }, 60_000);

  it("a drill's finding suppressed in drctl.yaml: the suppression accepted, the finding marked suppressed, the verdict unchanged", async () => {
    drillFile("nocanary.yaml", { table: "no-such-table" });
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const yaml = join(home, "drctl.yaml");
    writeFileSync(
      yaml,
      "suppressions:\n  - rule: drill.canary-refused\n    pair: canary orders\n    reason: the canary table is being moved\n",
    );
    const { config: loaded } = loadConfig(yaml, { ruleIds: ruleIds() });
    const o = options(home);
    const d = loadDrill(STEP_KINDS, join(dir, "nocanary.yaml"));
    const out = await runDrill(through, o.journal, d, {
      ...o,
      canaries: (id) => canaryStores(through, d.drill, id, config, "drill"),
      suppressions: loaded.suppressions,
    });
    const refused = out.result.findings.find((f) => f.ruleId === "drill.canary-refused");
    expect(refused?.pair).toBe("canary orders");
    expect(refused?.suppressed).toEqual({ reason: "the canary table is being moved" });
    // Suppressing what a drill found marks it; the drill still did not start.
    expect(out.result.outcome).toBe("refused");
    o.journal.close();
  }, 60_000);

  it("a preflight that finds the standby not ready refuses; --force starts it and is journaled", async () => {
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const o = options(home);
    const d = loadDrill(STEP_KINDS, join(dir, "truth.yaml"));
    const before = updates.length;
    const refused = await runDrill(through, o.journal, d, {
      ...o,
      preflight: () =>
        Promise.resolve({ findings: [], problems: ["replication is broken for orders"], runs: {} }),
    });
    expect(refused.result.outcome).toBe("refused");
    expect(refused.exit).toBe(1);
    expect(updates.length).toBe(before);
    apps.standby.serving = () => true;
    const forced = await runDrill(through, o.journal, d, {
      ...o,
      preflight: () =>
        Promise.resolve({ findings: [], problems: ["replication is broken for orders"], runs: {} }),
      force: { by: "tester", why: "testing the force" },
    });
    apps.standby.serving = () => false;
    expect(forced.result.forced).toEqual({ by: "tester", why: "testing the force" });
    const events = await o.journal.events(forced.result.id ?? "");
    expect(events.some((e) => /preflight overridden by tester: testing the force/.test(e.what))).toBe(true);
    expect(await inverted()).toBe(false);
    o.journal.close();
  }, 120_000);

  it("a fault step that fails after it was sent: said to be maybe in place, never 'reverted'; drill resume reverts it", async () => {
    const flag = join(dir, "fault-in-place");
    drillFile("half-sent.yaml", {
      fault: `  kind: fault.command\n  params: { run: "touch ${flag}; exit 1", revert: "rm -f ${flag}" }\n  scope: any\n  reason: a local file stands for the fault`,
    });
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const o = options(home);
    behaviour.replicateCanary({ delayMs: 250, table: { name: "drill-canary", region: P, replicaRegion: S } });
    const out = await runDrill(through, o.journal, loadDrill(STEP_KINDS, join(dir, "half-sent.yaml")), o);
    expect(out.exit).toBe(3);
    expect(out.result.outcome).toBe("interrupted");
    expect(out.result.fault.reverted).toBe(false);
    expect(out.result.unfinished).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^THE FAULT MAY STILL BE IN PLACE: .*drctl drill resume ${out.result.id ?? ""} --execute`,
          ),
        ),
      ]),
    );
    expect(existsSync(flag)).toBe(true);

    const resumed = await resumeDrill(
      through,
      o.journal,
      out.result.id ?? "",
      (f: string) => loadDrill(STEP_KINDS, f),
      o,
    );
    expect(resumed.result.fault.reverted).toBe(true);
    expect(existsSync(flag)).toBe(false);
    expect(await o.journal.lockOf("api")).toBeUndefined();
    o.journal.close();
  }, 120_000);

  it("an interrupt (SIGINT) during the failback stops its wait: interrupted, the fault reverted, the lock freed", async () => {
    // A failback timeout far beyond the test's own: only the interrupt can end that wait in time.
    drillFile("interrupt-back.yaml", { recovery: "60s", failback: "1h" });
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const o = options(home);
    const controller = new AbortController();
    faultAt = undefined;
    apps.standby.serving = () => faultAt !== undefined;
    // Once the fault is being reverted the primary never answers again: the failback would wait
    // its whole timeout for it, unless the interrupt ends the wait.
    let reverting = false;
    apps.primary.serving = () => !reverting;
    behaviour.replicateCanary({ delayMs: 250, table: { name: "drill-canary", region: P, replicaRegion: S } });
    try {
      const out = await runDrill(
        through,
        o.journal,
        loadDrill(STEP_KINDS, join(dir, "interrupt-back.yaml")),
        {
          ...o,
          interrupt: controller.signal,
          log: (l) => {
            if (/^revert:/.test(l)) {
              reverting = true;
              controller.abort(new Error("SIGINT"));
            }
          },
        },
      );
      expect(out.result.outcome).toBe("interrupted");
      expect(out.result.failover.rto.met).toBe(true);
      expect(out.result.fault.reverted).toBe(true);
      const interrupted = out.result.timeline.find((t) => t.kind === "interrupted");
      expect(interrupted?.message).toMatch(/while waiting for the primary region to serve again/);
      expect(out.exit).toBe(3);
      expect(await inverted()).toBe(false);
      expect(await o.journal.lockOf("api")).toBeUndefined();
    } finally {
      apps.standby.serving = () => false;
      apps.primary.serving = () => true;
      o.journal.close();
    }
  }, 120_000);

  it("an interrupt (SIGINT) while waiting for the standby: the fault is reverted before the drill ends; shown as interrupted, never as a missed RTO, left out of the trend", async () => {
    drillFile("interrupt.yaml", { recovery: "60s" });
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-home-"));
    const o = options(home);
    const controller = new AbortController();
    apps.standby.serving = () => false;
    behaviour.replicateCanary({ delayMs: 250, table: { name: "drill-canary", region: P, replicaRegion: S } });
    const running = runDrill(through, o.journal, loadDrill(STEP_KINDS, join(dir, "interrupt.yaml")), {
      ...o,
      interrupt: controller.signal,
      log: (l) => {
        if (/^probing until/.test(l)) controller.abort(new Error("SIGINT"));
      },
    });
    const out = await running;
    expect(out.result.outcome).toBe("interrupted");
    expect(out.result.fault.reverted).toBe(true);
    expect(out.exit).toBe(3);
    // Its partial figure is not judged: the history says interrupted, the trend leaves it out.
    expect(out.result.failover.rto.met).toBeNull();
    expect(drillVerdict(out.result)).toMatch(/^interrupted: /);
    expect(drillVerdict(out.result)).not.toMatch(/NOT MET|at least/);
    expect(formatDrillText(out.result).split("\n")[0]).toMatch(/: interrupted: /);
    const completed = (at: string) => ({
      run: {
        id: at,
        kind: "drill" as const,
        startedAt: at,
        finishedAt: at,
        pairs: 1,
        counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      },
      result: {
        ...out.result,
        outcome: "completed" as const,
        failover: {
          ...out.result.failover,
          rto: { ...out.result.failover.rto, measuredSeconds: 2, atLeast: false, met: true },
        },
      },
    });
    const trend = drillTrend({
      application: "api",
      drills: [
        { run: { ...completed("c").run, id: out.result.id ?? "" }, result: out.result },
        completed("b"),
        completed("a"),
      ],
    });
    // One RTO point per completed drill: the interrupted one is not drawn.
    expect(trend.match(/<circle[^>]*fill="#2e5c8a"/g)).toHaveLength(2);
    expect(await inverted()).toBe(false);
    expect(await o.journal.lockOf("api")).toBeUndefined();
    o.journal.close();
  }, 60_000);
});

describe("the operations a drill declares", () => {
  it("include every AWS operation the drills above called, their runbooks' steps included", () => {
    const calls = Object.keys(through.counter.byOperation);
    expect(calls.length).toBeGreaterThan(5);
    expect(
      undeclaredBy(calls, "drill plan, drill run, drill resume", "failover, failback, runbook resume"),
    ).toEqual([]);
  });
});
