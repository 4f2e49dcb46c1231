/**
 * The runbook commands as a new user meets them: plans that say what a run would refuse, RTO
 * verdicts from the elapsed time, typos and misdirected approvals refused with exit 2, a run
 * found again with `runbook list`, failbacks of an edited runbook, a journal of an older drctl.
 */
import { STEP_KINDS } from "../src/catalog.js";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import Database from "better-sqlite3";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { loadRunbook } from "../src/runbook/load.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let aws: AwsClients;
let home: string;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

function runbookFile(text: string, name = "runbook.yaml"): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), name);
  writeFileSync(file, text);
  return file;
}

const journal = () => SqliteJournal.open(join(home, "journal.sqlite"));
const parameter = async (name: string) =>
  (await aws.get(SSMClient, "us-west-2").send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 1 });
});

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "drctl-home-"));
  process.env.DRCTL_HOME = home;
});

describe("plans say what a run would refuse or fail", () => {
  it("names a replica whose name is taken and a group that does not exist, exit 1; printed values are made safe", async () => {
    await aws.get(SSMClient, "us-west-2").send(
      new PutParameterCommand({
        Name: "/app/odd/banner",
        Value: "\u001b[2Jred\u202ealert",
        Type: "String",
      }),
    );
    const file = runbookFile(`version: 1
name: odd
application: odd
region: us-east-1
steps:
  - id: replicate
    kind: rds.create-read-replica
    params: { instance: app-db, source: "arn:aws:rds:us-west-2:123456789012:db:app-db-replica" }
  - id: scale
    kind: autoscaling.set-capacity
    params: { group: no-such-group, min: 1, desired: 1, max: 1 }
  - id: banner
    kind: ssm.put-parameters
    region: us-west-2
    params: { parameters: { /app/odd/banner: calm } }
`);
    const plan = await drctl("failover", "plan", "--runbook", file);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toMatch(
      /replicate \[rds.create-read-replica in us-east-1\]\n\s+app-db exists and stands alone\n\s+would fail: app-db already exists and stands alone; choose another name or remove it/,
    );
    expect(plan.stdout).toMatch(
      /scale \[autoscaling.set-capacity in us-east-1\]\n\s+would fail: Auto Scaling group no-such-group not found in us-east-1/,
    );
    expect(plan.stdout).toMatch(/the run would stop at: replicate \(would fail\), scale \(would fail\)/);
    // What came from AWS reaches the terminal without its control characters and bidi overrides.
    expect(plan.stdout).toContain("/app/odd/banner=[2Jredalert");
    expect(plan.stdout.includes("\u001b") || plan.stdout.includes("\u202e")).toBe(false);
  });
});

