import type { FreshnessResult, StoreResult } from "../core/freshness-result.js";
import { formatDuration } from "../util/duration.js";
import { causesFirst, shortRemediation } from "./order.js";

/** An exposure as people read it, at its resolution: "42 s", "≥ 2 min", "unknown". */
export function exposureText(s: Pick<StoreResult, "exposureSeconds" | "exposureAtLeast" | "status">): string {
  if (s.exposureSeconds === null) return s.status === "unprotected" ? "no copy" : "unknown";
  return `${s.exposureAtLeast ? "≥ " : ""}${formatDuration(s.exposureSeconds)}`;
}

const pad = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}… ` : text.padEnd(n + 1));

/** The terminal report: one line per store (store, kind, exposure, target, status, measured by), then findings. */
export function formatFreshnessText(result: FreshnessResult, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const width = Math.min(40, Math.max(5, ...result.stores.map((s) => s.store.length)));
  const kindWidth = Math.max(4, ...result.stores.map((s) => s.kind.length));
  lines.push(
    `${pad("STORE", width)}${pad("KIND", kindWidth)}${"EXPOSURE".padEnd(11)}${"TARGET".padEnd(9)}${"STATUS".padEnd(12)}EVIDENCE`,
  );
  for (const s of result.stores)
    lines.push(
      `${pad(s.store, width)}${pad(s.kind, kindWidth)}${exposureText(s).padEnd(11)}${formatDuration(s.rpoSeconds).padEnd(9)}${s.status.padEnd(12)}${s.measuredBy}`,
    );
  const attention = result.stores.filter((s) => s.status !== "ok");
  if (attention.length > 0) lines.push("");
  for (const s of attention) {
    lines.push(`  ${s.status.toUpperCase().padEnd(11)} ${s.message}`);
    if (options.verbose) for (const e of s.evidence) lines.push(`              ${e.what}: ${e.value}`);
    if (s.remediation)
      lines.push(`              fix: ${options.verbose ? s.remediation : shortRemediation(s.remediation)}`);
  }
  const findings = result.findings.filter((f) => f.status !== "pass");
  if (findings.length > 0) lines.push("", "data protection:");
  for (const g of causesFirst(findings)) {
    const f = g.finding;
    lines.push(
      `  ${f.severity.toUpperCase().padEnd(8)} ${f.ruleId}  ${f.pair}  ${f.path}${f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : ""}`,
      `           ${f.message}`,
    );
    if (f.remediation && (options.verbose || f.severity !== "info"))
      lines.push(`           fix: ${options.verbose ? f.remediation : shortRemediation(f.remediation)}`);
  }
  return lines.join("\n");
}
