import { STEP_KINDS } from "../src/catalog.js";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { paginateGetParametersByPath, SSMClient } from "@aws-sdk/client-ssm";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import { runCli } from "../src/cli/program.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { executeRunbook } from "../src/runbook/engine.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { acquireLock, LockHeldError, processOwner } from "../src/runbook/journal.js";
import { loadRunbook } from "../src/runbook/load.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { recordReplicaLag, workaroundProxy } from "./harness/moto-workarounds.js";

const env = useEmulator();
const EXAMPLE = "examples/warm-standby/failover.yaml";
let aws: AwsClients;
let home: string;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The part of the world a failover touches, read back. */
async function standbyState() {
  const asg = await aws
    .get(AutoScalingClient, "us-west-2")
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }));
  const g = asg.AutoScalingGroups?.[0];
  const primary = (
    await aws
      .get(AutoScalingClient, "us-east-1")
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
  ).AutoScalingGroups?.[0];
  // All pages: GetParametersByPath returns 10 at a time.
  const all = [];
  for await (const page of paginateGetParametersByPath(
    { client: aws.get(SSMClient, "us-west-2") },
    { Path: "/app", Recursive: true },
  ))
    all.push(...(page.Parameters ?? []));
  const params = { Parameters: all };
  return {
    capacity: [g?.MinSize, g?.DesiredCapacity, g?.MaxSize],
    /** The old primary's web tier, which the failover fences. */
    primaryCapacity: [primary?.MinSize, primary?.DesiredCapacity, primary?.MaxSize],
    inService: (g?.Instances ?? []).filter((i) => i.LifecycleState === "InService").length,
    parameters: Object.fromEntries(
      (params.Parameters ?? [])
        .filter((p) => p.Type !== "SecureString")
        .map((p) => [p.Name ?? "", p.Value ?? ""]),
    ) as Record<string, string | undefined>,
  };
}

function runbookFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "failover.yaml");
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 1 });
});

// Every call the runbooks this file runs make (after the world is built), for the last test.
let recorder: ReturnType<typeof recordAwsCalls>;
beforeAll(() => {
  recorder = recordAwsCalls();
});
afterAll(() => recorder.stop());

beforeEach(() => {
  // Each test has its own journal (and so its own locks).
  home = mkdtempSync(join(tmpdir(), "drctl-home-"));
  process.env.DRCTL_HOME = home;
});

