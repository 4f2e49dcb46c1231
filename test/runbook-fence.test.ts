/**
 * Fencing: a drctl process paused (SIGSTOP, not killed) past its lease, whose lock another process
 * took over meanwhile, wakes up (SIGCONT) to find it lost: it makes no further call and writes no
 * further journal record, and exits 3 saying so. On both journals (SQLite and DynamoDB). What the
 * tests wait for are states (a stop point reached, a lease's end passed, a run finished), never
 * durations; leases are made short with DRCTL_LEASE_SECONDS.
 */
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { fenceJournal } from "../src/runbook/fence.js";
import { acquireLock, LeaseLostError, processOwner, type Journal } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { bundleCli } from "./harness/cli-bundle.js";
import { drctlProcess, until } from "./harness/drctl-process.js";
import { useEmulator } from "./harness/emulator.js";
import { RecordingProxy } from "./harness/recording-proxy.js";

const env = useEmulator();
let aws: AwsClients;
let drctl: string[];
let proxy: RecordingProxy;

beforeAll(async () => {
  aws = await env.clients();
  drctl = bundleCli();
  proxy = await RecordingProxy.start(env.emulator.endpoint);
});

afterAll(() => proxy.stop());

const ssm = () => aws.get(SSMClient, "us-west-2");
const parameter = async (name: string) =>
  (await ssm().send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
const putParameter = (name: string, value: string) =>
  ssm().send(new PutParameterCommand({ Name: name, Value: value, Type: "String", Overwrite: true }));

function runbookFile(application: string, steps: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "failover.yaml");
  writeFileSync(
    file,
    `version: 1\nname: fenced ${application}\napplication: ${application}\nregion: us-west-2\nsteps:\n${steps}`,
  );
  return file;
}

/** Where a test's drctl processes keep their journal, and how the test reads it. */
interface Where {
  global: string[];
  env: Record<string, string>;
  open: () => Journal;
}

