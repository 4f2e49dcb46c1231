import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { LockHeldError, type Journal } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/store/dynamodb.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();

/** What every journal must do, whatever it is stored in. */
async function contract(journal: Journal, other: Journal) {
  const started = "2026-11-21T10:00:00.000Z";
  await journal.lock("web", "run-a");
  await journal.lock("web", "run-a"); // the holder again (a resume): fine
  // Another process (another holder) is refused, naming the run and holder.
  await expect(other.lock("web", "run-b")).rejects.toThrow(LockHeldError);
  await expect(other.lock("web", "run-b")).rejects.toThrow(
    /another run holds the lock for application "web": run run-a by .+ since 20\d\d-/,
  );
  await other.lock("api", "run-b"); // another application: its own lock

  await journal.startRun(
    {
      runId: "run-a",
      runbook: "failover",
      file: "f.yaml",
      application: "web",
      hash: "h",
      startedAt: started,
    },
    ["one", "two", "three"],
  );
  await journal.startRun(
    {
      runId: "run-0",
      runbook: "older",
      file: "f.yaml",
      application: "x",
      hash: "h",
      startedAt: "2026-11-20T10:00:00.000Z",
    },
    ["only"],
  );
  expect((await journal.runs()).map((r) => r.runId)).toEqual(["run-a", "run-0"]);
  expect((await journal.steps("run-a")).map((s) => [s.stepId, s.status, s.attempts])).toEqual([
    ["one", "pending", 0],
    ["two", "pending", 0],
    ["three", "pending", 0],
  ]);
  await journal.stepStarted("run-a", "one", "(reading)");
  await journal.stepPlanned("run-a", "one", "0 -> 2", { group: "web", desired: 2 });
  await journal.stepFinished("run-a", "one", { status: "succeeded", outputs: { previousDesired: "0" } });
  await journal.stepStarted("run-a", "two", "(reading)");
  await journal.stepFinished("run-a", "two", { status: "failed", error: "boom" });
  await journal.stepStarted("run-a", "two", "(reading)");
  await journal.stepFinished("run-a", "two", { status: "pending", error: "interrupted" });
  const steps = await journal.steps("run-a");
  expect(steps[0]).toMatchObject({
    stepId: "one",
    status: "succeeded",
    attempts: 1,
    plan: "0 -> 2",
    inputs: { group: "web", desired: 2 },
    outputs: { previousDesired: "0" },
    error: null,
  });
  expect(steps[0]?.startedAt).toMatch(/^20\d\d-/);
  expect(steps[1]).toMatchObject({ stepId: "two", status: "pending", attempts: 2, error: "interrupted" });
  // The interrupted attempt goes on: same start, same attempt count.
  await new Promise((r) => setTimeout(r, 5));
  await journal.stepStarted("run-a", "two", "(reading)", true);
  const continued = (await journal.steps("run-a"))[1];
  expect(continued).toMatchObject({
    status: "running",
    attempts: 2,
    startedAt: steps[1]?.startedAt,
    error: null,
  });
  await journal.stepFinished("run-a", "two", { status: "pending", error: "interrupted" });

  await journal.approve("run-a", "three", "alice");
  await journal.approve("run-a", "three", "bob"); // the first approval stands
  expect(await journal.approval("run-a", "three")).toMatchObject({ by: "alice" });
  expect(await journal.approval("run-a", "two")).toBeUndefined();
  await expect(journal.approve("run-a", "nope", "alice")).rejects.toThrow(/run run-a has no step nope/);

  await journal.finishRun("run-a", "failed");
  expect(await journal.run("run-a")).toMatchObject({ status: "failed", application: "web", hash: "h" });
  expect(await journal.run("run-missing")).toBeUndefined();
  // A failback of run-a takes its lock over; then run-a cannot release it.
  await other.lock("web", "run-undo", "run-a");
  await journal.unlock("web", "run-a");
  await expect(journal.lock("web", "run-c")).rejects.toThrow(/run run-undo/);
  await other.unlock("web", "run-undo");
  await journal.lock("web", "run-c");
}

describe("runbook journal", () => {
  it("SQLite: keeps runs, steps, approvals and the lock", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "journal.sqlite");
    const a = SqliteJournal.open(file);
    const b = SqliteJournal.open(file);
    try {
      await contract(a, b);
    } finally {
      a.close();
      b.close();
    }
  });

  it("DynamoDB: the same, with conditional writes for the lock", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-history", "us-east-1");
    await contract(
      new DynamoDbJournal(aws, "drctl-history", "us-east-1", "lambda drctl-runbook request 1"),
      new DynamoDbJournal(aws, "drctl-history", "us-east-1", "pid 42 on laptop"),
    );
  });
});