describe("bad input", () => {
  const file = () =>
    runbookFile(`version: 1
name: typo
application: typo
region: us-west-2
config: { replica: app-db-replica, group: web }
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/typo/replica: "\${config.replica}" } }
`);

  it("refuses a --set key the runbook does not have, naming the keys it has", async () => {
    const f = file();
    for (const command of [["plan"], ["run", "--execute"]]) {
      const r = await drctl("failover", ...command, "--runbook", f, "--set", "replca=app-db-replica-2");
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `drctl: ${f}: no config key "replca" to set (the runbook's config: keys are replica, group)`,
      );
    }
  });

  it("refuses an http.check URL with a user or password at its line, printing the password nowhere", async () => {
    const f = runbookFile(`version: 1
name: check with credentials
application: typo
region: us-west-2
steps:
  - id: check
    kind: http.check
    params:
      url: https://probe:Hunter2-pw@app.example.com/health
      expectStatus: 200
`);
    for (const command of [["plan"], ["run", "--execute"]]) {
      const r = await drctl("failover", ...command, "--runbook", f);
      expect(r.stdout + r.stderr).not.toContain("Hunter2-pw");
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `drctl: ${f}:9:12: steps[0].params.url: expected a URL without a user or password (a URL is printed, journaled and stored; credentials in it would be too)`,
      );
    }
    expect(readdirSync(home)).not.toContain("journal.sqlite");
  });

  it("refuses to approve a step that is no gate, a gate the run has not reached, a run that has succeeded", async () => {
    const gated = runbookFile(`version: 1
name: gates
application: gates
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/gates/one: "1" } }
  - id: later
    kind: approval
    after: [write]
    params: { message: "later" }
    timeoutSeconds: 1
  - id: final
    kind: approval
    after: [later]
    params: { message: "final" }
    timeoutSeconds: 1
`);
    const r = await drctl("failover", "run", "--runbook", gated, "--execute");
    expect(r.code).toBe(3);
    const runId = /run (run-\S+): failed/.exec(r.stdout)?.[1] ?? "";
    const notGate = await drctl("runbook", "approve", runId, "write");
    expect(notGate.code).toBe(2);
    expect(notGate.stderr).toMatch(
      /write is a ssm.put-parameters step, not an approval gate \(this run's gates: later, final\)/,
    );
    const unknown = await drctl("runbook", "approve", runId, "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/run \S+ has no step nope \(its steps: write, later, final\)/);
    const notYet = await drctl("runbook", "approve", runId, "final");
    expect(notYet.code).toBe(2);
    expect(notYet.stderr).toMatch(/does not wait on final yet \(the run has not reached it\)/);
    const done = await drctl("runbook", "approve", runId, "later", "--done");
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/--done decides a step in doubt; later of \S+ is failed/);
    // A gate that timed out: approving it is how the run goes on (then the next gate times out).
    expect((await drctl("runbook", "approve", runId, "later", "--by", "dr-lead")).code).toBe(0);
    expect((await drctl("runbook", "resume", runId, "--execute")).code).toBe(3);
    expect((await drctl("runbook", "approve", runId, "final", "--by", "dr-lead")).code).toBe(0);
    expect((await drctl("runbook", "resume", runId, "--execute")).code).toBe(0);
    const finished = await drctl("runbook", "approve", runId, "later");
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/run \S+ has succeeded: nothing in it waits for approval/);
  });
});

describe("the RTO verdict and finding runs again", () => {
  it("is the elapsed time, never met by a run that failed; runbook list shows runs newest first with their lock", async () => {
    const failing = runbookFile(`version: 1
name: failing
application: failing
region: us-west-2
rtoMinutes: 30
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/failing/one: "1" } }
  - id: scale
    kind: autoscaling.set-capacity
    after: [write]
    params: { group: not-there, min: 0, desired: 0, max: 1 }
`);
    const r = await drctl("failover", "run", "--runbook", failing, "--execute");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /elapsed \d+\.\d s from the start to the end \(waits, approvals and resumes included\); RTO target 30 min: not met \(the run is failed\)\ncritical path \(the steps alone\): write -> scale = \d+\.\d s/,
    );
    const runId = /run (run-\S+): failed/.exec(r.stdout)?.[1] ?? "";
    const status = await drctl("runbook", "status", runId);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/RTO target 30 min: not met \(the run is failed\)/);
    expect(status.stdout).toMatch(new RegExp(`resume with: drctl runbook resume ${runId} --execute`));

    const ok = runbookFile(`version: 1
name: fine
application: fine
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/fine/one: "1" } }
`);
    expect((await drctl("failover", "run", "--runbook", ok, "--execute")).code).toBe(0);
    const list = await drctl("runbook", "list");
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+APPLICATION\s+STATUS\s+STARTED\s+LOCK$/);
    expect(lines[1]).toMatch(/^run-\S+\s+fine\s+succeeded\s+20\S+\s+-$/);
    // The failed run keeps its application; no process runs it any more.
    expect(lines[2]).toMatch(
      new RegExp(
        `^${runId}\\s+failing\\s+failed\\s+20\\S+\\s+pid \\d+ on \\S+, lease ended \\(no process runs it\\)$`,
      ),
    );
    const json = JSON.parse((await drctl("--json", "runbook", "list")).stdout) as {
      runs: { runId: string; lock: { runId: string } | null }[];
    };
    expect(json.runs.map((x) => [x.runId === runId, x.lock?.runId === runId])).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});