describe("failover runbooks", () => {
  it("plans without changing anything", async () => {
    const before = await standbyState();
    const r = await drctl("--endpoint-url", env.emulator.endpoint, "failover", "plan", "--runbook", EXAMPLE);
    // No ReplicaLag datapoint yet: the promotion would be refused, and the plan says so (exit 1).
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /promote-database \[rds.promote-read-replica in us-west-2\]\n\s+app-db-replica replicates \S+ \(lag unknown, limit 900 s\)\n\s+would be refused: app-db-replica's replica lag is unknown/,
    );
    expect(r.stdout).toMatch(/the run would stop at: promote-database \(refused\)/);
    expect(r.stdout).toMatch(
      /scale-standby \[autoscaling.set-capacity in us-west-2\]\n\s+web min 0 desired 0 max 4\n\s+-> web min 2 desired 2 max 4/,
    );
    expect(r.stdout).toMatch(/\/app\/web\/capacity-before-failover=<previousDesired from scale-standby>/);
    expect(r.stdout).toMatch(
      /wait-healthy \[elbv2.wait-healthy in us-west-2\] \(after scale-standby\)\n\s+web-001-app: 0 of 0 targets healthy\n\s+-> web-001-app: at least 2 healthy/,
    );
    expect(r.stdout).toMatch(
      /move-traffic \[route53.change-records in us-west-2\] \(after wait-healthy, mark-active\)\n\s+app.example.com CNAME: \(none\)\n\s+-> app.example.com CNAME: web-001-1.us-west-2.elb.amazonaws.com/,
    );
    expect(r.stdout).toMatch(
      /fence-old-primary \[fence-primary in us-east-1\] \(after move-traffic\)\n\s+web min 2 desired 2 max 4\n\s+-> web min 0 desired 0 max 0/,
    );
    const dry = await drctl("--endpoint-url", env.emulator.endpoint, "failover", "run", "--runbook", EXAMPLE);
    expect(dry.stdout).toMatch(/dry run: nothing was changed; add --execute/);
    expect(dry.code).toBe(1);
    expect(await standbyState()).toEqual(before);
  });

  it("runs with --execute, and the world reads back changed; the timeline has the critical path and the RTO", async () => {
    const before = await standbyState();
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 3);
    // moto leaves a promoted replica marked as a replica; the harness proxy corrects that.
    const proxy = await workaroundProxy(env.emulator.endpoint);
    try {
      const r = await drctl(
        "--endpoint-url",
        proxy.endpoint,
        "failover",
        "run",
        "--runbook",
        EXAMPLE,
        "--execute",
      );
      expect(r.code, r.stderr).toBe(0);
      const state = await standbyState();
      expect(state.capacity).toEqual([2, 2, 4]);
      expect(state.inService).toBe(2);
      expect(state.primaryCapacity).toEqual([0, 0, 0]);
      expect(state.parameters["/app/region/role"]).toBe("primary");
      expect(state.parameters["/app/web/capacity-before-failover"]).toBe("0");
      const { Route53Client, ListHostedZonesByNameCommand } = await import("@aws-sdk/client-route-53");
      const { listRecordSets } = await import("../src/aws/route53.js");
      const r53 = aws.get(Route53Client, "us-east-1");
      const zone =
        (await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.com" }))).HostedZones?.[0]?.Id ??
        "";
      const moved = [];
      for await (const rec of listRecordSets(r53, zone))
        if (rec.Name === "app.example.com.") moved.push([rec.Type, rec.ResourceRecords?.[0]?.Value]);
      expect(moved).toEqual([["CNAME", "web-001-1.us-west-2.elb.amazonaws.com"]]);
      expect(r.stdout).toMatch(
        /elapsed \d+\.\d s from the start to the end \(waits, approvals and resumes included\); RTO target 30 min: met\ncritical path \(the steps alone\): (promote-database|scale-standby) -> [a-z-]+( -> [a-z-]+)* -> settle = \d+\.\d s/,
      );
      // The run's id and how to resume it were said the moment it began.
      expect(r.stderr).toMatch(
        /^run (run-\S+) started \(journal [^)]*\); if this terminal goes away: drctl runbook status \1, drctl runbook resume \1 --execute/,
      );
      const runId = /run (run-\S+): succeeded/.exec(r.stdout)?.[1] ?? "";
      const status = await drctl("runbook", "status", runId);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/scale-standby\s+succeeded/);
      // Idempotent: running again changes nothing and succeeds.
      const again = await drctl(
        "--endpoint-url",
        proxy.endpoint,
        "failover",
        "run",
        "--runbook",
        EXAMPLE,
        "--execute",
      );
      expect(again.code).toBe(0);
      expect((await standbyState()).capacity).toEqual([2, 2, 4]);

      // Failback generated from the first run's journal: a dry run first, then --execute.
      await recordReplicaLag(aws, "us-east-1", "app-db-failback", 1);
      const failedOver = await standbyState();
      const plan = await drctl("--endpoint-url", proxy.endpoint, "failback", "plan", "--from", runId);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(
        /undo-scale-standby \[autoscaling.set-capacity in us-west-2\] \(after [^)]*undo-mark-active[^)]*\)\n\s+web min 2 desired 2 max 4\n\s+-> web min 0 desired 0 max 4/,
      );
      expect(plan.stdout).toMatch(
        /undo-promote-database-replicate \[rds.create-read-replica in us-east-1\]\n\s+app-db-failback does not exist\n\s+-> app-db-failback replicates arn:aws:rds:us-west-2:\d+:db:app-db-replica/,
      );
      expect(plan.stdout).toMatch(
        /app.example.com CNAME: web-001-1.us-west-2.elb.amazonaws.com\n\s+-> app.example.com CNAME: \(none\)/,
      );
      expect(await standbyState()).toEqual(failedOver);

      const back = await drctl(
        "--endpoint-url",
        proxy.endpoint,
        "failback",
        "run",
        "--from",
        runId,
        "--execute",
      );
      expect(back.code, back.stdout + back.stderr).toBe(0);
      const restored = await standbyState();
      expect(restored.capacity).toEqual(before.capacity);
      expect(restored.primaryCapacity).toEqual([2, 2, 4]);
      expect(restored.primaryCapacity).toEqual(before.primaryCapacity);
      expect(restored.parameters["/app/region/role"]).toBe(before.parameters["/app/region/role"]);
      expect(restored.parameters["/app/web/capacity-before-failover"]).toBeUndefined();
      const { DescribeDBInstancesCommand, RDSClient } = await import("@aws-sdk/client-rds");
      const failbackDb = (
        await aws
          .get(RDSClient, "us-east-1")
          .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "app-db-failback" }))
      ).DBInstances?.[0];
      expect(failbackDb?.DBInstanceStatus).toBe("available");
      // The parameter the failover took from the promotion now names the database promoted back.
      expect(restored.parameters["/app/db/endpoint"]).toBe(failbackDb?.Endpoint?.Address);
      const records = [];
      for await (const rec of listRecordSets(r53, zone))
        if (rec.Name === "app.example.com.") records.push(rec);
      expect(records).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it("refuses a second run while another holds the lock, naming the holder", async () => {
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    await acquireLock(journal, {
      application: "web",
      runId: "run-20261121T000000Z-abcd",
      owner: processOwner("oncall@laptop"),
      leaseMs: 60_000,
    });
    journal.close();
    const r = await drctl(
      "--endpoint-url",
      env.emulator.endpoint,
      "failover",
      "run",
      "--runbook",
      EXAMPLE,
      "--execute",
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /another run holds the lock for application "web": run run-20261121T000000Z-abcd by pid \d+ on \S+ \(oncall@laptop\) since \S+, lease until \S+/,
    );
    const j = SqliteJournal.open(join(home, "journal.sqlite"));
    await expect(
      acquireLock(j, { application: "web", runId: "run-other", owner: processOwner(), leaseMs: 1000 }),
    ).rejects.toThrow(LockHeldError);
    j.close();
  });

  it("stops dependents of a failing step, leaves a resumable journal, and resumes without redoing what succeeded", async () => {
    const file = runbookFile(`version: 1
name: partial
application: web-partial
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/partial/first: "1" } }
  - id: scale-missing
    kind: autoscaling.set-capacity
    after: [write]
    params: { group: not-yet, min: 0, desired: 0, max: 1 }
  - id: after-scale
    kind: ssm.put-parameters
    after: [scale-missing]
    params: { parameters: { /app/partial/last: "2" } }
`);
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    const first = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    expect(first.run.status).toBe("failed");
    expect(first.steps.map((s) => [s.stepId, s.status])).toEqual([
      ["write", "succeeded"],
      ["scale-missing", "failed"],
      ["after-scale", "pending"],
    ]);
    expect(first.steps[1]?.error).toMatch(/Auto Scaling group not-yet not found/);
    // The failed run keeps the lock: a new run is refused, the same run may resume.
    await expect(executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file))).rejects.toThrow(LockHeldError);

    // Fix the cause without changing the file: a resume with a step that acted changed is refused.
    writeFileSync(file, readFileSync(file, "utf8").replace('first: "1"', 'first: "9"'));
    await expect(
      executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file), { resumeRunId: first.run.runId }),
    ).rejects.toThrow(/changed since run .* began .*: step "write" changed, and it has already acted/);
    writeFileSync(file, readFileSync(file, "utf8").replace('first: "9"', 'first: "1"'));
    const { AutoScalingClient: Asg, CreateAutoScalingGroupCommand } =
      await import("@aws-sdk/client-auto-scaling");
    await aws.get(Asg, "us-west-2").send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "not-yet",
        LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" },
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: ["us-west-2a"],
      }),
    );
    const resumed = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file), {
      resumeRunId: first.run.runId,
    });
    expect(resumed.run.status).toBe("succeeded");
    expect(resumed.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["write", "succeeded", 1],
      ["scale-missing", "succeeded", 2],
      ["after-scale", "succeeded", 1],
    ]);
    journal.close();
  });

  it("resumes a run killed with SIGKILL during a step, without redoing the completed steps", async () => {
    const file = runbookFile(`version: 1
name: killed
application: web-killed
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/killed/first: "1" } }
  - id: long-wait
    kind: sleep
    after: [write]
    params: { seconds: 6 }
  - id: last
    kind: ssm.put-parameters
    after: [long-wait]
    params: { parameters: { /app/killed/last: "2" } }
`);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "--endpoint-url",
        env.emulator.endpoint,
        "failover",
        "run",
        "--runbook",
        file,
        "--execute",
      ],
      {
        env: { ...process.env, DRCTL_HOME: home },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!/running\s+long-wait/.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    const [crashed] = await journal.runs();
    const runId = crashed?.runId ?? "";
    expect((await journal.steps(runId)).map((s) => [s.stepId, s.status])).toEqual([
      ["write", "succeeded"],
      ["long-wait", "running"],
      ["last", "pending"],
    ]);
    // Shorten the wait for the test without changing the runbook: resume re-runs only the unfinished steps.
    journal.close();
    const r = await drctl("--endpoint-url", env.emulator.endpoint, "runbook", "resume", runId, "--execute");
    expect(r.code, r.stderr).toBe(0);
    const after = SqliteJournal.open(join(home, "journal.sqlite"));
    // The wait was the same attempt going on (its calls were journaled as made): nothing ran twice.
    expect((await after.steps(runId)).map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["write", "succeeded", 1],
      ["long-wait", "succeeded", 1],
      ["last", "succeeded", 1],
    ]);
    after.close();
    expect((await standbyState()).parameters["/app/killed/last"]).toBe("2");
  }, 120_000);

  it("refuses a reference to a step that does not exist before any plan: exit 2 at its line, nothing changed", async () => {
    const before = await standbyState();
    const file = runbookFile(`version: 1
name: typo
application: web-typo
region: us-west-2
steps:
  - id: scale-standby
    kind: autoscaling.set-capacity
    params: { group: web, min: 2, desired: 2, max: 4 }
  - id: mark-active
    kind: ssm.put-parameters
    after: [scale-standby]
    params: { parameters: { /app/typo/endpoint: "\${steps.nope.outputs.endpoint}" } }
`);
    for (const argv of [["plan"], ["run"], ["run", "--execute"]]) {
      const r = await drctl("--endpoint-url", env.emulator.endpoint, "failover", ...argv, "--runbook", file);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim()).toBe(
        `drctl: ${file}:12:49: steps[1].params.parameters./app/typo/endpoint: \${steps.nope.outputs.endpoint}: no step "nope" in this runbook`,
      );
    }
    expect(await standbyState()).toEqual(before);
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    expect(await journal.runs()).toEqual([]);
    expect(await journal.lockOf("web-typo")).toBeUndefined();
    journal.close();
  });

  it("resumes with --runbook edited where the run had not acted (the edit journaled), and refuses one that changed a step that acted", async () => {
    const text = `version: 1
name: edited
application: web-edited
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/edited-run/first: "1" } }
  - id: scale
    kind: autoscaling.set-capacity
    after: [write]
    params: { group: edited-typo, min: 0, desired: 1, max: 1 }
  - id: last
    kind: ssm.put-parameters
    after: [scale]
    params: { parameters: { /app/edited-run/last: "\${steps.scale.outputs.previousDesired}" } }
`;
    const file = runbookFile(text);
    const endpoint = ["--endpoint-url", env.emulator.endpoint];
    const first = await drctl(...endpoint, "failover", "run", "--runbook", file, "--execute");
    expect(first.code, first.stderr).toBe(3);
    const runId = /run (run-\S+): failed/.exec(first.stdout)?.[1] ?? "";
    expect(first.stdout).toMatch(/scale\s+failed/);
    const { AutoScalingClient: Asg, CreateAutoScalingGroupCommand } =
      await import("@aws-sdk/client-auto-scaling");
    await aws.get(Asg, "us-west-2").send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "edited-fixed",
        LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" },
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: ["us-west-2a"],
      }),
    );
    const fixedText = text.replace("edited-typo", "edited-fixed").replace("last: ", "last-value: ");
    const group = async () =>
      (
        await aws
          .get(AutoScalingClient, "us-west-2")
          .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["edited-fixed"] }))
      ).AutoScalingGroups?.[0]?.DesiredCapacity;

    // A step that acted (write) edited too: refused naming it, nothing changed.
    const changedActed = runbookFile(fixedText.replace('first: "1"', 'first: "2"'));
    const refused = await drctl(
      ...endpoint,
      "runbook",
      "resume",
      runId,
      "--runbook",
      changedActed,
      "--execute",
    );
    expect(refused.code, refused.stdout).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `the runbook ${changedActed} changed since run ${runId} began \\(sha256 \\w+ then, \\w+ now\\): step "write" changed, and it has already acted`,
      ),
    );
    expect(await group()).toBe(0);
    expect((await standbyState()).parameters["/app/edited-run/first"]).toBe("1");

    // Only the steps that had not acted (scale failed before acting, last never ran): the run goes on.
    const fixed = runbookFile(fixedText);
    const failbackPlan = await drctl(...endpoint, "failback", "plan", "--from", runId, "--runbook", fixed);
    expect(failbackPlan.code, failbackPlan.stderr).toBe(0);
    expect(failbackPlan.stderr + failbackPlan.stdout).toMatch(
      /step "scale", "last" edited, none of which had acted/,
    );
    const resumed = await drctl(...endpoint, "runbook", "resume", runId, "--runbook", fixed, "--execute");
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await group()).toBe(1);
    const state = await standbyState();
    expect(state.parameters["/app/edited-run/last-value"]).toBe("0");
    expect(state.parameters["/app/edited-run/last"]).toBeUndefined();
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    expect((await journal.events(runId)).map((e) => e.what)).toContainEqual(
      expect.stringMatching(
        /^the runbook \S+ changed since the run began \(sha256 \w{12} then, \w{12} now\): step "scale", "last" edited, none of which had acted; the steps that acted are unchanged \(write\)$/,
      ),
    );
    expect((await journal.steps(runId)).map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["write", "succeeded", 1],
      ["scale", "succeeded", 2],
      ["last", "succeeded", 1],
    ]);
    journal.close();
    // The run's failback takes the edited text, every step of it having acted as it says.
    const back = await drctl(
      ...endpoint,
      "failback",
      "run",
      "--from",
      runId,
      "--runbook",
      fixed,
      "--execute",
    );
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await group()).toBe(0);
  }, 60_000);

  it("reports a malformed runbook at its file position", async () => {
    const file = runbookFile(
      "version: 1\nname: x\napplication: a\nregion: us-west-2\nsteps:\n  - id: a\n    kind: sleep\n    after: [ghost]\n",
    );
    const r = await drctl("failover", "plan", "--runbook", file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `drctl: ${file}:8:12: steps[0].after: step "a" runs after "ghost", which is not a step of this runbook`,
    );
  });
});

