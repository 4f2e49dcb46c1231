import type { ScanResult } from "../core/scan-result.js";
import type { Finding } from "../core/finding.js";

export interface RunDiff {
  from: string | null;
  to: string;
  new: Finding[];
  resolved: Finding[];
  unchanged: Finding[];
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

/** What appeared, what went away and what stayed between two scans (suppressed and pass findings do not count). */
export function diffRuns(
  before: { id: string; result: ScanResult } | undefined,
  after: { id: string; result: ScanResult },
): RunDiff {
  const a = before ? open(before.result) : new Map<string, Finding>();
  const b = open(after.result);
  return {
    from: before?.id ?? null,
    to: after.id,
    new: [...b].filter(([k]) => !a.has(k)).map(([, f]) => f),
    resolved: [...a].filter(([k]) => !b.has(k)).map(([, f]) => f),
    unchanged: [...b].filter(([k]) => a.has(k)).map(([, f]) => f),
  };
}

export function diffSentence(d: RunDiff, fromStartedAt?: string): string {
  if (d.from === null) return `first stored scan: ${d.new.length} open findings`;
  return `${d.new.length} new, ${d.resolved.length} resolved since ${d.from}${fromStartedAt ? ` (${fromStartedAt})` : ""}`;
}
