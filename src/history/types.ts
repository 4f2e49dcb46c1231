import { STATUS_SEVERITY, type FreshnessResult } from "../core/freshness-result.js";
import type { DrillResult } from "../core/drill-result.js";
import type { PlanResult } from "../core/plan-result.js";
import type { ScanResult } from "../core/scan-result.js";
import type { Severity } from "../core/finding.js";
import type { ChangeSignal } from "../core/changes.js";

/** Kinds of runs the history keeps, each with its own typed body. */
export type RunKind = "scan" | "freshness" | "runbook" | "drill" | "plan";

export interface RunHeader {
  id: string;
  kind: RunKind;
  startedAt: string;
  finishedAt: string;
  /** What the run looked at: pairs of a scan, stores of a freshness run. */
  pairs: number;
  /** Unsuppressed findings above pass by severity (a freshness run counts each store's status too). */
  counts: Record<Severity, number>;
}

/** A stored scan: the full result, as `drctl scan --json` prints it. */
export interface StoredScan extends RunHeader {
  kind: "scan";
  result: ScanResult;
}

/** A stored freshness run, as `drctl freshness --json` prints it. */
export interface StoredFreshness extends RunHeader {
  kind: "freshness";
  result: FreshnessResult;
}

/** A stored drill, as `drctl drill --json` prints it. */
export interface StoredDrill extends RunHeader {
  kind: "drill";
  result: DrillResult;
}

/** A stored DR plan of one application, as `drctl plan --json` prints it. */
export interface StoredPlan extends RunHeader {
  kind: "plan";
  result: PlanResult;
}

export type StoredRun = StoredScan | StoredFreshness | StoredDrill | StoredPlan;
export type StoredOf<K extends StoredRun["kind"]> = Extract<StoredRun, { kind: K }>;

/** Where runs are kept: a SQLite file on a laptop, a DynamoDB table in the cloud. */
export interface HistoryStore {
  readonly description: string;
  save(run: StoredRun): Promise<void>;
  /** Newest first. */
  list(options?: { kind?: RunKind; limit?: number }): Promise<RunHeader[]>;
  get(id: string): Promise<StoredRun | undefined>;
  /**
   * Keeps changes AWS reported between runs (the cloud deployment's event rule writes them as they
   * come), so the next incremental scan re-reads the pairs they touch, each with when it was recorded.
   */
  recordChanges(changes: readonly ChangeSignal[]): Promise<void>;
  /** The changes recorded at or after `since` (ISO 8601), oldest first, at most `limit`. */
  changesSince(since: string, limit?: number): Promise<ChangeSignal[]>;
  close(): void;
}

/** Sortable, unique run ids: the start time, then random letters (2026-11-21T12:00:00Z -> 20261121T120000Z-k3x9). */
export function newRunId(startedAt: Date): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export function headerOf(kind: "scan", id: string, result: ScanResult, finishedAt: Date): StoredScan {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const p of result.pairs) for (const s of Object.keys(counts) as Severity[]) counts[s] += p.counts[s];
  return {
    id,
    kind,
    startedAt: result.generatedAt,
    finishedAt: finishedAt.toISOString(),
    pairs: result.stats.pairs,
    counts,
    result,
  };
}

/** A freshness run as the history keeps it: each store counted by the severity of its status, and the findings. */
export function freshnessRun(id: string, result: FreshnessResult, finishedAt: Date): StoredFreshness {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const s of result.stores) if (s.status !== "ok") counts[STATUS_SEVERITY[s.status]]++;
  for (const f of result.findings) if (f.status !== "pass" && !f.suppressed) counts[f.severity]++;
  return {
    id,
    kind: "freshness",
    startedAt: result.generatedAt,
    finishedAt: finishedAt.toISOString(),
    pairs: result.stats.stores,
    counts,
    result,
  };
}

/** The run if it is a scan. */
export function asScan(run: StoredRun | undefined): StoredScan | undefined {
  return run?.kind === "scan" ? run : undefined;
}

/** Every finding a run holds, whatever its kind. */
export function findingsOf(run: StoredRun) {
  if (run.kind === "plan") return [];
  return run.kind === "scan" ? run.result.pairs.flatMap((p) => p.findings) : run.result.findings;
}

/** A plan as the history keeps it: its open risks counted by severity, its components as `pairs`. */
export function planRun(id: string, result: PlanResult, finishedAt: Date): StoredPlan {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const r of result.risks) counts[r.severity]++;
  return {
    id,
    kind: "plan",
    startedAt: result.generatedAt,
    finishedAt: finishedAt.toISOString(),
    pairs: result.components.length,
    counts,
    result,
  };
}

/** A drill as the history keeps it: a missed target counts high, lost writes critical, and the findings. */
export function drillRun(id: string, result: DrillResult, finishedAt: Date): StoredDrill {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const phase of [result.failover, result.failback]) {
    if (!phase) continue;
    for (const t of [phase.rto, phase.rpo]) if (t.met === false) counts.high++;
    if (phase.lostWrites > 0) counts.critical++;
  }
  for (const f of result.findings) if (f.status !== "pass" && !f.suppressed) counts[f.severity]++;
  return {
    id,
    kind: "drill",
    startedAt: result.startedAt,
    finishedAt: finishedAt.toISOString(),
    pairs: 1,
    counts,
    result,
  };
}