describe("rds.promote-read-replica", () => {
  it("refuses a replica further behind than allowed, then promotes it once it caught up; promoting again is success", async () => {
    const { RDSClient, DescribeDBInstancesCommand, CreateDBInstanceReadReplicaCommand } =
      await import("@aws-sdk/client-rds");
    // A replica of its own, so the order of the tests does not matter.
    const source = (
      await aws
        .get(RDSClient, "us-east-1")
        .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "app-db" }))
    ).DBInstances?.[0]?.DBInstanceArn;
    await aws.get(RDSClient, "us-west-2").send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: "app-db-replica-2",
        SourceDBInstanceIdentifier: source,
        DBInstanceClass: "db.t3.micro",
      }),
    );
    const proxy = await workaroundProxy(env.emulator.endpoint);
    try {
      const via = await env.clients({ endpointUrl: proxy.endpoint });
      // The lag is put in by the test's own clients: only the runbook's calls go through `via`.
      const lag = (seconds: number, minutesAgo: number) =>
        recordReplicaLag(aws, "us-west-2", "app-db-replica-2", seconds, minutesAgo);
      await lag(2000, 3);
      const file = runbookFile(`version: 1
name: promote
application: db
region: us-west-2
rtoMinutes: 15
steps:
  - id: promote
    kind: rds.promote-read-replica
    params: { instance: app-db-replica-2, maxLagSeconds: 900 }
  - id: endpoint
    kind: ssm.put-parameters
    after: [promote]
    params: { parameters: { /app/db2/endpoint: "\${steps.promote.outputs.endpoint}" } }
`);
      const journal = SqliteJournal.open(join(home, "journal.sqlite"));
      const first = await executeRunbook(via, journal, loadRunbook(STEP_KINDS, file));
      expect(first.steps.map((s) => [s.stepId, s.status])).toEqual([
        ["promote", "failed"],
        ["endpoint", "pending"],
      ]);
      expect(first.steps[0]?.error).toMatch(
        /refused: app-db-replica-2 is 2000 s behind, more than the 900 s allowed/,
      );
      await lag(4, 1);
      const resumed = await executeRunbook(via, journal, loadRunbook(STEP_KINDS, file), {
        resumeRunId: first.run.runId,
      });
      expect(resumed.run.status).toBe("succeeded");
      const db = (
        await via
          .get(RDSClient, "us-west-2")
          .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "app-db-replica-2" }))
      ).DBInstances?.[0];
      expect(db?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
      expect((await standbyState()).parameters["/app/db2/endpoint"]).toBe(db?.Endpoint?.Address);
      // Already promoted: a new run succeeds without promoting again.
      const again = await executeRunbook(via, journal, loadRunbook(STEP_KINDS, file));
      expect(again.run.status).toBe("succeeded");
      journal.close();
    } finally {
      await proxy.stop();
    }
  });
});

