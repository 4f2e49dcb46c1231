import type { ScanResult } from "../core/scan-result.js";
import { diffRuns } from "../store/diff.js";
import type { HistoryStore, RunHeader } from "../store/types.js";
import { escapeHtml as e } from "./escape.js";
import { formatScanHtml } from "./html.js";

export interface SiteFile {
  /** Relative to the site's root, "/" separated. */
  path: string;
  body: string;
  contentType: string;
}

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json";

/** Links are stable per run: runs/<id>/index.html never changes once written. */
export const runPath = (id: string) => `runs/${encodeURIComponent(id)}/index.html`;

/** A small inline SVG of open critical+high+medium findings per run, oldest left. */
function trend(runs: RunHeader[]): string {
  const values = [...runs].reverse().map((r) => r.counts.critical + r.counts.high + r.counts.medium);
  if (values.length < 2) return "";
  const max = Math.max(1, ...values);
  const step = 300 / (values.length - 1);
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(58 - (v / max) * 54).toFixed(1)}`)
    .join(" ");
  return `<svg role="img" aria-label="trend of open critical, high and medium findings" width="300" height="60" viewBox="-2 0 304 60"><polyline fill="none" stroke="#c0392b" stroke-width="2" points="${points}"/></svg>`;
}

function indexPage(rows: { run: RunHeader; added: number; resolved: number | null }[]): string {
  const body = rows
    .map(
      ({ run, added, resolved }) =>
        `<tr><td><a href="${e(runPath(run.id))}">${e(run.id)}</a></td><td>${e(run.startedAt)}</td><td class="n">${run.pairs}</td><td class="n">${run.counts.critical}</td><td class="n">${run.counts.high}</td><td class="n">${run.counts.medium}</td><td class="n">${run.counts.low}</td><td class="n">${resolved === null ? "first" : `+${added} / -${resolved}`}</td><td><a href="runs/${e(encodeURIComponent(run.id))}/scan.json">json</a></td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>drctl readiness history</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:collapse}th,td{border:1px solid #d8dde6;padding:.3rem .6rem;text-align:left}th{background:#eef1f6}td.n{text-align:right}</style></head><body>
<h1>drctl readiness history</h1>
<p>${rows.length} scans, newest first. <a href="latest.html">Latest report</a>.</p>
${rows.length > 1 ? `<figure style="margin:0 0 1rem">${trend(rows.map((r) => r.run))}<figcaption style="color:#6b7280">Open critical, high and medium findings per scan, oldest to newest.</figcaption></figure>` : ""}
<table><thead><tr><th>run</th><th>started</th><th>pairs</th><th>critical</th><th>high</th><th>medium</th><th>low</th><th>new / resolved</th><th>data</th></tr></thead><tbody>${body}</tbody></table>
</body></html>
`;
}

/** Every file of the report site: one page and one JSON per stored scan, the latest report, and the index. */
export async function buildSite(store: HistoryStore, limit = 100): Promise<SiteFile[]> {
  const runs = await store.list({ kind: "scan", limit });
  const files: SiteFile[] = [];
  const results: ScanResult[] = [];
  for (const run of runs) {
    const stored = await store.get(run.id);
    if (!stored) continue;
    results.push(stored.result);
    files.push({
      path: runPath(run.id),
      body: formatScanHtml(stored.result, `drctl readiness report ${run.id}`, {
        href: "../../index.html",
        label: "all runs",
      }),
      contentType: HTML,
    });
    files.push({
      path: `runs/${encodeURIComponent(run.id)}/scan.json`,
      body: JSON.stringify(stored.result, null, 2),
      contentType: JSON_TYPE,
    });
  }
  const rows = runs.map((run, i) => {
    const older = results[i + 1];
    const current = results[i];
    if (!older || !current) return { run, added: 0, resolved: null };
    const d = diffRuns({ id: runs[i + 1]?.id ?? "", result: older }, { id: run.id, result: current });
    return { run, added: d.new.length, resolved: d.resolved.length };
  });
  files.push({ path: "index.html", body: indexPage(rows), contentType: HTML });
  // A stable address for "the latest report", for bookmarks and the email's link.
  const latest = results[0];
  if (latest && runs[0]) {
    files.push({
      path: "latest.html",
      body: formatScanHtml(latest, `drctl readiness report ${runs[0].id} (latest)`, {
        href: "index.html",
        label: "all runs",
      }),
      contentType: HTML,
    });
  }
  files.push({
    path: "latest.json",
    body: JSON.stringify({ runId: runs[0]?.id ?? null, href: runs[0] ? runPath(runs[0].id) : null }),
    contentType: JSON_TYPE,
  });
  return files;
}
