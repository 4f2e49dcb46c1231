import { escapeHtml as e } from "../report/escape.js";
import { causesFirst, pathSegments, shortRemediation, worstFirst } from "../report/order.js";
import type { ScanResult } from "../core/scan-result.js";
import type { RunDiff } from "../history/diff.js";
import type { Finding } from "../core/finding.js";

export interface Message {
  subject: string;
  text: string;
  html: string;
}

const COLORS: Record<string, string> = {
  critical: "#8b0000",
  high: "#c0392b",
  medium: "#d68910",
  low: "#2e86c1",
  info: "#7f8c8d",
};
const CELL =
  "border:1px solid #d8dde6;padding:6px 8px;text-align:left;vertical-align:top;font:13px Arial,Helvetica,sans-serif;";
const HEAD = `${CELL}background:#eef1f6;font-weight:bold;`;

/** A path that mail clients may break between its segments, never inside one. */
function pathCell(path: string): string {
  return pathSegments(path)
    .map((seg) => `<span style="white-space:nowrap">${e(seg)}</span>`)
    .join("<wbr>");
}

function row(f: Finding, consequence: boolean): string {
  const follows = consequence ? `<span style="color:#6b7280">follows from the finding above: </span>` : "";
  const fix = f.remediation ? `<br><span style="color:#1d4e89">Fix: ${e(f.remediation)}</span>` : "";
  return `<tr><td style="${CELL}${consequence ? "padding-left:22px;" : ""}"><span style="color:#ffffff;background:${COLORS[f.severity] ?? "#555"};padding:1px 5px;font-size:11px;text-transform:uppercase;white-space:nowrap">${e(f.severity)}</span></td><td style="${CELL}">${e(f.pair)}</td><td style="${CELL}"><code style="white-space:nowrap">${e(f.ruleId)}</code><br><span style="color:#6b7280">${pathCell(f.path)}</span></td><td style="${CELL}">${follows}${e(f.message)}${fix}</td></tr>`;
}

/** Worst first, each cause followed by what follows from it. */
function rows(findings: Finding[]): string {
  return causesFirst(findings)
    .map((g) => row(g.finding, false) + g.consequences.map((c) => row(c, true)).join(""))
    .join("");
}

function table(title: string, findings: Finding[]): string {
  if (findings.length === 0) return "";
  return `<h3 style="font:bold 15px Arial,Helvetica,sans-serif;margin:18px 0 6px">${e(title)} (${findings.length})</h3>
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%"><tr><th style="${HEAD}">severity</th><th style="${HEAD}">pair</th><th style="${HEAD}">rule and path</th><th style="${HEAD}">what is wrong, and the fix</th></tr>${rows(findings)}</table>`;
}

/**
 * The scan email: the counts of new and resolved findings in the subject, what changed first,
 * then every pair's counts. Inline styles and tables only, no scripts or external assets, so it
 * renders the same in common mail clients; a plain-text part says the same.
 */
export function scanMessage(result: ScanResult, diff: RunDiff, reportUrl?: string): Message {
  const open = result.pairs.reduce((n, p) => n + p.counts.critical + p.counts.high, 0);
  const subject = `[drctl] ${diff.new.length} new, ${diff.resolved.length} resolved findings; ${result.stats.pairs} pairs, ${open} critical or high open`;
  const pairRows = worstFirst(result.pairs)
    .map(
      (p) =>
        `<tr><td style="${CELL}">${e(p.name)}</td><td style="${CELL}">${e(p.status)}</td>${(["critical", "high", "medium", "low", "info"] as const).map((s) => `<td style="${CELL}text-align:right">${p.counts[s]}</td>`).join("")}</tr>`,
    )
    .join("");
  const html = `<!doctype html><html><body style="margin:0;padding:16px;background:#ffffff;color:#1d2330">
<h2 style="font:bold 18px Arial,Helvetica,sans-serif;margin:0 0 4px">${e(subject)}</h2>
<p style="font:13px Arial,Helvetica,sans-serif;color:#6b7280;margin:0 0 12px">Scan of ${e(result.generatedAt)} (strategy ${e(result.strategy)})${diff.from ? `, compared with run ${e(diff.from)}` : ", the first stored scan"}.${reportUrl ? ` <a href="${e(reportUrl)}" style="color:#2e86c1">Full report</a>.` : ""}</p>
${table("New findings", diff.new)}
${table("Resolved findings", diff.resolved)}
<h3 style="font:bold 15px Arial,Helvetica,sans-serif;margin:18px 0 6px">Pairs</h3>
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%"><tr><th style="${HEAD}">pair</th><th style="${HEAD}">status</th><th style="${HEAD}">critical</th><th style="${HEAD}">high</th><th style="${HEAD}">medium</th><th style="${HEAD}">low</th><th style="${HEAD}">info</th></tr>${pairRows}</table>
</body></html>`;
  const line = (tag: string) => (f: Finding) =>
    `${tag} [${f.severity}] ${f.pair} ${f.ruleId} ${f.path}${f.consequenceOf ? " (follows from the one before)" : ""}\n    ${f.message}${f.remediation ? `\n    fix: ${shortRemediation(f.remediation)}` : ""}`;
  const ordered = (fs: Finding[]) => causesFirst(fs).flatMap((g) => [g.finding, ...g.consequences]);
  const text = [
    subject,
    "",
    `Scan of ${result.generatedAt}${diff.from ? `, compared with run ${diff.from}` : ""}.${reportUrl ? ` Report: ${reportUrl}` : ""}`,
    "",
    ...(diff.new.length ? ["New findings:", ...ordered(diff.new).map(line("+")), ""] : []),
    ...(diff.resolved.length ? ["Resolved findings:", ...ordered(diff.resolved).map(line("-")), ""] : []),
    "Pairs:",
    ...worstFirst(result.pairs).map(
      (p) =>
        `  ${p.name}  ${p.status}  critical ${p.counts.critical}, high ${p.counts.high}, medium ${p.counts.medium}, low ${p.counts.low}, info ${p.counts.info}`,
    ),
  ].join("\n");
  return { subject, text, html };
}