describe("approval steps", () => {
  const approvalRunbook = (application: string, timeoutSeconds: number) =>
    runbookFile(`version: 1
name: approve
application: ${application}
region: us-west-2
steps:
  - id: go
    kind: approval
    params: { message: "fail the shop over?" }
    timeoutSeconds: ${timeoutSeconds}
  - id: record
    kind: ssm.put-parameters
    after: [go]
    params: { parameters: { /app/${application}/approved-by: "\${steps.go.outputs.approvedBy}" } }
`);

  it("stop the run when nobody approves in time; approved later, the run resumes", async () => {
    const file = approvalRunbook("approve-late", 1);
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    const first = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    expect(first.steps.map((s) => [s.stepId, s.status])).toEqual([
      ["go", "failed"],
      ["record", "pending"],
    ]);
    expect(first.steps[0]?.error).toMatch(
      /not approved before the step's timeout; approve with drctl runbook approve run-\S+ go and resume the run/,
    );
    const approve = await drctl("runbook", "approve", first.run.runId, "go", "--by", "oncall@example.com");
    expect(approve.code).toBe(0);
    const resumed = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file), {
      resumeRunId: first.run.runId,
    });
    expect(resumed.run.status).toBe("succeeded");
    expect((await standbyState()).parameters["/app/approve-late/approved-by"]).toBe("oncall@example.com");
    journal.close();
  });

  it("hold a running run until approved", async () => {
    const file = approvalRunbook("approve-live", 60);
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    const running = executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    const deadline = Date.now() + 10_000;
    let runId = "";
    while (Date.now() < deadline) {
      const run = (await journal.runs())[0];
      if (run && (await journal.steps(run.runId))[0]?.status === "running") {
        runId = run.runId;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(runId).not.toBe("");
    expect((await drctl("runbook", "approve", runId, "go", "--by", "dr-lead")).code).toBe(0);
    const done = await running;
    expect(done.run.status).toBe("succeeded");
    expect(done.steps[0]?.outputs.approvedBy).toBe("dr-lead");
    journal.close();
  });
});

