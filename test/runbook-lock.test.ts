/**
 * The owned lock as processes meet it: two resumes of one run, a holder killed on another
 * machine (its lease), a heartbeat that cannot be written, SIGTERM. Each runbook waits at an
 * approval gate, so what a test observes is a state (a step running, an event journaled, a
 * lease ended), never a duration.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import type { Journal } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { bundleCli } from "./harness/cli-bundle.js";
import { drctlProcess, until } from "./harness/drctl-process.js";
import { useEmulator } from "./harness/emulator.js";
import { DYNAMODB_THROTTLED, RecordingProxy } from "./harness/recording-proxy.js";

const env = useEmulator();
let aws: AwsClients;
let drctl: string[];
let home: string;
let proxy: RecordingProxy;

/** first (a parameter), a gate, last (a parameter): the run waits at the gate until approved. */
function gatedRunbook(application: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "gated.yaml");
  writeFileSync(
    file,
    `version: 1
name: gated ${application}
application: ${application}
region: us-west-2
steps:
  - id: first
    kind: ssm.put-parameters
    params: { parameters: { /app/${application}/first: "1" } }
  - id: gate
    kind: approval
    after: [first]
    params: { message: "go on?" }
    timeoutSeconds: 3600
  - id: last
    kind: ssm.put-parameters
    after: [gate]
    params: { parameters: { /app/${application}/last: "2" } }
`,
  );
  return file;
}

async function inProcess(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const sqlite = () => SqliteJournal.open(join(home, "journal.sqlite"));
async function withJournal<T>(open: () => Journal, use: (j: Journal) => Promise<T>): Promise<T> {
  const j = open();
  try {
    return await use(j);
  } finally {
    j.close();
  }
}
const latestRun = (open: () => Journal) => withJournal(open, async (j) => (await j.runs())[0]);
const stepOf = (open: () => Journal, runId: string, step: string) =>
  withJournal(open, async (j) => (await j.steps(runId)).find((s) => s.stepId === step));
const waitRunning = (open: () => Journal, runId: string, step: string) =>
  until(
    async () => ((await stepOf(open, runId, step))?.status === "running" ? true : undefined),
    `${step} running`,
  );
const parameter = async (name: string) =>
  (await aws.get(SSMClient, "us-west-2").send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

beforeAll(async () => {
  aws = await env.clients();
  drctl = bundleCli();
  proxy = await RecordingProxy.start(env.emulator.endpoint);
});

afterAll(() => proxy.stop());

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "drctl-home-"));
  process.env.DRCTL_HOME = home;
});

