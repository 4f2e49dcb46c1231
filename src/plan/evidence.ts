/**
 * The stored runs a plan rests on: the newest scan, freshness run and drill of the application,
 * and the newest completed run of its failover runbook in the journal. Each becomes an Evidence
 * entry the plan's statements cite.
 */
import type { DrillResult } from "../core/drill-result.js";
import type { FreshnessResult } from "../core/freshness-result.js";
import type { ScanResult } from "../core/scan-result.js";
import type { Journal, RunRecord, StepRecord } from "../runbook/journal.js";
import type { HistoryStore, RunHeader } from "../history/types.js";
import type { Evidence } from "../core/plan-result.js";

export interface Evidenced<T> {
  result: T;
  evidence: Evidence;
}

export interface PlanEvidence {
  scan?: Evidenced<ScanResult>;
  freshness?: Evidenced<FreshnessResult>;
  /** The newest drill that measured the failover (completed, with an RTO). */
  drill?: Evidenced<DrillResult>;
  /** A drill newer than that one that did not complete (refused, interrupted): an open risk. */
  unfinishedDrill?: Evidenced<DrillResult>;
  /** The newest completed failover run of the runbook, with its steps. */
  failoverRun?: Evidenced<{ run: RunRecord; steps: StepRecord[] }>;
}

/** How far back the history is searched for the application's own drill. */
const SEARCH = 50;

async function newest<K extends "scan" | "freshness">(
  store: HistoryStore,
  kind: K,
): Promise<{ header: RunHeader; result: K extends "scan" ? ScanResult : FreshnessResult } | undefined> {
  // The newest run that can be read: one that cannot is skipped, as the report site does.
  for (const header of await store.list({ kind, limit: 5 })) {
    const run = await store.get(header.id).catch(() => undefined);
    if (run?.kind === kind)
      return { header, result: run.result as K extends "scan" ? ScanResult : FreshnessResult };
  }
  return undefined;
}

export async function loadEvidence(
  store: HistoryStore,
  application: string,
  journal: Journal | undefined,
  failoverRunbook: string | undefined,
): Promise<PlanEvidence> {
  const out: PlanEvidence = {};
  const scan = await newest(store, "scan");
  if (scan)
    out.scan = {
      result: scan.result,
      evidence: { id: scan.header.id, kind: "scan", at: scan.header.startedAt, what: "readiness scan" },
    };
  const freshness = await newest(store, "freshness");
  if (freshness)
    out.freshness = {
      result: freshness.result,
      evidence: {
        id: freshness.header.id,
        kind: "freshness",
        at: freshness.header.startedAt,
        what: "data freshness",
      },
    };
  for (const header of await store.list({ kind: "drill", limit: SEARCH })) {
    const run = await store.get(header.id).catch(() => undefined);
    if (run?.kind !== "drill" || run.result.application !== application) continue;
    const drill = {
      result: run.result,
      evidence: {
        id: header.id,
        kind: "drill" as const,
        at: header.startedAt,
        what: `drill ${run.result.drill}${run.result.outcome === "completed" ? "" : ` (${run.result.outcome})`}`,
      },
    };
    // A refused or interrupted drill does not hide the last one that measured something.
    if (run.result.outcome === "completed" && run.result.failover.rto.measuredSeconds !== null) {
      out.drill = drill;
      break;
    }
    out.unfinishedDrill ??= drill;
  }
  if (journal && failoverRunbook) {
    const run = (await journal.runs()).find(
      (r) =>
        r.runbook === failoverRunbook &&
        r.application === application &&
        r.status === "succeeded" &&
        r.undoes === null,
    );
    if (run)
      out.failoverRun = {
        result: { run, steps: await journal.steps(run.runId) },
        evidence: {
          id: run.runId,
          kind: "runbook",
          at: run.startedAt,
          what: `run of the runbook "${run.runbook}"`,
        },
      };
  }
  return out;
}
