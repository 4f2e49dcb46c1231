import { STORE_STATUSES, type FreshnessResult } from "../core/freshness-result.js";
import type { ScanResult } from "../core/scan-result.js";
import { diffFreshness } from "../freshness/diff.js";
import { diffRuns } from "../history/diff.js";
import type { HistoryStore, RunHeader } from "../history/types.js";
import { asScan } from "../history/types.js";
import { escapeHtml as e } from "./escape.js";
import { formatFreshnessHtml } from "./freshness-html.js";
import { formatScanHtml } from "./html.js";
import { drillPages, drillsSection } from "./site-drills.js";
import { planPages, plansTable, type PlanRow } from "./site-plans.js";
import type { SiteFile, SkippedRun } from "./site-file.js";

export type { SiteFile, SkippedRun } from "./site-file.js";

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json";

/** Links are stable per run: runs/<id>/index.html never changes once written. */
export const runPath = (id: string) => `runs/${encodeURIComponent(id)}/index.html`;
/** A freshness run's page, as stable as a scan's. */
export const freshnessPath = (id: string) => `freshness/${encodeURIComponent(id)}/index.html`;

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

type Row = { run: RunHeader; change: { added: number; resolved: number } | "first" | "unknown" };

/** A freshness run on the index: how many stores in each status, and how many changed status. */
type FreshnessRow = { run: RunHeader; result: FreshnessResult; changed: number | "first" };

function freshnessTable(rows: FreshnessRow[]): string {
  if (rows.length === 0) return "";
  const body = rows
    .map(({ run, result, changed }) => {
      const cells = STORE_STATUSES.map(
        (st) => `<td class="n">${result.stores.filter((x) => x.status === st).length}</td>`,
      ).join("");
      return `<tr><td><a href="${e(freshnessPath(run.id))}">${e(run.id)}</a></td><td>${e(run.startedAt)}</td><td class="n">${result.stores.length}</td>${cells}<td class="n">${changed === "first" ? "first" : changed}</td><td><a href="freshness/${e(encodeURIComponent(run.id))}/freshness.json">json</a></td></tr>`;
    })
    .join("");
  return `<h2>Data freshness</h2>
<p>${rows.length} freshness runs, newest first. <a href="latest-freshness.html">Latest freshness report</a>.</p>
<table><thead><tr><th>run</th><th>started</th><th>stores</th>${STORE_STATUSES.map((st) => `<th>${st}</th>`).join("")}<th>changed status</th><th>data</th></tr></thead><tbody>${body}</tbody></table>`;
}

function indexPage(
  rows: Row[],
  skipped: SkippedRun[],
  freshness: FreshnessRow[] = [],
  plans: PlanRow[] = [],
  drills = "",
): string {
  const change = (c: Row["change"]) =>
    c === "first"
      ? "first"
      : c === "unknown"
        ? `<span title="the run before it could not be read">?</span>`
        : `+${c.added} / -${c.resolved}`;
  const body = rows
    .map(
      ({ run, change: c }) =>
        `<tr><td><a href="${e(runPath(run.id))}">${e(run.id)}</a></td><td>${e(run.startedAt)}</td><td class="n">${run.pairs}</td><td class="n">${run.counts.critical}</td><td class="n">${run.counts.high}</td><td class="n">${run.counts.medium}</td><td class="n">${run.counts.low}</td><td class="n">${change(c)}</td><td><a href="runs/${e(encodeURIComponent(run.id))}/scan.json">json</a></td></tr>`,
    )
    .join("");
  const unreadable =
    skipped.length === 0
      ? ""
      : `<h2>Runs that could not be read (${skipped.length})</h2>
<ul class="skipped">${skipped.map((s) => `<li><code>${e(s.id)}</code> (${e(s.startedAt)}): ${e(s.reason)}</li>`).join("")}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>drctl readiness history</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:collapse}th,td{border:1px solid #d8dde6;padding:.3rem .6rem;text-align:left}th{background:#eef1f6}td.n{text-align:right}</style></head><body>
<h1>drctl readiness history</h1>
<p>${rows.length} scans, newest first.${rows.length > 0 ? ` <a href="latest.html">Latest report</a>.` : ""}</p>
${rows.length > 1 ? `<figure style="margin:0 0 1rem">${trend(rows.map((r) => r.run))}<figcaption style="color:#6b7280">Open critical, high and medium findings per scan, oldest to newest.</figcaption></figure>` : ""}
<table><thead><tr><th>run</th><th>started</th><th>pairs</th><th>critical</th><th>high</th><th>medium</th><th>low</th><th>new / resolved</th><th>data</th></tr></thead><tbody>${body}</tbody></table>
${freshnessTable(freshness)}
${plansTable(plans)}
${drills}
${unreadable}
</body></html>
`;
}

/**
 * Every file of the report site: one page and one JSON per stored scan, the latest report, and
 * the index. Each run keeps its own result; a run that cannot be read is skipped and listed on
 * the index with why, and the runs around it are unaffected.
 */
