import { describe, expect, it } from "vitest";
import type { FreshnessResult, StoreResult } from "../core/freshness-result.js";
import type { RunRecord, StepRecord } from "../runbook/journal.js";
import { STEP_KINDS } from "../catalog.js";
import { replicaSince, unreplicatedAfter } from "./replication.js";

const ARN = (region: string, id: string) => `arn:aws:rds:${region}:123456789012:db:${id}`;

const run = (runId: string, runbook: string): RunRecord => ({
  runId,
  runbook,
  file: `${runbook}.yaml`,
  application: "web",
  hash: "h",
  startedAt: "2026-12-01T10:00:00Z",
  finishedAt: "2026-12-01T11:00:00Z",
  status: "succeeded",
  format: 2,
  set: {},
  alarmAt: null,
  undoes: null,
});

const step = (
  stepId: string,
  kind: string,
  at: string,
  inputs: Record<string, unknown>,
  outputs: Record<string, string>,
  status: StepRecord["status"] = "succeeded",
): StepRecord => ({
  stepId,
  kind,
  status,
  startedAt: at,
  finishedAt: at,
  attempts: 1,
  outputs,
  error: null,
  plan: null,
  inputs,
  intent: null,
});

const failover = {
  run: run("run-1", "failover"),
  steps: [
    step(
      "promote-database",
      "rds.promote-read-replica",
      "2026-12-01T10:05:00Z",
      { instance: "app-db-replica" },
      { arn: ARN("us-west-2", "app-db-replica"), previousSource: ARN("us-east-1", "app-db") },
    ),
  ],
};

const failbackSteps = (restore: StepRecord["status"]) => ({
  run: run("run-2", "failback of failover"),
  steps: [
    step(
      "undo-promote-database-replicate",
      "rds.create-read-replica",
      "2026-12-02T10:01:00Z",
      { instance: "app-db-failback", source: ARN("us-west-2", "app-db-replica") },
      { arn: ARN("us-east-1", "app-db-failback") },
    ),
    step(
      "undo-promote-database-promote",
      "rds.promote-read-replica",
      "2026-12-02T10:02:00Z",
      { instance: "app-db-failback" },
      { arn: ARN("us-east-1", "app-db-failback"), previousSource: ARN("us-west-2", "app-db-replica") },
    ),
    step(
      "restore-dr-promote-database",
      "rds.create-read-replica",
      "2026-12-02T10:03:00Z",
      { instance: "app-db-replica-2", source: ARN("us-east-1", "app-db-failback") },
      restore === "succeeded" ? { arn: ARN("us-west-2", "app-db-replica-2") } : {},
      restore,
    ),
  ],
});

describe("DR not restored", () => {
  it("after a failover: the promoted standby, with the region of its old source", () => {
    expect(unreplicatedAfter(STEP_KINDS, [failover])).toEqual([
      {
        instance: "app-db-replica",
        arn: ARN("us-west-2", "app-db-replica"),
        region: "us-west-2",
        otherRegion: "us-east-1",
        runId: "run-1",
        runbook: "failover",
        at: "2026-12-01T10:05:00Z",
      },
    ]);
  });

  it("after a failback whose last step made the replica: nothing; when that step failed: the database promoted back", () => {
    expect(unreplicatedAfter(STEP_KINDS, [failover, failbackSteps("succeeded")])).toEqual([]);
    expect(
      unreplicatedAfter(STEP_KINDS, [failover, failbackSteps("failed")]).map((d) => [d.arn, d.runId]),
    ).toEqual([[ARN("us-east-1", "app-db-failback"), "run-2"]]);
  });

  it("a replica in the database's own region restores nothing", () => {
    const sameRegion = {
      run: run("run-3", "local replica"),
      steps: [
        step(
          "replica",
          "rds.create-read-replica",
          "2026-12-01T12:00:00Z",
          { instance: "app-db-replica-local", source: "app-db-replica" },
          { arn: ARN("us-west-2", "app-db-replica-local") },
        ),
      ],
    };
    expect(unreplicatedAfter(STEP_KINDS, [failover, sameRegion])).toHaveLength(1);
  });

  it("is restored by a freshness run after the promotion that finds a replica, never by an older one", () => {
    const [db] = unreplicatedAfter(STEP_KINDS, [failover]);
    if (!db) throw new Error("expected one");
    const row = { primaryArn: db.arn, kind: "rds-read-replica" } as StoreResult;
    const result = { stores: [row] } as FreshnessResult;
    expect(replicaSince(db, { result, at: "2026-12-01T12:00:00Z" })).toBe(true);
    expect(replicaSince(db, { result, at: "2026-12-01T09:00:00Z" })).toBe(false);
    const unprotected = { stores: [{ ...row, kind: "rds" }] } as FreshnessResult;
    expect(replicaSince(db, { result: unprotected, at: "2026-12-01T12:00:00Z" })).toBe(false);
    expect(replicaSince(db, undefined)).toBe(false);
  });
});