describe("the lock of a run", () => {
  it("lets one of two simultaneous resumes of a run go on; the other exits 3 naming it", async () => {
    const file = gatedRunbook("twice");
    const base = ["--endpoint-url", env.emulator.endpoint];
    const killed = await drctlProcess(drctl, [...base, "failover", "run", "--runbook", file, "--execute"], {
      DRCTL_HOME: home,
      DRCTL_CRASH_AT: "first:after-journal",
    }).exited;
    expect(killed.signal).toBe("SIGKILL");
    const runId = (await latestRun(sqlite))?.runId ?? "";
    const a = drctlProcess(drctl, [...base, "runbook", "resume", runId, "--execute"], { DRCTL_HOME: home });
    const b = drctlProcess(drctl, [...base, "runbook", "resume", runId, "--execute"], { DRCTL_HOME: home });
    // The one that loses cannot wait: it exits while the other waits at the gate.
    const first = await Promise.race([
      a.exited.then((r) => ({ r, other: b })),
      b.exited.then((r) => ({ r, other: a })),
    ]);
    expect(first.r.code, first.r.stderr).toBe(3);
    expect(first.r.stderr).toMatch(
      new RegExp(
        `run ${runId} of application "twice" is being run by another process: run ${runId} by pid ${first.other.child.pid} on \\S+ .* lease until \\S+; its lease runs`,
      ),
    );
    await waitRunning(sqlite, runId, "gate");
    expect((await inProcess("runbook", "approve", runId, "gate", "--by", "oncall")).code).toBe(0);
    const winner = await first.other.exited;
    expect(winner.code, winner.stdout + winner.stderr).toBe(0);
    const steps = await withJournal(sqlite, (j) => j.steps(runId));
    expect(steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["first", "succeeded", 1],
      ["gate", "succeeded", 1],
      ["last", "succeeded", 1],
    ]);
    expect(await parameter("/app/twice/last")).toBe("2");
  });

  it("takes over a killed holder's run on another machine once its lease ended, and not before", async () => {
    const file = gatedRunbook("lease");
    const holder = drctlProcess(
      drctl,
      ["--endpoint-url", env.emulator.endpoint, "failover", "run", "--runbook", file, "--execute"],
      // Its lock says another machine: whether its process is gone cannot be seen from here.
      { DRCTL_HOME: home, DRCTL_HOST_ID: "build-agent-7", DRCTL_LEASE_SECONDS: "10" },
    );
    const runId = await until(async () => (await latestRun(sqlite))?.runId, "the run");
    await waitRunning(sqlite, runId, "gate");
    holder.child.kill("SIGKILL");
    await holder.exited;
    const lock = await withJournal(sqlite, (j) => j.lockOf("lease"));
    expect(lock?.owner).toMatchObject({ host: "build-agent-7", pid: holder.child.pid });
    expect((await inProcess("runbook", "approve", runId, "gate", "--by", "oncall")).code).toBe(0);
    const until_ = new Date(lock?.leaseUntil ?? 0).toISOString();
    const early = await inProcess(
      "--endpoint-url",
      env.emulator.endpoint,
      "runbook",
      "resume",
      runId,
      "--execute",
    );
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(
      new RegExp(`by pid ${holder.child.pid} on build-agent-7 .* lease until ${until_}; its lease runs`),
    );
    // Expiry observed: the lease's end has passed by the clock.
    await until(() => (Date.now() > (lock?.leaseUntil ?? 0) ? true : undefined), "the lease to end");
    const late = await inProcess(
      "--endpoint-url",
      env.emulator.endpoint,
      "runbook",
      "resume",
      runId,
      "--execute",
    );
    expect(late.code, late.stdout + late.stderr).toBe(0);
    const events = await withJournal(sqlite, (j) => j.events(runId));
    expect(events.map((e) => e.what)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `took over from run ${runId} by pid ${holder.child.pid} on build-agent-7 .*: its lease ended at ${until_}`,
        ),
      ),
    );
    const steps = await withJournal(sqlite, (j) => j.steps(runId));
    expect(steps.map((s) => s.attempts)).toEqual([1, 1, 1]);
  });

  it("--force takes a live holder's lock at once, and the journal says who and why", async () => {
    const file = gatedRunbook("forced");
    const holder = drctlProcess(
      drctl,
      ["--endpoint-url", env.emulator.endpoint, "failover", "run", "--runbook", file, "--execute"],
      { DRCTL_HOME: home, DRCTL_HOST_ID: "laptop-of-alice", DRCTL_LEASE_SECONDS: "600" },
    );
    const runId = await until(async () => (await latestRun(sqlite))?.runId, "the run");
    await waitRunning(sqlite, runId, "gate");
    holder.child.kill("SIGKILL");
    await holder.exited;
    expect((await inProcess("runbook", "approve", runId, "gate", "--by", "bob")).code).toBe(0);
    const forced = await inProcess(
      "--endpoint-url",
      env.emulator.endpoint,
      "runbook",
      "resume",
      runId,
      "--execute",
      "--force",
      "alice's laptop died",
    );
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    const events = await withJournal(sqlite, (j) => j.events(runId));
    expect(events.map((e) => e.what)).toContainEqual(
      expect.stringMatching(
        /forced by \S+: alice's laptop died \(from run \S+ by pid \d+ on laptop-of-alice/,
      ),
    );
  });

  it("stops at the next step when its heartbeat cannot be written (DynamoDB throttled), resumable, nothing run twice", async () => {
    await DynamoDbHistory.createTable(aws, "drctl-heartbeat", "us-east-1");
    const store = "dynamodb://drctl-heartbeat?region=us-east-1";
    const journal = () => new DynamoDbJournal(aws, "drctl-heartbeat", "us-east-1");
    const file = gatedRunbook("heartbeat");
    const from = proxy.calls.length;
    process.env.DRCTL_LEASE_SECONDS = "3";
    try {
      const running = inProcess(
        "--endpoint-url",
        proxy.endpoint,
        "--store",
        store,
        "failover",
        "run",
        "--runbook",
        file,
        "--execute",
      );
      const runId = await until(async () => (await latestRun(journal))?.runId, "the run");
      await waitRunning(journal, runId, "gate");
      // From now on every renewal of the lock's lease is throttled, past the SDK's retries.
      proxy.answer = (c) =>
        c.operation === "DynamoDB.UpdateItem" && c.body.includes("LOCK#heartbeat")
          ? DYNAMODB_THROTTLED
          : undefined;
      await until(
        async () =>
          (await journal().events(runId)).some((e) => /could not be renewed/.test(e.what)) ? true : undefined,
        "the heartbeat to fail",
      );
      expect(
        (
          await inProcess(
            "--store",
            store,
            "--endpoint-url",
            env.emulator.endpoint,
            "runbook",
            "approve",
            runId,
            "gate",
          )
        ).code,
      ).toBe(0);
      const stopped = await running;
      expect(stopped.code).toBe(3);
      expect(stopped.stdout).toMatch(
        new RegExp(`run ${runId}: interrupted[\\s\\S]*resume with: drctl runbook resume ${runId} --execute`),
      );
      expect((await journal().steps(runId)).map((s) => [s.stepId, s.status, s.attempts])).toEqual([
        ["first", "succeeded", 1],
        ["gate", "succeeded", 1],
        ["last", "pending", 0],
      ]);
      proxy.answer = undefined;
      // Its lease ran out with the renewals: once ended, the run resumes where it stopped.
      const lock = await journal().lockOf("heartbeat");
      await until(() => (Date.now() > (lock?.leaseUntil ?? 0) ? true : undefined), "the lease to end");
      const resumed = await inProcess(
        "--endpoint-url",
        proxy.endpoint,
        "--store",
        store,
        "runbook",
        "resume",
        runId,
        "--execute",
      );
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      const puts = proxy
        .since(from)
        .filter((c) => c.operation === "SSM.PutParameter")
        .map((c) => (JSON.parse(c.body) as { Name: string }).Name);
      expect(puts).toEqual(["/app/heartbeat/first", "/app/heartbeat/last"]);
    } finally {
      proxy.answer = undefined;
      delete process.env.DRCTL_LEASE_SECONDS;
    }
  });

  it("stops at a safe point on SIGTERM, journals it interrupted, says how to resume, and leaves the lock to its lease", async () => {
    const file = gatedRunbook("sigterm");
    const run = drctlProcess(
      drctl,
      ["--endpoint-url", env.emulator.endpoint, "failover", "run", "--runbook", file, "--execute"],
      { DRCTL_HOME: home },
    );
    const runId = await until(async () => (await latestRun(sqlite))?.runId, "the run");
    await waitRunning(sqlite, runId, "gate");
    run.child.kill("SIGTERM");
    const out = await run.exited;
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(new RegExp(`SIGTERM: stopping ${runId} at the next safe point`));
    expect(out.stdout).toMatch(
      new RegExp(`run ${runId}: interrupted[\\s\\S]*resume with: drctl runbook resume ${runId} --execute`),
    );
    expect(await latestRun(sqlite)).toMatchObject({ status: "interrupted", finishedAt: null });
    expect((await stepOf(sqlite, runId, "gate"))?.status).toBe("pending");
    const lock = await withJournal(sqlite, (j) => j.lockOf("sigterm"));
    expect(lock).toMatchObject({ runId, owner: { pid: run.child.pid } });
    // Its process is gone from this host: a resume takes the lock over without waiting for the lease.
    expect((await inProcess("runbook", "approve", runId, "gate")).code).toBe(0);
    const resumed = await inProcess(
      "--endpoint-url",
      env.emulator.endpoint,
      "runbook",
      "resume",
      runId,
      "--execute",
    );
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await parameter("/app/sigterm/last")).toBe("2");
  });
});
