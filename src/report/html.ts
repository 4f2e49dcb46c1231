import type { PairResult, ScanResult } from "../core/scan-result.js";
import { SEVERITIES, type Finding } from "../core/finding.js";
import { escapeHtml as e } from "./escape.js";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}th,td{border:1px solid #d8dde6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f6}td.n{text-align:right}code,pre{font:12px ui-monospace,Menlo,monospace;white-space:pre-wrap;word-break:break-all;margin:0}
.sev{font-weight:600;text-transform:uppercase;font-size:11px;padding:.1rem .35rem;border-radius:3px;color:#fff}
.critical{background:#8b0000}.high{background:#c0392b}.medium{background:#d68910}.low{background:#2e86c1}.info{background:#7f8c8d}
.pass{color:#1e8449}.drift{color:#b9770e}.missing,.error{color:#c0392b}.muted{color:#6b7280}.suppressed{opacity:.55}
section.pair{border-top:2px solid #d8dde6;margin-top:1.5rem}`;

function findingRow(f: Finding): string {
  return `<tr class="${f.suppressed ? "suppressed" : ""}"><td><span class="sev ${e(f.severity)}">${e(f.severity)}</span></td><td class="${e(f.status)}">${e(f.status)}</td><td><code>${e(f.ruleId)}</code></td><td><code>${e(f.path)}</code></td><td>${e(f.message)}${f.suppressed ? `<br><span class="muted">suppressed: ${e(f.suppressed.reason)}</span>` : ""}</td><td><pre>${e(f.primary)}</pre></td><td><pre>${e(f.secondary)}</pre></td></tr>`;
}

function pairSection(p: PairResult): string {
  const live = p.findings.filter((f) => f.status !== "pass");
  const byType = new Map<string, Finding[]>();
  for (const f of live) byType.set(f.resourceType, [...(byType.get(f.resourceType) ?? []), f]);
  const groups = [...byType.entries()]
    .map(
      ([type, fs]) =>
        `<h3>${e(type)} (${fs.length})</h3><table><thead><tr><th>severity</th><th>status</th><th>rule</th><th>path</th><th>what to do</th><th>primary</th><th>standby</th></tr></thead><tbody>${fs.map(findingRow).join("")}</tbody></table>`,
    )
    .join("");
  return `<section class="pair" id="pair-${e(p.name)}"><h2>${e(p.name)} <span class="${e(p.status)}">${e(p.status)}</span></h2><p class="muted">primary <code>${e(p.primaryArn)}</code><br>standby <code>${e(p.secondaryArn ?? "none")}</code></p>${groups || '<p class="pass">No differences.</p>'}</section>`;
}

/** One self-contained page (no scripts, no external assets): summary first, then each pair by category. */
export function formatScanHtml(
  result: ScanResult,
  title = "drctl readiness report",
  nav?: { href: string; label: string },
): string {
  const totals = Object.fromEntries(
    SEVERITIES.map((s) => [s, result.pairs.reduce((n, p) => n + p.counts[s], 0)]),
  );
  const ready = result.pairs.filter((p) => p.status === "pass").length;
  const summary = `<table><thead><tr><th>pair</th><th>status</th>${SEVERITIES.map((s) => `<th>${s}</th>`).join("")}</tr></thead><tbody>${result.pairs
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
${result.pairs.map(pairSection).join("\n")}
</body></html>
`;
}