describe("a run started with --wait-for-approval", () => {
  it("changes nothing until its start is approved, and draws its steps as a live list on a terminal", async () => {
    const file = runbookFile(`version: 1
name: gated
application: web-gated
region: us-west-2
rtoMinutes: 5
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/gated/written: "yes" } }
`);
    const screen: string[] = [];
    const stdout: string[] = [];
    const running = runCli(
      [
        "--endpoint-url",
        env.emulator.endpoint,
        "failover",
        "run",
        "--runbook",
        file,
        "--execute",
        "--wait-for-approval",
      ],
      {
        out: (t) => stdout.push(t),
        err: (t) => screen.push(t),
        terminal: { columns: 100, write: (t) => screen.push(t) },
      },
    );
    let runId = "";
    for (let i = 0; i < 100 && !runId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const journal = SqliteJournal.open(join(home, "journal.sqlite"));
      const run = (await journal.runs())[0];
      if (run && (await journal.steps(run.runId))[0]?.status === "running") runId = run.runId;
      journal.close();
    }
    expect(runId).not.toBe("");
    expect((await standbyState()).parameters["/app/gated/written"]).toBeUndefined();
    expect((await drctl("runbook", "approve", runId, "approve-start", "--by", "dr-lead")).code).toBe(0);
    expect(await running).toBe(0);
    expect((await standbyState()).parameters["/app/gated/written"]).toBe("yes");
    expect(stdout.join("")).toMatch(/approve-start\s+succeeded .*\n\s+write\s+succeeded/);
    expect(stdout.join("")).toMatch(
      /RTO target 5 min: met\ncritical path \(the steps alone\): approve-start -> write = \d+\.\d s/,
    );
    // The list was drawn, redrawn in place (cursor up, clear) and left with both steps done.
    const drawn = screen.join("");
    expect(drawn).toContain("\u001b[2F\u001b[J");
    expect(drawn).toMatch(
      /waiting for approval: start gated; approve with: drctl runbook approve run-\S+ approve-start/,
    );
    const last = drawn.slice(drawn.lastIndexOf("\u001b[J") + 3);
    expect(last).toMatch(/^ {2}✔ approve-start succeeded +\d+\.\ds.*\n {2}✔ write +succeeded +\d+\.\ds/);
  });
});

