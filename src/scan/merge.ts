import { summarise } from "./engine.js";
import type { IncrementalSummary, PairResult, ScanResult } from "../core/scan-result.js";
import type { Finding } from "../core/finding.js";

/** One run made of several batch results (the cloud fan-out), plus findings from pair discovery. */
export function mergeResults(
  parts: ScanResult[],
  options: {
    generatedAt: string;
    strategy: ScanResult["strategy"];
    extraFindings?: Finding[];
    durationMs: number;
    /** What an incremental run read and carried over (the carried pairs come as one of the parts). */
    incremental?: IncrementalSummary;
  },
): ScanResult {
  const pairs: PairResult[] = parts.flatMap((p) => p.pairs);
  const calls: Record<string, number> = {};
  for (const part of parts)
    for (const [op, n] of Object.entries(part.stats.calls)) calls[op] = (calls[op] ?? 0) + n;
  // Discovery findings join the pair they are about (or stand as a pair of their own); the
  // engine's summarise recomputes status and counts, exactly as for a local scan.
  const extra = new Map<string, Finding[]>();
  for (const f of options.extraFindings ?? [])
    extra.set(f.primaryArn, [...(extra.get(f.primaryArn) ?? []), f]);
  for (const [primaryArn, findings] of extra) {
    const at = pairs.findIndex((p) => p.primaryArn === primaryArn);
    const existing = pairs[at];
    const first = findings[0];
    // The pair keeps what it was compared with, its type, tags and evidence.
    const about = existing && {
      ...(existing.type ? { type: existing.type } : {}),
      ...(existing.primaryTags ? { primaryTags: existing.primaryTags } : {}),
      ...(existing.evidence ? { evidence: existing.evidence } : {}),
    };
    const merged = existing
      ? summarise(
          existing.name,
          primaryArn,
          existing.secondaryArn,
          [...existing.findings, ...findings],
          existing.twins,
          about,
        )
      : summarise(first?.pair ?? primaryArn, primaryArn, first?.secondaryArn ?? null, findings);
    if (existing) pairs[at] = merged;
    else pairs.push(merged);
  }
  return {
    version: 1,
    generatedAt: options.generatedAt,
    strategy: options.strategy,
    pairs: pairs.sort((a, b) => a.name.localeCompare(b.name)),
    // Every batch of one run scans under the same settings: any part's key is the run's.
    ...(parts.find((p) => p.settingsKey)?.settingsKey
      ? { settingsKey: parts.find((p) => p.settingsKey)?.settingsKey }
      : {}),
    ...(options.incremental ? { incremental: options.incremental } : {}),
    expiredSuppressions: parts
      .flatMap((p) => p.expiredSuppressions)
      .filter((s, i, all) => all.findIndex((o) => o.rule === s.rule && o.pair === s.pair) === i),
    stats: {
      pairs: pairs.length,
      durationMs: options.durationMs,
      calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))),
      retries: parts.reduce((n, p) => n + p.stats.retries, 0),
    },
  };
}