export async function buildSiteReport(
  store: HistoryStore,
  limit = 100,
): Promise<{ files: SiteFile[]; skipped: SkippedRun[] }> {
  const files: SiteFile[] = [];
  const skipped: SkippedRun[] = [];
  const { readable, rows } = await scanPages(store, limit, files, skipped);
  const freshness = await freshnessPages(store, limit, files, skipped);
  const plans = await planPages(store, limit, files, skipped);
  const drills = drillsSection(await drillPages(store, limit, files, skipped));
  files.push({
    path: "index.html",
    body: indexPage(rows, skipped, freshness, plans, drills),
    contentType: HTML,
  });
  // A stable address for "the latest report", for bookmarks and the email's link: the newest
  // run that could be read, under its own id.
  const latest = readable[0];
  if (latest) {
    files.push({
      path: "latest.html",
      body: formatScanHtml(latest.result, `drctl readiness report ${latest.run.id} (latest)`, {
        href: "index.html",
        label: "all runs",
      }),
      contentType: HTML,
    });
  }
  const latestFreshness = freshness[0];
  files.push({
    path: "latest.json",
    body: JSON.stringify({
      runId: latest?.run.id ?? null,
      href: latest ? runPath(latest.run.id) : null,
      freshness: latestFreshness
        ? { runId: latestFreshness.run.id, href: freshnessPath(latestFreshness.run.id) }
        : null,
      skipped: skipped.map((s) => s.id),
    }),
    contentType: JSON_TYPE,
  });
  return { files, skipped };
}

type ReadScan = { run: RunHeader; result: ScanResult };

/**
 * One page and one JSON per stored scan; the index's rows, each with its change from the stored
 * scan just before it ("unknown" when that one cannot be read). A run that cannot be read joins
 * `skipped`.
 */
async function scanPages(
  store: HistoryStore,
  limit: number,
  files: SiteFile[],
  skipped: SkippedRun[],
): Promise<{ readable: ReadScan[]; rows: Row[] }> {
  // Newest first; the run after each in this list is the stored run just before it.
  const outcome: (ReadScan | "unreadable")[] = [];
  for (const run of await store.list({ kind: "scan", limit })) {
    const result = await readScan(store, run, skipped);
    outcome.push(result ? { run, result } : "unreadable");
    if (result) files.push(...scanFiles(run, result));
  }
  const readable = outcome.filter((o): o is ReadScan => o !== "unreadable");
  const rows: Row[] = readable.map(({ run, result }) => {
    const older = outcome[outcome.findIndex((o) => o !== "unreadable" && o.run.id === run.id) + 1];
    if (older === undefined) return { run, change: "first" };
    if (older === "unreadable") return { run, change: "unknown" };
    const d = diffRuns({ id: older.run.id, result: older.result }, { id: run.id, result });
    return { run, change: { added: d.new.length, resolved: d.resolved.length } };
  });
  return { readable, rows };
}

/** A stored scan's result, or undefined (and the run listed in `skipped` with why). */
async function readScan(
  store: HistoryStore,
  run: RunHeader,
  skipped: SkippedRun[],
): Promise<ScanResult | undefined> {
  let reason = "it is listed but its result is missing";
  try {
    const result = asScan(await store.get(run.id))?.result;
    if (result) return result;
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  skipped.push({ id: run.id, startedAt: run.startedAt, reason });
  return undefined;
}

function scanFiles(run: RunHeader, result: ScanResult): SiteFile[] {
  return [
    {
      path: runPath(run.id),
      body: formatScanHtml(result, `drctl readiness report ${run.id}`, {
        href: "../../index.html",
        label: "all runs",
      }),
      contentType: HTML,
    },
    {
      path: `runs/${encodeURIComponent(run.id)}/scan.json`,
      body: JSON.stringify(result, null, 2),
      contentType: JSON_TYPE,
    },
  ];
}

/**
 * One page and one JSON per stored freshness run, and latest-freshness.html; the rows of the
 * index's freshness table, newest first. A run that cannot be read joins `skipped`.
 */
async function freshnessPages(
  store: HistoryStore,
  limit: number,
  files: SiteFile[],
  skipped: SkippedRun[],
): Promise<FreshnessRow[]> {
  const readable: { run: RunHeader; result: FreshnessResult }[] = [];
  for (const run of await store.list({ kind: "freshness", limit })) {
    let reason = "it is listed but its result is missing";
    let result: FreshnessResult | undefined;
    try {
      const stored = await store.get(run.id);
      if (stored?.kind === "freshness") result = stored.result;
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (!result) {
      skipped.push({ id: run.id, startedAt: run.startedAt, reason });
      continue;
    }
    readable.push({ run, result });
    const page = (title: string, href: string) =>
      formatFreshnessHtml(result, title, { href, label: "all runs" });
    files.push({
      path: freshnessPath(run.id),
      body: page(`drctl freshness report ${run.id}`, "../../index.html"),
      contentType: HTML,
    });
    files.push({
      path: `freshness/${encodeURIComponent(run.id)}/freshness.json`,
      body: JSON.stringify(result, null, 2),
      contentType: JSON_TYPE,
    });
  }
  const newest = readable[0];
  if (newest)
    files.push({
      path: "latest-freshness.html",
      body: formatFreshnessHtml(newest.result, `drctl freshness report ${newest.run.id} (latest)`, {
        href: "index.html",
        label: "all runs",
      }),
      contentType: HTML,
    });
  return readable.map(({ run, result }, i) => {
    const older = readable[i + 1];
    return {
      run,
      result,
      changed: older
        ? diffFreshness({ id: older.run.id, result: older.result }, { id: run.id, result }).changed.length
        : "first",
    };
  });
}

/** The site's files (see buildSiteReport). */
export async function buildSite(store: HistoryStore, limit = 100): Promise<SiteFile[]> {
  return (await buildSiteReport(store, limit)).files;
}