let tables = 0;
async function journalFor(kind: "sqlite" | "dynamodb"): Promise<Where> {
  const home = mkdtempSync(join(tmpdir(), "drctl-home-"));
  const base = { DRCTL_HOME: home, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
  if (kind === "sqlite")
    return {
      global: ["--endpoint-url", proxy.endpoint],
      env: base,
      open: () => SqliteJournal.open(join(home, "journal.sqlite")),
    };
  const table = `drctl-fence-${++tables}`;
  await DynamoDbHistory.createTable(aws, table, "us-east-1");
  return {
    global: ["--endpoint-url", proxy.endpoint, "--store", `dynamodb://${table}?region=us-east-1`],
    env: base,
    open: () => new DynamoDbJournal(aws, table, "us-east-1"),
  };
}

async function read<T>(where: Where, use: (j: Journal) => Promise<T>): Promise<T> {
  const j = where.open();
  try {
    return await use(j);
  } finally {
    j.close();
  }
}

/** Everything the journal holds of a run: its record, steps and events. */
const journaled = (where: Where, runId: string) =>
  read(where, async (j) => ({
    run: await j.run(runId),
    steps: await j.steps(runId),
    events: await j.events(runId),
  }));

/** Waits until the lock's lease, as journaled, has ended by the clock. */
async function leaseEnded(where: Where, application: string): Promise<void> {
  const lock = await read(where, (j) => j.lockOf(application));
  expect(lock?.leaseUntil).toBeTypeOf("number");
  await until(() => (Date.now() > (lock?.leaseUntil ?? 0) ? true : undefined), "the lease to end");
}

describe.each(["sqlite", "dynamodb"] as const)("fencing, %s journal", (kind) => {
  it("a run's clients refuse its mutating calls once its lock was taken over, before they are sent; reads go on", async () => {
    const app = `guard-${kind}`;
    const where = await journalFor(kind);
    const take = async (who: string, force?: { by: string; why: string }) => {
      const view = fenceJournal(where.open(), app, processOwner(who));
      await acquireLock(view, {
        application: app,
        runId: "run-guard",
        owner: view.owner,
        leaseMs: 60_000,
        force,
      });
      return view;
    };
    const stale = await take("paused");
    const runAws = aws.guarded(() => stale.check());
    const name = `/app/${app}/value`;
    await runAws
      .get(SSMClient, "us-west-2")
      .send(new PutParameterCommand({ Name: name, Value: "1", Type: "String" }));
    const other = await take("other", { by: "oncall", why: "the first process hangs" });
    const sent = aws.counter.byOperation["SSM.PutParameter"];
    await expect(
      runAws
        .get(SSMClient, "us-west-2")
        .send(new PutParameterCommand({ Name: name, Value: "2", Type: "String", Overwrite: true })),
    ).rejects.toThrow(LeaseLostError);
    expect(aws.counter.byOperation["SSM.PutParameter"]).toBe(sent);
    expect(await parameter(name)).toBe("1");
    // A read goes on; the holder's own clients write.
    const read = await runAws.get(SSMClient, "us-west-2").send(new GetParameterCommand({ Name: name }));
    expect(read.Parameter?.Value).toBe("1");
    await aws
      .guarded(() => other.check())
      .get(SSMClient, "us-west-2")
      .send(new PutParameterCommand({ Name: name, Value: "3", Overwrite: true }));
    expect(await parameter(name)).toBe("3");
    runAws.destroy();
    stale.close();
    other.close();
  });

  it("a process paused past its lease wakes after a takeover and a completed failback: the world stays as the failback left it, it exits 3 saying its lease was lost, and writes nothing more", async () => {
    const app = `fence-${kind}`;
    await putParameter(`/app/${app}/mode`, "primary");
    await putParameter(`/app/${app}/role`, "primary");
    const file = runbookFile(
      app,
      `  - id: first
    kind: ssm.put-parameters
    params: { parameters: { /app/${app}/mode: standby } }
  - id: second
    kind: ssm.put-parameters
    after: [first]
    params: { parameters: { /app/${app}/role: standby } }
`,
    );
    const where = await journalFor(kind);
    // Paused by itself once second's intent is journaled, before its call: a process frozen there.
    const stale = drctlProcess(drctl, [...where.global, "failover", "run", "--runbook", file, "--execute"], {
      ...where.env,
      DRCTL_STOP_AT: "second:before-call",
      DRCTL_LEASE_SECONDS: "2",
    });
    try {
      await until(
        () => (stale.output().stderr.includes("drctl: stop point second:before-call") ? true : undefined),
        "the failover to pause before second's call",
      );
      const runId = (await read(where, (j) => j.runs()))[0]?.runId ?? "";
      expect(await parameter(`/app/${app}/mode`)).toBe("standby");
      await leaseEnded(where, app);

      // Another process fails the run back: it takes the lock over (the lease ended) and finishes.
      const back = await drctlProcess(
        drctl,
        [...where.global, "failback", "run", "--from", runId, "--execute"],
        where.env,
      ).exited;
      expect(back.code, back.stdout + back.stderr).toBe(0);
      expect(await parameter(`/app/${app}/mode`)).toBe("primary");
      expect(await parameter(`/app/${app}/role`)).toBe("primary");
      const failback = (await read(where, (j) => j.runs())).find((r) => r.undoes === runId)?.runId ?? "";
      expect((await journaled(where, failback)).events.map((e) => e.what)).toContainEqual(
        expect.stringMatching(new RegExp(`took over from run ${runId} .*its lease ended`)),
      );
      const before = await journaled(where, runId);
      const from = proxy.calls.length;

      stale.child.kill("SIGCONT");
      const woke = await stale.exited;
      expect(woke.code, woke.stdout + woke.stderr).toBe(3);
      expect(woke.stderr).toMatch(/lease .*was lost/);
      // The world as the failback left it: not one mutating call reached AWS.
      expect(await parameter(`/app/${app}/mode`)).toBe("primary");
      expect(await parameter(`/app/${app}/role`)).toBe("primary");
      expect(proxy.since(from).map((c) => c.operation)).not.toContain("SSM.PutParameter");
      // Not one journal record more: its run, steps and events as they were.
      expect(await journaled(where, runId)).toEqual(before);
      expect(await read(where, (j) => j.lockOf(app))).toBeUndefined();
    } finally {
      stale.child.kill("SIGKILL");
    }
  }, 120_000);

  it("a process paused at an approval gate whose lease was taken over does not accept the approval when it wakes", async () => {
    const app = `gate-${kind}`;
    const file = runbookFile(
      app,
      `  - id: first
    kind: ssm.put-parameters
    params: { parameters: { /app/${app}/first: "1" } }
  - id: gate
    kind: approval
    after: [first]
    params: { message: "go on?" }
    timeoutSeconds: 3600
  - id: last
    kind: ssm.put-parameters
    after: [gate]
    params: { parameters: { /app/${app}/last: "2" } }
`,
    );
    const where = await journalFor(kind);
    const stale = drctlProcess(drctl, [...where.global, "failover", "run", "--runbook", file, "--execute"], {
      ...where.env,
      DRCTL_LEASE_SECONDS: "2",
    });
    try {
      const runId = await until(async () => (await read(where, (j) => j.runs()))[0]?.runId, "the run");
      await until(
        async () =>
          (await read(where, (j) => j.steps(runId))).find((s) => s.stepId === "gate")?.status === "running"
            ? true
            : undefined,
        "the gate to wait",
      );
      stale.child.kill("SIGSTOP");
      await leaseEnded(where, app);
      // Another process resumes the run (taking the lock over), is approved, and finishes it.
      const resumed = drctlProcess(
        drctl,
        [...where.global, "runbook", "resume", runId, "--execute"],
        where.env,
      );
      await until(
        async () =>
          (await read(where, (j) => j.lockOf(app)))?.owner?.pid === resumed.child.pid ? true : undefined,
        "the takeover",
      );
      const approved = await drctlProcess(
        drctl,
        [...where.global, "runbook", "approve", runId, "gate", "--by", "oncall"],
        where.env,
      ).exited;
      expect(approved.code, approved.stderr).toBe(0);
      const done = await resumed.exited;
      expect(done.code, done.stdout + done.stderr).toBe(0);
      const before = await journaled(where, runId);
      expect(before.run?.status).toBe("succeeded");
      const from = proxy.calls.length;

      // The stale process finds the approval given: it must not take it as its own.
      stale.child.kill("SIGCONT");
      const woke = await stale.exited;
      expect(woke.code, woke.stdout + woke.stderr).toBe(3);
      expect(woke.stderr).toMatch(/lease .*was lost/);
      expect(proxy.since(from).map((c) => c.operation)).not.toContain("SSM.PutParameter");
      expect(await journaled(where, runId)).toEqual(before);
      expect(await parameter(`/app/${app}/last`)).toBe("2");
    } finally {
      stale.child.kill("SIGKILL");
    }
  }, 120_000);
});
