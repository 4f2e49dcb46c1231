/**
 * Drills killed: a drill runs in its own process (test/harness/drill-child.ts) against the local
 * world of test/harness/drill-world.ts (region apps, DNS that follows the Route 53 records and the
 * health check the fault inverts, a DynamoDB canary replicated by the harness) and is SIGKILLed at
 * each phase:
 *   probing        the baseline, before the fault (the primary never gives one, so it never ends)
 *   fault          its step before or after its AWS call (in doubt: counted as done, reverted),
 *                  and in place while the probes wait for the standby (which never serves)
 *   runbook        the failover runbook's step after its AWS call, before the journal says so
 *   revert         the fault's undo after its AWS call, before the journal says so (failback)
 *   failback       the failback runbook's step after its AWS call, before the journal says so
 * A kill is made when the phase is seen (a line on stderr, the world's state, a crash point),
 * never after a duration. Then `drctl drill resume ID --execute` (in this process, through the
 * CLI, stored in the history): the fault is reverted (read back from the emulator), no step's
 * AWS call is made twice (counted where the calls reach the emulator, across processes, and the
 * journal's attempts), the markers are gone on both sides, the lock is free, and the stored
 * record says the drill was interrupted.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { buildSync } from "esbuild";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import type { DrillResult } from "../src/core/drill-result.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import type { StoredDrill } from "../src/history/types.js";
import { AwsBehaviour, type CanaryReplicator } from "./harness/aws-behaviour.js";
import { drctlProcess, until } from "./harness/drctl-process.js";
import { failoverRecords, regionApps, type RegionApp } from "./harness/drill-world.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
const PARAM = "/app/active-region";
let direct: AwsClients;
let behaviour: AwsBehaviour;
let replicator: CanaryReplicator;
let proxy: FaultProxy;
let apps: { primary: RegionApp; standby: RegionApp; port: number };
let zoneId: string;
let healthCheckId: string;
let name: string;
let dir: string;
let child: string;
/** The mutating calls that reached the emulator, across every process, in order. */
const calls: string[] = [];

function bundleChild(): string {
  const outfile = join(
    process.cwd(),
    "node_modules",
    ".cache",
    "drctl-test",
    `drill-child-${process.pid}.mjs`,
  );
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
  return outfile;
}

function drillFile(file: string, runbook: boolean): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `version: 1
name: killed drill
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: http://${name.replace(/\.$/, "")}:${apps.port}/health
    expect: { status: 200, body: healthy }
    region: { header: x-region }
probe: { interval: 0.25s, timeout: 1s, consecutive: 2, baseline: 60s }
canaries:
  - name: orders
    dynamodb: { table: drill-canary, key: pk }
fault:
  kind: fault.route53-health-check
  params: { healthCheck: ${healthCheckId}, action: invert }
runbook: ${runbook ? "failover.yaml" : "none"}
startRunbook: fault
failback: ${runbook ? "generated" : "none"}
targets: { rto: 1m, rpo: 1m }
timeouts: { detect: 30s, recovery: 60s, failback: 60s }
`,
  );
  return path;
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

const active = async () =>
  (await direct.get(SSMClient, S).send(new GetParameterCommand({ Name: PARAM }))).Parameter?.Value;

