/**
 * What the run pipeline needs to know of each kind of run it finishes: how the history keeps it
 * (its counts and findings), what it looked at, what it could not read, how two runs of it
 * differ and how that difference is said in a line. A drill's preflight keeps its scan and
 * freshness runs through these same two.
 */
import { isReadFailure, type Finding } from "../core/finding.js";
import type { FreshnessResult } from "../core/freshness-result.js";
import type { ScanResult } from "../core/scan-result.js";
import { diffFreshness, freshnessDiffSentence, type FreshnessDiff } from "../freshness/diff.js";
import { freshnessFailures } from "../freshness/verdict.js";
import { diffRuns, diffSentence, type RunDiff } from "../history/diff.js";
import { freshnessRun, headerOf, type StoredFreshness, type StoredScan } from "../history/types.js";

/** The kinds of stored run the pipeline finishes. */
export type PipelineRun = StoredScan | StoredFreshness;

export interface RunKindSpec<S extends PipelineRun, D> {
  kind: S["kind"];
  /** How a sentence names one run of the kind: "scan", "freshness run". */
  noun: string;
  /** The run as the history keeps it: its counts by severity, its findings, its result. */
  record(id: string, result: S["result"], finishedAt: Date): S;
  /** What it looks at, one of them: "pair", "data store". */
  item: string;
  /** How many things it looked at (pairs, stores): none is "nothing found", never clean. */
  size(result: S["result"]): number;
  /** Why it could not read everything, one line a read; empty when it is complete. */
  unread(result: S["result"]): string[];
  /** What changed since the run before (none: everything is new); what it could not read is unknown. */
  diff(
    before: { id: string; result: S["result"] } | undefined,
    after: { id: string; result: S["result"] },
  ): D;
  /** The diff in one line, with the earlier run's start time when known. */
  sentence(diff: D, since?: string): string;
}

/** The unsuppressed findings saying that something could not be read: with any, the scan did not finish. */
export function scanReadFailures(result: ScanResult): Finding[] {
  return result.pairs.flatMap((p) => p.findings.filter((f) => isReadFailure(f) && !f.suppressed));
}

export const SCAN_RUN: RunKindSpec<StoredScan, RunDiff> = {
  kind: "scan",
  noun: "scan",
  item: "pair",
  record: (id, result, finishedAt) => headerOf("scan", id, result, finishedAt),
  size: (result: ScanResult) => result.pairs.length,
  unread: (result: ScanResult) => scanReadFailures(result).map((f) => f.message),
  diff: diffRuns,
  sentence: diffSentence,
};

export const FRESHNESS_RUN: RunKindSpec<StoredFreshness, FreshnessDiff> = {
  kind: "freshness",
  noun: "freshness run",
  item: "data store",
  record: freshnessRun,
  size: (result: FreshnessResult) => result.stores.length,
  unread: freshnessFailures,
  diff: diffFreshness,
  sentence: freshnessDiffSentence,
};
