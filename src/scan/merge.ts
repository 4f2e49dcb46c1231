import type { PairResult, ScanResult } from "./engine.js";
import type { Finding } from "./types.js";

/** One run made of several batch results (the cloud fan-out), plus findings from pair discovery. */
export function mergeResults(
  parts: ScanResult[],
  options: {
    generatedAt: string;
    strategy: ScanResult["strategy"];
    extraFindings?: Finding[];
    durationMs: number;
  },
): ScanResult {
  const pairs: PairResult[] = parts.flatMap((p) => p.pairs);
  const calls: Record<string, number> = {};
  for (const part of parts)
    for (const [op, n] of Object.entries(part.stats.calls)) calls[op] = (calls[op] ?? 0) + n;
  for (const f of options.extraFindings ?? []) {
    const existing = pairs.find((p) => p.primaryArn === f.primaryArn);
    const counts = existing?.counts ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    if (!f.suppressed && f.status !== "pass") counts[f.severity]++;
    if (existing) {
      existing.findings.push(f);
      if (f.severity !== "info" && existing.status === "pass")
        existing.status = f.status === "pass" ? "pass" : f.status;
    } else {
      pairs.push({
        name: f.pair,
        primaryArn: f.primaryArn,
        secondaryArn: f.secondaryArn,
        status: f.status,
        counts,
        findings: [f],
      });
    }
  }
  return {
    version: 1,
    generatedAt: options.generatedAt,
    strategy: options.strategy,
    pairs: pairs.sort((a, b) => a.name.localeCompare(b.name)),
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
