import { isReadFailure, type Finding } from "../core/finding.js";
import type { ScanResult } from "../core/scan-result.js";

export interface RunDiff {
  from: string | null;
  to: string;
  new: Finding[];
  resolved: Finding[];
  unchanged: Finding[];
  /**
   * Findings of the earlier run about something this run could not read (a pair, or one resource
   * type of a pair): whether they were fixed is unknown, so they are neither resolved nor open.
   */
  unknown: Finding[];
}

/** A finding is the same finding in two runs when its pair, rule and path are the same. */
export function findingKey(f: Finding): string {
  return `${f.primaryArn}|${f.ruleId}|${f.path}`;
}

function open(result: ScanResult): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const p of result.pairs)
    for (const f of p.findings) if (f.status !== "pass" && !f.suppressed) map.set(findingKey(f), f);
  return map;
}

/**
 * What a run could not read, as a test of whether it covers a finding: a whole pair (its discovery
 * failed), one resource type of a pair, or every pair of a region (its primaries could not be listed).
 */
function unreadOf(result: ScanResult): (f: Finding) => boolean {
  const pairs = new Set<string>();
  const types = new Set<string>();
  const regions = new Set<string>();
  for (const p of result.pairs)
    for (const f of p.findings) {
      if (!isReadFailure(f)) continue;
      const region = /^region\[(.+)\]$/.exec(f.path)?.[1];
      if (region) regions.add(region);
      else if (f.resourceType === "pair") pairs.add(f.primaryArn);
      else types.add(`${f.primaryArn}|${f.resourceType}`);
    }
  return (f) =>
    !isReadFailure(f) &&
    (pairs.has(f.primaryArn) ||
      types.has(`${f.primaryArn}|${f.resourceType}`) ||
      regions.has(f.primaryArn.split(":")[3] ?? ""));
}

/**
 * What appeared, what went away and what stayed between two scans (suppressed and pass findings do
 * not count). A finding about something the later run could not read is "unknown", never resolved.
 */
export function diffRuns(
  before: { id: string; result: ScanResult } | undefined,
  after: { id: string; result: ScanResult },
): RunDiff {
  const a = before ? open(before.result) : new Map<string, Finding>();
  const b = open(after.result);
  const unread = unreadOf(after.result);
  const gone = [...a].filter(([k]) => !b.has(k)).map(([, f]) => f);
  return {
    from: before?.id ?? null,
    to: after.id,
    new: [...b].filter(([k]) => !a.has(k)).map(([, f]) => f),
    resolved: gone.filter((f) => !unread(f)),
    unchanged: [...b].filter(([k]) => a.has(k)).map(([, f]) => f),
    unknown: gone.filter(unread),
  };
}

export function diffSentence(d: RunDiff, fromStartedAt?: string): string {
  if (d.from === null) return `first stored scan: ${d.new.length} open findings`;
  const unknown = d.unknown.length > 0 ? `, ${d.unknown.length} unknown (not read this time)` : "";
  return `${d.new.length} new, ${d.resolved.length} resolved${unknown} since ${d.from}${fromStartedAt ? ` (${fromStartedAt})` : ""}`;
}
