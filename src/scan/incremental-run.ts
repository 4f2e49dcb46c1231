/**
 * The incremental scan around the engine: hear what AWS says changed, plan which pairs to read,
 * and give every pair its evidence (read now, or carried over with its age).
 */
import { createHash } from "node:crypto";
import type { SignalReport } from "../core/changes.js";
import type { Finding } from "../core/finding.js";
import type {
  IncrementalSummary,
  PairEvidence,
  PairResult,
  PairTwin,
  ScanResult,
} from "../core/scan-result.js";
import type { ScanSettings } from "../core/rule.js";
import type { HistoryStore } from "../history/types.js";
import type { Pair } from "../pairs/kind.js";
import type { ScanType } from "../resources/module.js";
import type { Compared } from "./compare-pair.js";
import { fingerprintOf } from "./evidence.js";
import { planReads, type ReadPlan } from "./incremental.js";

/** What an incremental scan continues from, and how it hears of changes. */
export interface IncrementalScan {
  /** The newest stored scan (absent: everything is read). */
  previous?: ScanResult;
  fullEveryMs: number;
  stateEveryMs: number;
  /** Read everything, as asked (--full), and leave evidence for the next run. */
  full?: boolean;
  /**
   * What AWS says changed since `since` where the pairs are: CloudTrail, AWS Config, and the
   * changes the history recorded. A signal that cannot be read says so in its report.
   */
  signals(since: Date, where: { region: string; account: string }[]): Promise<SignalReport[]>;
}

/** More recorded changes than this since the last run: reading every pair is cheaper than mapping them. */
export const MAX_RECORDED_CHANGES = 10_000;

/** The changes the history recorded since `since` (the deployment's event rule writes them), as a signal. */
export async function recordedChanges(
  store: Pick<HistoryStore, "changesSince">,
  since: Date,
): Promise<SignalReport> {
  const changes = await store.changesSince(since.toISOString(), MAX_RECORDED_CHANGES + 1);
  if (changes.length > MAX_RECORDED_CHANGES)
    return {
      source: "event-rule",
      region: "recorded",
      changes: [],
      unavailable: `more than ${MAX_RECORDED_CHANGES} changes recorded since ${since.toISOString()}; a full read is cheaper`,
      overflow: true,
    };
  return { source: "event-rule", region: "recorded", changes };
}

/** How far a change may precede the read it should have re-read (the clocks of AWS and this machine differ). */
export const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * What the findings depend on besides AWS: carried-over findings are valid only under the same.
 * Rules come with drctl's version (the types are loaded only when a pair of them is found, so
 * their rules are not at hand before the reads are planned).
 */
export function settingsKeyOf(
  options: { settings: ScanSettings; includePass?: boolean; version?: string },
  types: readonly ScanType<never>[],
): string {
  const typeNames = types.map((t) => t.pairing.type);
  const { strategy, certificateExpiryDays, backupRetentionDays } = options.settings;
  const what = JSON.stringify({
    strategy,
    certificateExpiryDays,
    backupRetentionDays,
    includePass: options.includePass ?? false,
    version: options.version ?? "",
    types: typeNames.sort(),
  });
  return createHash("sha256").update(what).digest("hex").slice(0, 16);
}

export type IncrementalPlan = ReadPlan & { summary: Omit<IncrementalSummary, "read" | "carriedOver"> };

/** Where the pairs are: every region and account a pair's two sides live in. */
function placesOf(pairs: readonly Pair[]): { region: string; account: string }[] {
  const places = new Map<string, { region: string; account: string }>();
  for (const p of pairs)
    for (const [region, account] of [
      [p.primaryRegion, p.primaryAccount],
      [p.standbyRegion, p.standbyAccount],
    ] as const)
      places.set(`${account}|${region}`, { region, account });
  return [...places.values()];
}

/** Hears the signals (a failure of them all reads everything), then plans the reads. */
export async function incrementalPlan(
  pairs: readonly Pair[],
  scan: IncrementalScan,
  context: { now: Date; settingsKey: string; stateTypes: ReadonlySet<string> },
): Promise<IncrementalPlan> {
  const previous = scan.previous;
  const since = previous ? new Date(Date.parse(previous.generatedAt) - CLOCK_MARGIN_MS) : undefined;
  let reports: SignalReport[] = [];
  let failed: string | undefined;
  if (since && !scan.full)
    try {
      reports = await scan.signals(since, placesOf(pairs));
    } catch (err) {
      failed = err instanceof Error ? err.message : String(err);
    }
  // A signal that heard more than it is worth listing asks for a full read.
  const overflow = reports.find((r) => r.overflow);
  if (overflow && !failed)
    failed = overflow.unavailable ?? `${overflow.source} ${overflow.region}: too many changes`;
  const plan = planReads(
    pairs.map((p) => ({
      primaryArn: p.primaryArn,
      standbyArn: p.standbyArn,
      type: p.kind.type,
      primaryTags: p.primaryTags,
    })),
    {
      ...(previous ? { previous } : {}),
      changes: reports.flatMap((r) => r.changes),
      now: context.now,
      fullEveryMs: scan.fullEveryMs,
      stateEveryMs: scan.stateEveryMs,
      stateTypes: context.stateTypes,
      settingsKey: context.settingsKey,
      // Signals that could not be heard at all leave no way to know what changed: read everything.
      full: (scan.full ?? false) || failed !== undefined,
      marginMs: CLOCK_MARGIN_MS,
    },
  );
  if (failed)
    for (const [arn] of plan.read)
      plan.read.set(arn, { key: "signals failed", detail: `change signals could not be read (${failed})` });
  const reasons: Record<string, number> = {};
  for (const r of plan.read.values()) reasons[r.key] = (reasons[r.key] ?? 0) + 1;
  return {
    ...plan,
    summary: {
      ...(previous ? { since: previous.generatedAt } : {}),
      reasons,
      signals: reports.map(({ changes, ...r }) => ({ ...r, changes: changes.length })),
      unmatchedChanges: plan.unmatchedChanges,
      fullEveryMs: scan.fullEveryMs,
    },
  };
}

/** The evidence of a pair read in this run. */
export function readEvidence(
  outcome: Compared,
  why: string,
  now: Date,
  before: PairResult | undefined,
): PairEvidence {
  const fingerprint = fingerprintOf(outcome.fingerprints);
  return {
    read: "read",
    readAt: now.toISOString(),
    why,
    fingerprint,
    fingerprints: outcome.fingerprints,
    ...(before?.evidence ? { unchanged: before.evidence.fingerprint === fingerprint } : {}),
    resources: outcome.resources,
    ...(outcome.recheckAt ? { recheckAt: outcome.recheckAt } : {}),
  };
}

/**
 * A pair's previous result, carried over: its findings say when they were read, suppressions are
 * applied again (they may have changed), and the pair-level findings of discovery are this run's.
 */
export function carriedOver(before: PairResult): {
  findings: Finding[];
  twins: PairTwin[];
  evidence: PairEvidence;
} {
  const evidence = before.evidence as PairEvidence;
  const findings = before.findings
    .filter((f) => !f.ruleId.startsWith("pair."))
    .map(({ suppressed: _suppressed, ...f }) => ({ ...f, evidenceAt: f.evidenceAt ?? evidence.readAt }));
  const { unchanged: _unchanged, ...kept } = evidence;
  return {
    findings,
    twins: before.twins ?? [],
    evidence: {
      ...kept,
      read: "carried-over",
      why: `nothing signalled a change since it was read at ${evidence.readAt}`,
    },
  };
}
