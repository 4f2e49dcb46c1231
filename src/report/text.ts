import type { ScanResult } from "../core/scan-result.js";
import { SEVERITIES } from "../core/finding.js";

const show = (v: unknown) =>
  v === null || v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The terminal report: one line per pair with counts by severity, then the details. */
export function formatScanText(result: ScanResult): string {
  const lines: string[] = [];
  const width = Math.max(4, ...result.pairs.map((p) => p.name.length));
  lines.push(
    `${"PAIR".padEnd(width)}  STATUS   ${SEVERITIES.map((s) => s.toUpperCase().padStart(8)).join("")}`,
  );
  for (const p of result.pairs) {
    lines.push(
      `${p.name.padEnd(width)}  ${p.status.padEnd(7)}  ${SEVERITIES.map((s) => String(p.counts[s]).padStart(8)).join("")}`,
    );
  }
  for (const p of result.pairs) {
    const live = p.findings.filter((f) => f.status !== "pass");
    if (live.length === 0) continue;
    lines.push("", `${p.name}  ${p.primaryArn} -> ${p.secondaryArn ?? "(no standby)"}`);
    for (const f of live) {
      const tag = f.suppressed ? ` (suppressed: ${f.suppressed.reason})` : "";
      lines.push(
        `  ${f.severity.toUpperCase().padEnd(8)} ${f.status.padEnd(7)} ${f.ruleId}  ${f.path}${tag}`,
      );
      lines.push(`           ${f.message}`);
      if (f.status === "drift" && (f.primary !== null || f.secondary !== null)) {
        lines.push(
          `           primary: ${clip(show(f.primary), 160)}`,
          `           standby: ${clip(show(f.secondary), 160)}`,
        );
      }
    }
  }
  for (const s of result.expiredSuppressions) {
    lines.push(
      "",
      `note: the suppression of ${s.rule}${s.pair ? ` for ${s.pair}` : ""} expired on ${s.expires ?? "?"}; its findings are reported again`,
    );
  }
  return lines.join("\n");
}