describe("failback --from", () => {
  it("refuses a runbook edited since the run, naming its unmatched steps, and takes a copy of the text the run used", async () => {
    const text = `version: 1
name: edited later
application: edited
region: us-west-2
steps:
  - id: mark
    kind: ssm.put-parameters
    params: { parameters: { /app/edited/mode: "$\${ssm:/not/a/reference}" } }
`;
    const file = runbookFile(text, "failover.yaml");
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // "$${" is a literal: the parameter holds the text, not a resolved value.
    expect(await parameter("/app/edited/mode")).toBe("${ssm:/not/a/reference}");
    const runId = /run (run-\S+): succeeded/.exec(r.stdout)?.[1] ?? "";
    writeFileSync(file, text.replace("id: mark", "id: mark-mode"));
    const refused = await drctl("failback", "plan", "--from", runId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `the runbook ${file} changed since run ${runId} began \\(sha256 \\w+ then, \\w+ now\\): a run's steps cannot be added, removed or renamed \\(in the run, not in the runbook: "mark"; in the runbook, not in the run: "mark-mode"\\)\\. Restore it as it was, or start a new run; or give --runbook COPY`,
      ),
    );
    const copy = runbookFile(text, "copy.yaml");
    const back = await drctl("failback", "run", "--from", runId, "--runbook", copy, "--execute");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const failback = readFileSync(join(home, "runbooks", `failback-${runId}.yaml`), "utf8");
    expect(failback).toMatch(/remove:\n\s+- \/app\/edited\/mode/);

    // A recorded value with "${" in it comes back as that text, not as a reference resolved again.
    await aws.get(SSMClient, "us-west-2").send(
      new PutParameterCommand({
        Name: "/app/edited/literal",
        Value: "${ssm:/app/db/password}",
        Type: "String",
      }),
    );
    const over = runbookFile(`version: 1
name: overwrite
application: edited
region: us-west-2
steps:
  - id: overwrite
    kind: ssm.put-parameters
    params: { parameters: { /app/edited/literal: plain } }
`);
    const second = await drctl("failover", "run", "--runbook", over, "--execute");
    expect(second.code, second.stderr).toBe(0);
    const secondId = /run (run-\S+): succeeded/.exec(second.stdout)?.[1] ?? "";
    expect((await drctl("failback", "run", "--from", secondId, "--execute")).code).toBe(0);
    expect(await parameter("/app/edited/literal")).toBe("${ssm:/app/db/password}");
  });
});