describe("route53.health-check", () => {
  it("inverts the old primary's health check as a fence, by the domain it checks, and records the previous setting", async () => {
    const { Route53Client, ListHealthChecksCommand } = await import("@aws-sdk/client-route-53");
    const r53 = aws.get(Route53Client, "us-east-1");
    const check = (await r53.send(new ListHealthChecksCommand({}))).HealthChecks?.[0];
    const domain = check?.HealthCheckConfig?.FullyQualifiedDomainName ?? "";
    expect(domain).toMatch(/elb\.amazonaws\.com$/);
    const file = runbookFile(`version: 1
name: fence
application: fence
region: us-east-1
steps:
  - id: fence-dns
    kind: route53.health-check
    params: { healthCheck: ${domain}, inverted: true }
`);
    const plan = await drctl("failover", "plan", "--runbook", file);
    expect(plan.stdout).toMatch(
      /health check \S+: not inverted, enabled\n\s+-> health check \S+: inverted, enabled/,
    );
    const journal = SqliteJournal.open(join(home, "journal.sqlite"));
    const done = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    journal.close();
    expect(done.steps[0]?.outputs).toMatchObject({ healthCheckId: check?.Id, previousInverted: "false" });
    const { GetHealthCheckCommand } = await import("@aws-sdk/client-route-53");
    const after = await r53.send(new GetHealthCheckCommand({ HealthCheckId: check?.Id }));
    expect(after.HealthCheck?.HealthCheckConfig?.Inverted).toBe(true);
  });
});

describe("the operations the step kinds declare", () => {
  it("include every AWS operation the runbooks above called (the README and the deployment policy come from these)", () => {
    expect(recorder.calls.size).toBeGreaterThan(3);
    expect(undeclaredBy(recorder.calls, "failover, failback, runbook resume")).toEqual([]);
  });
});
