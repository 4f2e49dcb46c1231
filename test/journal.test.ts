import { PutCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { fenceJournal } from "../src/runbook/fence.js";
import {
  acquireLock,
  LeaseLostError,
  LockHeldError,
  processOwner,
  type Journal,
  type LockOwner,
  type LockRecord,
} from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();

/** A pid that surely does not run any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

const run = (runId: string, application: string, startedAt: string) => ({
  runId,
  runbook: "failover",
  file: "f.yaml",
  application,
  hash: "h",
  startedAt,
  set: { replica: "db-2" },
  alarmAt: null,
  undoes: null,
});

/** What every journal must do, whatever it is stored in. */
async function contract(journal: Journal) {
  await journal.startRun(run("run-a", "web", "2026-11-21T10:00:00.000Z"), [
    { id: "one", kind: "autoscaling.set-capacity" },
    { id: "two", kind: "notify" },
    { id: "three", kind: "approval" },
  ]);
  await journal.startRun(run("run-0", "x", "2026-11-20T10:00:00.000Z"), [{ id: "only", kind: "sleep" }]);
  expect((await journal.runs()).map((r) => r.runId)).toEqual(["run-a", "run-0"]);
  expect(await journal.run("run-a")).toMatchObject({
    status: "running",
    format: 2,
    set: { replica: "db-2" },
  });
  expect(
    (await journal.steps("run-a")).map((s) => [s.stepId, s.kind, s.status, s.attempts, s.intent]),
  ).toEqual([
    ["one", "autoscaling.set-capacity", "pending", 0, null],
    ["two", "notify", "pending", 0, null],
    ["three", "approval", "pending", 0, null],
  ]);
  const intent = {
    before: { min: 0, desired: 0, max: 4 },
    plan: "web 0 -> 2",
    at: "2026-11-21T10:00:01.000Z",
  };
  await journal.updateStep("run-a", "one", {
    status: "running",
    startedAt: "2026-11-21T10:00:00.500Z",
    attempts: 1,
    plan: "(reading)",
  });
  await journal.updateStep("run-a", "one", {
    intent,
    plan: "web 0 -> 2",
    inputs: { group: "web", desired: 2 },
  });
  expect((await journal.steps("run-a"))[0]).toMatchObject({
    status: "running",
    intent,
    inputs: { group: "web" },
  });
  await journal.updateStep("run-a", "one", {
    intent: { ...intent, appliedAt: "2026-11-21T10:00:02.000Z", applied: {} },
  });
  await journal.updateStep("run-a", "one", {
    status: "succeeded",
    outputs: { previousDesired: "0" },
    finishedAt: "2026-11-21T10:00:03.000Z",
    error: null,
  });
  await journal.updateStep("run-a", "two", { status: "failed", error: "boom", attempts: 2 });
  await journal.updateStep("run-a", "two", { status: "in-doubt", error: null });
  const steps = await journal.steps("run-a");
  expect(steps[0]).toMatchObject({
    stepId: "one",
    status: "succeeded",
    attempts: 1,
    plan: "web 0 -> 2",
    outputs: { previousDesired: "0" },
    error: null,
    startedAt: "2026-11-21T10:00:00.500Z",
    intent: { ...intent, appliedAt: "2026-11-21T10:00:02.000Z" },
  });
  expect(steps[1]).toMatchObject({ stepId: "two", status: "in-doubt", attempts: 2, error: null });
  await expect(journal.updateStep("run-a", "nope", { status: "running" })).rejects.toThrow(/no step nope/);

  await journal.approve("run-a", "three", "alice");
  await journal.approve("run-a", "three", "bob"); // the first approval stands
  expect(await journal.approval("run-a", "three")).toMatchObject({ by: "alice" });
  expect(await journal.approval("run-a", "two")).toBeUndefined();
  await expect(journal.approve("run-a", "nope", "alice")).rejects.toThrow(/run run-a has no step nope/);
  // Decisions belong to one in-doubt attempt (its intent's time): a later one needs its own.
  await journal.decide("run-a", "two", "t1", "done", "carol");
  await journal.decide("run-a", "two", "t1", "redo", "dave");
  expect(await journal.decision("run-a", "two", "t1")).toMatchObject({ decision: "done", by: "carol" });
  expect(await journal.decision("run-a", "two", "t2")).toBeUndefined();

  await journal.addEvent("run-a", "first");
  await journal.addEvent("run-a", "second");
  expect((await journal.events("run-a")).map((e) => e.what)).toEqual(["first", "second"]);
  await journal.updateRun("run-a", { status: "failed", finishedAt: "2026-11-21T10:05:00.000Z" });
  expect(await journal.run("run-a")).toMatchObject({ status: "failed", application: "web", hash: "h" });
  await journal.updateRun("run-a", { status: "running", finishedAt: null });
  expect(await journal.run("run-a")).toMatchObject({ status: "running", finishedAt: null });
  expect(await journal.run("run-missing")).toBeUndefined();
}

/**
 * The lock, on a clock the test moves: one run per application, one process per run, a lease
 * renewed by its holder, taken over once it ended (and not before) or its process is gone.
 */
async function lockContract(a: Journal, b: Journal) {
  let now = Date.parse("2026-11-21T10:00:00.000Z");
  const clock = () => now;
  const lease = 60_000;
  const first = processOwner("alice@laptop");
  const second = processOwner("bob@desk");
  const lock = (j: Journal, owner: LockOwner, runId: string, extra: object = {}) =>
    acquireLock(j, { application: "web", runId, owner, leaseMs: lease, now: clock, ...extra });

  expect(await lock(a, first, "run-a")).toBeUndefined();
  expect(await lock(a, first, "run-a")).toBeUndefined(); // the holder again: it renews
  // Another run of the application: refused while run-a holds it, lease or no lease.
  await expect(lock(b, second, "run-b")).rejects.toThrow(LockHeldError);
  await expect(lock(b, second, "run-b")).rejects.toThrow(
    /another run holds the lock for application "web": run run-a by pid \d+ on \S+ \(alice@laptop\) since 2026-11-21T10:00:00.000Z, lease until 2026-11-21T10:01:00.000Z/,
  );
  // The same run from another process (a second resume): refused while the lease runs.
  now += 30_000;
  await expect(lock(b, second, "run-a")).rejects.toThrow(
    /run run-a of application "web" is being run by another process: .* lease until 2026-11-21T10:01:00.000Z; its lease runs/,
  );
  // The holder renews: the lease moves on, still refused after the first one would have ended.
  expect(await a.renewLock("web", first.token, now + lease)).toBe(true);
  now += 45_000;
  await expect(lock(b, second, "run-a")).rejects.toThrow(/its lease runs/);
  // Not renewed any more: once it ended, the run may be taken over (and that is said).
  now += 16_000;
  expect(await lock(b, second, "run-a")).toMatch(
    /^took over from run run-a by pid \d+ .* its lease ended at 2026-11-21T10:01:30.000Z/,
  );
  // The old holder cannot renew what it lost, nor is another run let in.
  expect(await a.renewLock("web", first.token, now + lease)).toBe(false);
  await expect(lock(a, first, "run-c")).rejects.toThrow(/another run holds the lock/);
  // --force takes it from anyone, and says who and why.
  expect(await lock(a, first, "run-c", { force: { by: "alice", why: "bob's desk is on fire" } })).toMatch(
    /^forced by alice: bob's desk is on fire \(from run run-a by pid/,
  );
  // A failback waits for its failover like a resume does: refused while a live process runs it.
  await expect(lock(b, second, "run-undo-c", { undoes: "run-c" })).rejects.toThrow(
    /run run-c of application "web" is being run by another process: .*; its lease runs/,
  );
  // A failback of run-d takes its lock over once no process runs run-d (here: its process is gone).
  const gone = { ...processOwner("carol@this-host"), pid: deadPid() };
  await lock(a, gone, "run-d", { force: { by: "t", why: "set up" } });
  expect(await lock(b, second, "run-undo", { undoes: "run-d" })).toMatch(/process \d+ on \S+ is gone/);
  // run-d cannot release what its failback holds; the failback can.
  await a.unlock("web", "run-d");
  expect((await a.lockOf("web"))?.runId).toBe("run-undo");
  await b.unlock("web", "run-undo");
  expect(await a.lockOf("web")).toBeUndefined();
  // Another application has its own lock; the listing has both that were held.
  await acquireLock(a, { application: "api", runId: "run-e", owner: first, leaseMs: lease, now: clock });
  expect((await b.locks()).map((l) => [l.application, l.runId])).toEqual([["api", "run-e"]]);
}

/**
 * The fence: a run's writes carry the lock's owner token and generation, and the journal itself
 * refuses those of a holder whose lock was taken over (by another owner, or by a later turn of
 * the same owner), writing nothing of them. Two journals (a, b) are two processes.
 */
async function fenceContract(a: Journal, b: Journal) {
  let now = Date.parse("2026-11-22T10:00:00.000Z");
  const clock = () => now;
  const lease = 60_000;
  const alice = processOwner("alice@laptop");
  const bob = processOwner("bob@desk");
  const take = (j: Journal, owner: LockOwner) =>
    acquireLock(j, { application: "fenced", runId: "run-f", owner, leaseMs: lease, now: clock });
  const viewA = fenceJournal(a, "fenced", alice);
  await take(viewA, alice);
  await viewA.startRun(run("run-f", "fenced", "2026-11-22T10:00:00.000Z"), [{ id: "one", kind: "sleep" }]);
  await viewA.updateStep("run-f", "one", { status: "running", attempts: 1 });
  await viewA.addEvent("run-f", "alice's");
  await viewA.check(clock);
  const stale = viewA.fence;
  expect(stale).toMatchObject({ application: "fenced", token: alice.token, generation: 1 });

  // The lease ends unrenewed (alice's process paused): bob takes the run over.
  now += lease + 1;
  expect(await take(fenceJournal(b, "fenced", bob), bob)).toMatch(/^took over from run run-f/);
  const before = { steps: await b.steps("run-f"), events: await b.events("run-f") };
  const lost = /another process took it over: run run-f by pid \d+ on \S+ \(bob@desk\)/;
  await expect(a.updateStep("run-f", "one", { status: "succeeded" }, stale)).rejects.toThrow(LeaseLostError);
  await expect(a.addEvent("run-f", "stale", stale)).rejects.toThrow(lost);
  await expect(a.updateRun("run-f", { status: "succeeded", finishedAt: "x" }, stale)).rejects.toThrow(lost);
  await expect(a.decide("run-f", "one", "t", "done", "alice", stale)).rejects.toThrow(lost);
  await expect(
    a.startRun(run("run-g", "fenced", "2026-11-22T10:02:00.000Z"), [{ id: "one", kind: "sleep" }], stale),
  ).rejects.toThrow(lost);
  expect(await a.renewLock("fenced", alice.token, now + lease, stale.generation)).toBe(false);
  expect(await a.unlock("fenced", "run-f", stale)).toBe(false);
  // Nothing of them was written; the lock is bob's still.
  expect({ steps: await b.steps("run-f"), events: await b.events("run-f") }).toEqual(before);
  expect(await b.run("run-f")).toMatchObject({ status: "running" });
  expect(await b.decision("run-f", "one", "t")).toBeUndefined();
  expect(await b.run("run-g")).toBeUndefined();
  expect((await b.lockOf("fenced"))?.owner?.token).toBe(bob.token);

  // Alice's view knows it lost the lease at its first refusal: then refuses at once, never takes it back.
  await expect(viewA.addEvent("run-f", "stale")).rejects.toThrow(lost);
  expect(viewA.lost).toMatch(/another process took it over/);
  await expect(viewA.check(clock)).rejects.toThrow(LeaseLostError);
  await expect(take(viewA, alice)).rejects.toThrow(LockHeldError);
  now += lease + 1;
  await expect(take(viewA, alice)).rejects.toThrow(LeaseLostError);

  // The same owner taking the lock again (the next turn of a workflow, same token) fences the earlier turn.
  const turn1 = fenceJournal(b, "fenced", bob);
  const turn2 = fenceJournal(a, "fenced", bob);
  await take(turn1, bob);
  await turn1.addEvent("run-f", "turn 1");
  await take(turn2, bob);
  expect(turn2.fence.generation).toBe(turn1.fence.generation + 1);
  await turn2.addEvent("run-f", "turn 2");
  await expect(turn1.addEvent("run-f", "turn 1 again")).rejects.toThrow(
    /lease of the lock of application "fenced" was lost: another process took it over/,
  );
  expect((await b.events("run-f")).map((e) => e.what).slice(-2)).toEqual(["turn 1", "turn 2"]);

  // A lease that ended without a takeover (its process paused): checked before a call, it is renewed
  // conditionally, so a takeover that read the ended lease fails, and is refused when it reads again.
  const turn3 = fenceJournal(b, "fenced", bob);
  turn3.leaseMs = lease;
  await take(turn3, bob);
  now += lease + 1;
  const ended = await a.lockOf("fenced");
  await turn3.check(clock);
  expect((await a.lockOf("fenced"))?.leaseUntil).toBe(now + lease);
  const takeover = { ...(ended as LockRecord), owner: alice, generation: (ended?.generation ?? 0) + 1 };
  expect(await a.putLock(takeover, ended)).toBe(false);
  await expect(take(a, alice)).rejects.toThrow(/its lease runs/);
  await turn3.addEvent("run-f", "turn 3");

  // Freed by its holder: its own last writes (the end of its run) go on; the lock is gone.
  const turn4 = fenceJournal(b, "fenced", bob);
  await take(turn4, bob);
  expect(await turn4.unlock("fenced", "run-f")).toBe(true);
  await turn4.addEvent("run-f", "ended");
  expect(await b.lockOf("fenced")).toBeUndefined();
}

describe("runbook journal", () => {
  it("SQLite: keeps runs, steps with their intents, approvals, decisions and events, in a private file", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "home");
    const file = join(dir, "journal.sqlite");
    const a = SqliteJournal.open(file);
    try {
      await contract(a);
    } finally {
      a.close();
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("SQLite: the lock, its lease and takeovers", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "journal.sqlite");
    const a = SqliteJournal.open(file);
    const b = SqliteJournal.open(file);
    try {
      await lockContract(a, b);
    } finally {
      a.close();
      b.close();
    }
  });

  it("DynamoDB: the same, with conditional writes for the lock", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-history", "us-east-1");
    await contract(new DynamoDbJournal(aws, "drctl-history", "us-east-1"));
    await lockContract(
      new DynamoDbJournal(aws, "drctl-history", "us-east-1"),
      new DynamoDbJournal(aws, "drctl-history", "us-east-1"),
    );
  });

  it("SQLite: refuses the writes of a holder whose lock was taken over (a stale fence), in the transaction of the write", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "journal.sqlite");
    const a = SqliteJournal.open(file);
    const b = SqliteJournal.open(file);
    try {
      await fenceContract(a, b);
    } finally {
      a.close();
      b.close();
    }
  });

  it("DynamoDB: refuses the writes of a holder whose lock was taken over (a stale fence), by a condition on the lock item", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-fenced", "us-east-1");
    await fenceContract(
      new DynamoDbJournal(aws, "drctl-fenced", "us-east-1"),
      new DynamoDbJournal(aws, "drctl-fenced", "us-east-1"),
    );
  });

  it("opens a journal of an older drctl: its runs resumable, its lock row refused until forced (or its process is gone)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "journal.sqlite");
    // The tables as drctl 0.1 wrote them, with a run whose step was running when it stopped.
    const old = new Database(file);
    old.exec(`
      CREATE TABLE runs (run_id TEXT PRIMARY KEY, runbook TEXT, file TEXT, application TEXT, hash TEXT, started_at TEXT, finished_at TEXT, status TEXT);
      CREATE TABLE steps (run_id TEXT, step_id TEXT, seq INTEGER, status TEXT, started_at TEXT, finished_at TEXT, attempts INTEGER, outputs TEXT, error TEXT, plan TEXT, inputs TEXT, PRIMARY KEY (run_id, step_id));
      CREATE TABLE locks (application TEXT PRIMARY KEY, run_id TEXT, holder TEXT, acquired_at TEXT);
      CREATE TABLE approvals (run_id TEXT, step_id TEXT, by TEXT, at TEXT, PRIMARY KEY (run_id, step_id));
      INSERT INTO runs VALUES ('run-old', 'failover', 'f.yaml', 'web', 'h', '2026-01-01T00:00:00.000Z', NULL, 'running');
      INSERT INTO steps VALUES ('run-old', 'scale', 0, 'running', '2026-01-01T00:00:01.000Z', NULL, 1, '{}', NULL, 'web 0 -> 2', '{"group":"web"}');
      INSERT INTO locks VALUES ('web', 'run-old', 'lambda drctl-runbook request 7', '2026-01-01T00:00:00.000Z');
      INSERT INTO locks VALUES ('api', 'run-api', 'pid ${deadPid()} on ${(await import("node:os")).hostname()}', '2026-01-01T00:00:00.000Z');`);
    old.close();
    const journal = SqliteJournal.open(file);
    try {
      expect(await journal.run("run-old")).toMatchObject({ format: 1, set: {}, alarmAt: null });
      expect((await journal.steps("run-old"))[0]).toMatchObject({
        status: "running",
        kind: null,
        intent: null,
      });
      const owner = processOwner("alice");
      const take = (application: string, runId: string, extra = {}) =>
        acquireLock(journal, { application, runId, owner, leaseMs: 60_000, ...extra });
      await expect(take("web", "run-old")).rejects.toThrow(
        /run run-old by lambda drctl-runbook request 7 since 2026-01-01T00:00:00.000Z, no lease; its owner cannot be checked .* take over with --force/,
      );
      expect(
        await take("web", "run-old", { force: { by: "alice", why: "the old function is gone" } }),
      ).toMatch(/forced by alice/);
      // An old row naming a process of this host that is gone is taken over without --force.
      expect(await take("api", "run-api")).toMatch(/process \d+ on \S+ is gone/);
    } finally {
      journal.close();
    }
  });

  it("DynamoDB: a lock item whose owner it cannot read is refused, naming what it says", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-odd", "us-east-1");
    await DynamoDBDocumentClient.from(aws.get(DynamoDBClient, "us-east-1")).send(
      new PutCommand({
        TableName: "drctl-odd",
        Item: {
          PK: "LOCK#web",
          SK: "LOCK",
          runId: "run-x",
          holder: "someone's script",
          owner: "{not json",
          ownerToken: "t",
        },
      }),
    );
    const journal = new DynamoDbJournal(aws, "drctl-odd", "us-east-1");
    await expect(
      acquireLock(journal, { application: "web", runId: "run-x", owner: processOwner(), leaseMs: 1000 }),
    ).rejects.toThrow(/run run-x by someone's script since , no lease; its owner cannot be checked/);
  });
});