describe("a journal written by an older drctl", () => {
  it("resumes: a step it left running is in doubt, reconciled against the live state, or left to a person when only that can tell", async () => {
    const file = runbookFile(`version: 1
name: from an older drctl
application: older
region: us-west-2
steps:
  - id: scale
    kind: autoscaling.set-capacity
    params: { group: web, min: 0, desired: 0, max: 3 }
  - id: mark
    kind: ssm.put-parameters
    after: [scale]
    params: { parameters: { /app/older/mark: "1" } }
`);
    const { hash } = loadRunbook(STEP_KINDS, file);
    // The tables and rows as drctl 0.1 left them: the run's process died during "scale".
    const db = new Database(join(home, "journal.sqlite"));
    db.exec(`
      CREATE TABLE runs (run_id TEXT PRIMARY KEY, runbook TEXT, file TEXT, application TEXT, hash TEXT, started_at TEXT, finished_at TEXT, status TEXT);
      CREATE TABLE steps (run_id TEXT, step_id TEXT, seq INTEGER, status TEXT, started_at TEXT, finished_at TEXT, attempts INTEGER, outputs TEXT, error TEXT, plan TEXT, inputs TEXT, PRIMARY KEY (run_id, step_id));
      CREATE TABLE locks (application TEXT PRIMARY KEY, run_id TEXT, holder TEXT, acquired_at TEXT);
      CREATE TABLE approvals (run_id TEXT, step_id TEXT, by TEXT, at TEXT, PRIMARY KEY (run_id, step_id));`);
    db.prepare(
      "INSERT INTO runs VALUES ('run-older', 'from an older drctl', ?, 'older', ?, '2026-01-01T00:00:00.000Z', NULL, 'running')",
    ).run(file, hash);
    db.exec(`
      INSERT INTO steps VALUES ('run-older', 'scale', 0, 'running', '2026-01-01T00:00:01.000Z', NULL, 1, '{}', NULL, 'web min 0 desired 0 max 4 -> web min 0 desired 0 max 3', NULL);
      INSERT INTO steps VALUES ('run-older', 'mark', 1, 'pending', NULL, NULL, 0, '{}', NULL, NULL, NULL);`);
    db.close();
    // The group is not at the target: nothing happened, and an idempotent step is applied again.
    const resumed = await drctl("runbook", "resume", "run-older", "--execute");
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const j = journal();
    const steps = await j.steps("run-older");
    const events = await j.events("run-older");
    j.close();
    expect(steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["scale", "succeeded", 1],
      ["mark", "succeeded", 1],
    ]);
    expect(events.map((e) => e.what)).toContainEqual(
      expect.stringMatching(
        /^scale was in doubt: reconciled: capacity web min 0 desired 0 max 3 not applied yet/,
      ),
    );
    // A second run of that journal whose step had already changed the group: done, or was it so
    // before? Nothing says what was there before, so a person decides, and its undo is by hand.
    const old = new Database(join(home, "journal.sqlite"));
    old
      .prepare(
        "INSERT INTO runs (run_id, runbook, file, application, hash, started_at, finished_at, status) VALUES ('run-older-2', 'from an older drctl', ?, 'older', ?, '2026-01-02T00:00:00.000Z', NULL, 'running')",
      )
      .run(file, hash);
    old.exec(`
      INSERT INTO steps (run_id, step_id, seq, status, started_at, attempts, outputs, plan) VALUES ('run-older-2', 'scale', 0, 'running', '2026-01-02T00:00:01.000Z', 1, '{}', 'web min 0 desired 0 max 4 -> web min 0 desired 0 max 3');
      INSERT INTO steps (run_id, step_id, seq, status, attempts, outputs) VALUES ('run-older-2', 'mark', 1, 'pending', 0, '{}');`);
    old.close();
    const asked = await drctl("runbook", "resume", "run-older-2", "--execute");
    expect(asked.code).toBe(3);
    expect(asked.stdout).toMatch(
      /scale\s+in-doubt .* in doubt: capacity web min 0 desired 0 max 3 already holds, but this journal \(of an older drctl\) has no record of what was there before, so its undo is not known\. Decide:/,
    );
    expect((await drctl("runbook", "approve", "run-older-2", "scale", "--done", "--by", "oncall")).code).toBe(
      0,
    );
    expect((await drctl("runbook", "resume", "run-older-2", "--execute")).code).toBe(0);
    const plan = await drctl("failback", "plan", "--from", "run-older-2");
    expect(plan.stdout).toMatch(
      /undo-scale \[approval in us-west-2\] \(after undo-mark\)\n\s+not approved\n\s+-> approved by an operator: undo "scale" \(autoscaling.set-capacity\) by hand/,
    );

    // Back as it was, for the tests that follow.
    const { AutoScalingClient, UpdateAutoScalingGroupCommand } = await import("@aws-sdk/client-auto-scaling");
    await aws.get(AutoScalingClient, "us-west-2").send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: "web",
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 4,
      }),
    );
  });
});
