import { SEVERITIES, type Finding } from "../core/finding.js";
import type { PairResult, ScanResult } from "../core/scan-result.js";
import { show } from "../core/compare.js";
import { escapeHtml as e } from "./escape.js";
import { causesFirst, pathSegments, worstFirst } from "./order.js";

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}th,td{border:1px solid #d8dde6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f6}td.n{text-align:right}code,pre{font:12px ui-monospace,Menlo,monospace;white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
code.id,.seg{white-space:nowrap}code.path{white-space:normal;overflow-wrap:normal}
.sev{font-weight:600;text-transform:uppercase;font-size:11px;padding:.1rem .35rem;border-radius:3px;color:#fff;white-space:nowrap}
.critical{background:#8b0000}.high{background:#c0392b}.medium{background:#d68910}.low{background:#2e86c1}.info{background:#7f8c8d}
.pass{color:#1e8449}.drift{color:#b9770e}.missing,.error{color:#c0392b}.as-info{color:#6b7280}.muted{color:#6b7280}.suppressed{opacity:.55}
tr.consequence td:first-child{padding-left:1.5rem}.fix{color:#1d4e89}
section.pair{border-top:2px solid #d8dde6;margin-top:1.5rem}`;

/** A path that may break between its segments, never inside one. */
export function pathHtml(path: string): string {
  return `<code class="path">${pathSegments(path)
    .map((s) => `<span class="seg">${e(s)}</span>`)
    .join("<wbr>")}</code>`;
}

/** An info finding is information, not drift: it is coloured as info. */
const statusClass = (f: Finding) => (f.severity === "info" && f.status === "drift" ? "as-info" : f.status);

export function findingRow(f: Finding, consequence = false): string {
  const classes = [f.suppressed ? "suppressed" : "", consequence ? "consequence" : ""]
    .filter(Boolean)
    .join(" ");
  const follows = consequence ? `<span class="muted">follows from the finding above: </span>` : "";
  return `<tr class="${classes}"><td><span class="sev ${e(f.severity)}">${e(f.severity)}</span></td><td class="${e(statusClass(f))}">${e(f.status)}</td><td><code class="id">${e(f.ruleId)}</code><br>${pathHtml(f.path)}</td><td>${follows}${e(f.message)}${f.remediation ? `<br><span class="fix">Fix: ${e(f.remediation)}</span>` : ""}${f.suppressed ? `<br><span class="muted">suppressed: ${e(f.suppressed.reason)}</span>` : ""}</td><td><pre>${e(show(f.primary))}</pre></td><td><pre>${e(show(f.secondary))}</pre></td></tr>`;
}

function pairSection(p: PairResult): string {
  const live = p.findings.filter((f) => f.status !== "pass");
  const count = new Map<string, number>();
  for (const f of live) count.set(f.resourceType, (count.get(f.resourceType) ?? 0) + 1);
  // Causes worst first, each with its consequences; resource types in the order of their worst cause.
  const groups = causesFirst(live);
  const types = [...new Set(groups.map((g) => g.finding.resourceType))];
  const tables = types
    .map((type) => {
      const rows = groups
        .filter((g) => g.finding.resourceType === type)
        .map((g) => findingRow(g.finding) + g.consequences.map((c) => findingRow(c, true)).join(""))
        .join("");
      return `<h3>${e(type)} (${count.get(type) ?? 0})</h3><table><thead><tr><th>severity</th><th>status</th><th>rule and path</th><th>what is wrong, and the fix</th><th>primary</th><th>standby</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join("");
  return `<section class="pair" id="pair-${e(p.name)}"><h2>${e(p.name)} <span class="${e(p.status)}">${e(p.status)}</span></h2><p class="muted">primary <code>${e(p.primaryArn)}</code><br>standby <code>${e(p.secondaryArn ?? "none")}</code></p>${tables || '<p class="pass">No differences.</p>'}</section>`;
}

/** One self-contained page (no scripts, no external assets): summary first, the worst pairs first. */
export function formatScanHtml(
  result: ScanResult,
  title = "drctl readiness report",
  nav?: { href: string; label: string },
): string {
  const totals = Object.fromEntries(
    SEVERITIES.map((s) => [s, result.pairs.reduce((n, p) => n + p.counts[s], 0)]),
  );
  const ready = result.pairs.filter((p) => p.status === "pass").length;
  const pairs = worstFirst(result.pairs);
  const summary = `<table><thead><tr><th>pair</th><th>status</th>${SEVERITIES.map((s) => `<th>${s}</th>`).join("")}</tr></thead><tbody>${pairs
    .map(
      (p) =>
        `<tr><td><a href="#pair-${e(p.name)}">${e(p.name)}</a></td><td class="${e(p.status)}">${e(p.status)}</td>${SEVERITIES.map((s) => `<td class="n">${p.counts[s]}</td>`).join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head><body>
${nav ? `<p><a href="${e(nav.href)}">${e(nav.label)}</a></p>` : ""}<h1>${e(title)}</h1>
<p class="muted">Generated ${e(result.generatedAt)} · strategy ${e(result.strategy)} · ${result.stats.pairs} pairs, ${ready} without differences · ${SEVERITIES.map((s) => `${totals[s]} ${s}`).join(", ")}</p>
${summary}
${pairs.map(pairSection).join("\n")}
</body></html>
`;
}
