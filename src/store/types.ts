import type { ScanResult } from "../core/scan-result.js";
import type { Severity } from "../core/finding.js";

/** Kinds of runs the history keeps; only scans exist today, the others come with their commands. */
export type RunKind = "scan" | "freshness" | "runbook" | "drill";

export interface RunHeader {
  id: string;
  kind: RunKind;
  startedAt: string;
  finishedAt: string;
  pairs: number;
  /** Unsuppressed findings above pass, by severity. */
  counts: Record<Severity, number>;
}

export interface StoredRun extends RunHeader {
  /** The full result, as `drctl scan --json` prints it. */
  result: ScanResult;
}

/** Where runs are kept: a SQLite file on a laptop, a DynamoDB table in the cloud. */
export interface HistoryStore {
  readonly description: string;
  save(run: StoredRun): Promise<void>;
  /** Newest first. */
  list(options?: { kind?: RunKind; limit?: number }): Promise<RunHeader[]>;
  get(id: string): Promise<StoredRun | undefined>;
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

export function headerOf(kind: RunKind, id: string, result: ScanResult, finishedAt: Date): StoredRun {
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