beforeAll(async () => {
  child = bundleChild();
  direct = await env.clients();
  behaviour = new AwsBehaviour(direct);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  behaviour.observe((request, info) => {
    if (info.method === "POST" && /\/healthcheck\/[0-9a-f-]+$/.test(info.path))
      calls.push(`UpdateHealthCheck inverted=${/<Inverted>true<\/Inverted>/.test(request)}`);
    if (info.target === "AmazonSSM.PutParameter") {
      const p = JSON.parse(request) as { Name: string; Value: string };
      if (p.Name === PARAM) calls.push(`PutParameter ${p.Value}`);
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
  replicator = behaviour.replicateCanary({
    delayMs: 100,
    table: { name: "drill-canary", region: P, replicaRegion: S },
  });
  apps = await regionApps(P, S);
  const records = await failoverRecords(direct, apps);
  ({ zoneId, healthCheckId, name } = records);
  await direct
    .get(SSMClient, S)
    .send(new PutParameterCommand({ Name: PARAM, Value: P, Type: "String", Overwrite: true }));
  dir = mkdtempSync(join(tmpdir(), "drctl-drill-crash-"));
  writeFileSync(
    join(dir, "failover.yaml"),
    `version: 1
name: point the application at the standby
application: api
region: ${S}
steps:
  - id: activate
    kind: ssm.put-parameters
    params: { parameters: { "${PARAM}": ${S} } }
`,
  );
  drillFile("none.yaml", false);
  drillFile("runbook.yaml", true);
}, 120_000);

afterAll(async () => {
  await apps?.primary.stop();
  await apps?.standby.stop();
  await proxy?.stop();
});

interface Killed {
  home: string;
  id: string;
  /** The mutating calls made before the kill. */
  before: string[];
}

/** Starts the drill in its own process and SIGKILLs it once `phase` holds (or it kills itself at a crash point). */
async function killDrill(
  file: string,
  phase: { crashAt: string } | { when: (stderr: string) => Promise<boolean> | boolean },
): Promise<Killed> {
  const home = mkdtempSync(join(tmpdir(), "drctl-drill-crash-home-"));
  const id = `drill-20261201T000000Z-${Math.random().toString(16).slice(2, 6)}`;
  const from = calls.length;
  const p = drctlProcess([child], [], {
    DRILL_ENDPOINT: proxy.endpoint,
    DRILL_ZONE: zoneId,
    DRILL_FILE: join(dir, file),
    DRILL_HOME: home,
    DRILL_ID: id,
    ...("crashAt" in phase ? { DRCTL_CRASH_AT: phase.crashAt } : {}),
  });
  if ("when" in phase) {
    const when = phase.when;
    await until(
      async () => ((await when(p.output().stderr)) ? true : undefined),
      "the phase to kill the drill at",
    );
    p.child.kill("SIGKILL");
  }
  const exited = await p.exited;
  expect(exited.signal, exited.stdout + exited.stderr).toBe("SIGKILL");
  if ("crashAt" in phase) expect(exited.stderr).toContain(`drctl: crash point ${phase.crashAt}`);
  return { home, id, before: calls.slice(from) };
}

/** `drctl drill resume ID --execute` in this process: the record, the calls it made, the journal. */
async function resume(k: Killed) {
  // Copies of markers the killed drill wrote land first: the harness, unlike a global table,
  // does not replicate deletes, so a copy landing after the resume removed markers would stay.
  await replicator.settled();
  process.env.DRCTL_HOME = k.home;
  const from = calls.length;
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["--endpoint-url", proxy.endpoint, "--json", "drill", "resume", k.id, "--execute"],
    {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    },
  );
  const journal = SqliteJournal.open(join(k.home, "journal.sqlite"));
  const history = SqliteHistory.open(join(k.home, "history.sqlite"));
  try {
    const runs = await journal.runs();
    const attempts: Record<string, number> = {};
    for (const r of runs)
      for (const s of await journal.steps(r.runId))
        attempts[`${r.runId === k.id ? "drill" : r.runId.replace(/^run-\S+-/, "")}/${s.stepId}`] = s.attempts;
    return {
      code,
      output: out.join("") + err.join(""),
      printed: JSON.parse(out.join("")) as DrillResult,
      stored: (await history.get(k.id)) as StoredDrill | undefined,
      made: calls.slice(from),
      attempts,
      lock: await journal.lockOf("api"),
    };
  } finally {
    journal.close();
    history.close();
  }
}

function expectInterrupted(r: Awaited<ReturnType<typeof resume>>, id: string) {
  expect(r.code, r.output).toBe(3);
  expect(r.printed.outcome).toBe("interrupted");
  expect(r.stored?.kind).toBe("drill");
  expect(r.stored?.result.id).toBe(id);
  expect(r.stored?.result.outcome).toBe("interrupted");
  expect(r.stored?.result.findings.map((f) => f.ruleId)).toContain("drill.interrupted");
  expect(r.stored?.result.fault.reverted).toBe(true);
  expect(r.stored?.result.unfinished ?? []).toEqual([]);
  expect(r.lock).toBeUndefined();
}

describe("a drill killed at each phase and resumed", () => {
  it("killed while probing before the fault: nothing to revert, the fault never injected, markers removed, interrupted", async () => {
    apps.primary.serving = () => false;
    try {
      const k = await killDrill("none.yaml", {
        // Probing for the baseline, and the canary writing markers.
        when: async (stderr) => /baseline: waiting/.test(stderr) && (await markers(P)) > 0,
      });
      expect(k.before).toEqual([]);
      apps.primary.serving = () => true;
      const r = await resume(k);
      expectInterrupted(r, k.id);
      expect(r.made).toEqual([]);
      expect(r.attempts).toEqual({ "drill/fault": 0 });
      expect(r.stored?.result.timeline.map((t) => t.message).join("\n")).toMatch(
        /interrupted before its fault: nothing to revert/,
      );
    } finally {
      apps.primary.serving = () => true;
    }
    expect(await inverted()).toBe(false);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);

  it("killed with the fault in place while waiting for the standby: the fault reverted once, not injected again", async () => {
    apps.standby.serving = () => false;
    try {
      const k = await killDrill("none.yaml", {
        when: async (stderr) => /probing until/.test(stderr) && (await inverted()),
      });
      expect(k.before).toEqual(["UpdateHealthCheck inverted=true"]);
      const r = await resume(k);
      expectInterrupted(r, k.id);
      expect(r.made).toEqual(["UpdateHealthCheck inverted=false"]);
      expect(r.attempts).toEqual({ "drill/fault": 1, "revert/undo-fault": 1 });
    } finally {
      apps.standby.serving = () => true;
    }
    expect(await inverted()).toBe(false);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);

  for (const [boundary, injected] of [
    ["before-call", false],
    ["after-call", true],
  ] as const)
    it(`killed in the fault's step ${boundary === "before-call" ? "before" : "after"} its call: the fault in doubt is never injected again, only reverted`, async () => {
      const k = await killDrill("none.yaml", { crashAt: `fault:${boundary}` });
      expect(k.before).toEqual(injected ? ["UpdateHealthCheck inverted=true"] : []);
      const r = await resume(k);
      expectInterrupted(r, k.id);
      // Its undo puts back what the journaled intent found: a call only if the fault got there.
      expect(r.made).toEqual(injected ? ["UpdateHealthCheck inverted=false"] : []);
      expect(r.attempts).toEqual({ "drill/fault": 1, "revert/undo-fault": 1 });
      expect(await inverted()).toBe(false);
      expect(await markers(P)).toBe(0);
      expect(await markers(S)).toBe(0);
    }, 120_000);

  it("killed in the failover runbook's step after its call: the fault reverted, the step found done (not run again), failed back", async () => {
    const k = await killDrill("runbook.yaml", { crashAt: "activate:after-call" });
    expect(k.before).toEqual(["UpdateHealthCheck inverted=true", `PutParameter ${S}`]);
    expect(await active()).toBe(S);
    const r = await resume(k);
    expectInterrupted(r, k.id);
    // The revert first, then the failback of the failover; the step is not put again.
    expect(r.made).toEqual(["UpdateHealthCheck inverted=false", `PutParameter ${P}`]);
    expect(r.attempts).toEqual({
      "drill/fault": 1,
      "revert/undo-fault": 1,
      "failover/activate": 1,
      "failback/undo-activate": 1,
    });
    expect(await inverted()).toBe(false);
    expect(await active()).toBe(P);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);

  it("killed in the fault's revert after its call (failback): the revert found done, not made twice", async () => {
    const k = await killDrill("runbook.yaml", { crashAt: "undo-fault:after-call" });
    expect(k.before).toEqual([
      "UpdateHealthCheck inverted=true",
      `PutParameter ${S}`,
      "UpdateHealthCheck inverted=false",
    ]);
    const r = await resume(k);
    expectInterrupted(r, k.id);
    expect(r.made).toEqual([`PutParameter ${P}`]);
    expect(r.attempts).toEqual({
      "drill/fault": 1,
      "revert/undo-fault": 1,
      "failover/activate": 1,
      "failback/undo-activate": 1,
    });
    expect(r.stored?.result.failover.rto.measuredSeconds).not.toBeNull();
    expect(await inverted()).toBe(false);
    expect(await active()).toBe(P);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);

  it("killed in the failback runbook's step after its call: its step found done, nothing made twice", async () => {
    const k = await killDrill("runbook.yaml", { crashAt: "undo-activate:after-call" });
    expect(k.before).toEqual([
      "UpdateHealthCheck inverted=true",
      `PutParameter ${S}`,
      "UpdateHealthCheck inverted=false",
      `PutParameter ${P}`,
    ]);
    const r = await resume(k);
    expectInterrupted(r, k.id);
    expect(r.made).toEqual([]);
    expect(r.attempts).toEqual({
      "drill/fault": 1,
      "revert/undo-fault": 1,
      "failover/activate": 1,
      "failback/undo-activate": 1,
    });
    // What was measured before the kill is kept: the failover's figures.
    expect(r.stored?.result.failover.rto.measuredSeconds).not.toBeNull();
    expect(await inverted()).toBe(false);
    expect(await active()).toBe(P);
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);
});

describe("a drill paused past its lease", () => {
  it("paused (SIGSTOP) with the fault in place, its lock taken over by a resume that reverts the fault: woken, it stops saying its lease was lost, makes no call and writes nothing", async () => {
    apps.standby.serving = () => false;
    const home = mkdtempSync(join(tmpdir(), "drctl-drill-fence-home-"));
    const id = `drill-20261201T000000Z-${Math.random().toString(16).slice(2, 6)}`;
    const p = drctlProcess([child], [], {
      DRILL_ENDPOINT: proxy.endpoint,
      DRILL_ZONE: zoneId,
      DRILL_FILE: join(dir, "none.yaml"),
      DRILL_HOME: home,
      DRILL_ID: id,
      DRCTL_LEASE_SECONDS: "3",
    });
    const journaled = async () => {
      const journal = SqliteJournal.open(join(home, "journal.sqlite"));
      try {
        const runs = await journal.runs();
        return {
          runs,
          steps: await Promise.all(runs.map((r) => journal.steps(r.runId))),
          events: await Promise.all(runs.map((r) => journal.events(r.runId))),
          lock: await journal.lockOf("api"),
        };
      } finally {
        journal.close();
      }
    };
    try {
      await until(
        async () => (/probing until/.test(p.output().stderr) && (await inverted()) ? true : undefined),
        "the fault in place",
      );
      p.child.kill("SIGSTOP");
      const lease = (await journaled()).lock?.leaseUntil ?? 0;
      await until(() => (Date.now() > lease ? true : undefined), "the drill's lease to end");
      const r = await resume({ home, id, before: [] });
      expectInterrupted(r, id);
      expect(r.made).toEqual(["UpdateHealthCheck inverted=false"]);
      const before = await journaled();
      const from = calls.length;

      p.child.kill("SIGCONT");
      const woke = await p.exited;
      expect(woke.code, woke.stdout + woke.stderr).not.toBe(0);
      expect(woke.stderr).toMatch(
        /the lease of the lock of application "api" was lost: no process holds it now/,
      );
      expect(calls.slice(from)).toEqual([]);
      expect(await journaled()).toEqual(before);
      expect(await inverted()).toBe(false);
    } finally {
      p.child.kill("SIGKILL");
      apps.standby.serving = () => true;
    }
    expect(await markers(P)).toBe(0);
    expect(await markers(S)).toBe(0);
  }, 120_000);
});
