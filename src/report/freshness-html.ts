import { STORE_STATUSES, type FreshnessResult } from "../core/freshness-result.js";
import { formatDuration } from "../util/duration.js";
import { escapeHtml as e } from "./escape.js";
import { exposureText } from "./freshness-text.js";
import { findingRow, STYLE } from "./html.js";
import { causesFirst } from "./order.js";

const FRESH_STYLE = `.ok{color:#1e8449}.breach,.broken,.unprotected{color:#c0392b}.unknown{color:#b9770e}.error{color:#8b0000}`;

/** One self-contained page of a freshness run (no scripts, every value escaped): the stores worst first, then posture. */
export function formatFreshnessHtml(
  result: FreshnessResult,
  title = "drctl freshness report",
  nav?: { href: string; label: string },
): string {
  const count = (status: string) => result.stores.filter((s) => s.status === status).length;
  const rows = result.stores
    .map(
      (s) =>
        `<tr><td>${e(s.store)}<br><span class="muted">${e(s.application ?? "")}</span></td><td><code class="id">${e(s.kind)}</code></td><td class="n">${e(exposureText(s))}${s.resolutionSeconds ? `<br><span class="muted">± ${e(formatDuration(s.resolutionSeconds))}</span>` : ""}</td><td class="n">${e(formatDuration(s.rpoSeconds))}</td><td class="${e(s.status)}">${e(s.status)}</td><td>${e(s.message)}${s.remediation ? `<br><span class="fix">Fix: ${e(s.remediation)}</span>` : ""}<br><span class="muted">${e(s.measuredBy)}</span>${s.evidence.length ? `<ul>${s.evidence.map((x) => `<li>${e(x.what)}: ${e(x.value)}</li>`).join("")}</ul>` : ""}</td><td><code>${e(s.primaryArn)}</code><br><code>${e(s.standbyArn ?? "(none)")}</code></td></tr>`,
    )
    .join("");
  const findings = causesFirst(result.findings.filter((f) => f.status !== "pass"))
    .map((g) => findingRow(g.finding) + g.consequences.map((c) => findingRow(c, true)).join(""))
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}${FRESH_STYLE}</style></head><body>
${nav ? `<p><a href="${e(nav.href)}">${e(nav.label)}</a></p>` : ""}<h1>${e(title)}</h1>
<p class="muted">Generated ${e(result.generatedAt)} · default target ${e(formatDuration(result.rpoSeconds))} · ${result.stores.length} stores: ${STORE_STATUSES.map((s) => `${count(s)} ${s}`).join(", ")}</p>
<h2>Stores</h2>
<table><thead><tr><th>store</th><th>kind</th><th>exposure</th><th>target</th><th>status</th><th>what it means, and the fix</th><th>primary / standby</th></tr></thead><tbody>${rows || '<tr><td colspan="7">No data store found.</td></tr>'}</tbody></table>
<h2>Data protection</h2>
${findings ? `<table><thead><tr><th>severity</th><th>status</th><th>rule and path</th><th>what is wrong, and the fix</th><th>primary</th><th>standby</th></tr></thead><tbody>${findings}</tbody></table>` : '<p class="pass">No findings.</p>'}
</body></html>
`;
}
