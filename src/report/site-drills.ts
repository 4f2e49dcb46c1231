/**
 * The report site's drills: per application, a table of its stored drills with the RTO and RPO
 * each measured against its target, and their trend across drills (an SVG, oldest left, the
 * targets dashed); a page per drill (the HTML drill report with its chart) and its record as JSON
 * at drills/<application>/<id>.html and .json (links that never change), the newest at
 * drills/<application>/latest.html.
 */
import { createHash } from "node:crypto";
import type { DrillResult, MeasuredTarget } from "../core/drill-result.js";
import type { HistoryStore, RunHeader } from "../history/types.js";
import { formatDrillHtml } from "./drill-html.js";
import { figureText, isMet } from "./drill-text.js";
import { escapeHtml as e } from "./escape.js";
import type { SiteFile, SkippedRun } from "./site-file.js";

export interface DrillRow {
  application: string;
  /** Newest first. */
  drills: { run: RunHeader; result: DrillResult }[];
}

/**
 * An application's folder: its name where that is a safe path segment, else the name's safe
 * letters and a hash (the same address on disk, in a bucket and in a link, whatever the name).
 */
const segment = (name: string) =>
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/.test(name)
    ? name
    : `${name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 40)}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
const folder = (application: string) => `drills/${segment(application)}`;
export const drillPath = (application: string, id: string) =>
  `${folder(application)}/${encodeURIComponent(id)}.html`;

export async function drillPages(
  store: HistoryStore,
  limit: number,
  files: SiteFile[],
  skipped: SkippedRun[],
): Promise<DrillRow[]> {
  const rows = new Map<string, DrillRow>();
  for (const run of await store.list({ kind: "drill", limit })) {
    let result: DrillResult | undefined;
    let reason = "it is listed but its result is missing";
    try {
      const stored = await store.get(run.id);
      if (stored?.kind === "drill") result = stored.result;
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (!result) {
      skipped.push({ id: run.id, startedAt: run.startedAt, reason });
      continue;
    }
    const app = result.application;
    const page = (title: string) =>
      formatDrillHtml(result, title, { href: "../../index.html", label: "all runs" });
    files.push({
      path: drillPath(app, run.id),
      body: page(`drctl drill report: ${result.drill} (${run.id})`),
      contentType: "text/html; charset=utf-8",
    });
    files.push({
      path: `${folder(app)}/${encodeURIComponent(run.id)}.json`,
      body: JSON.stringify(result, null, 2),
      contentType: "application/json",
    });
    const row = rows.get(app);
    if (row) row.drills.push({ run, result });
    else {
      rows.set(app, { application: app, drills: [{ run, result }] });
      files.push({
        path: `${folder(app)}/latest.html`,
        body: page(`drctl drill report: ${result.drill} (${run.id}, latest)`),
        contentType: "text/html; charset=utf-8",
      });
    }
  }
  return [...rows.values()].sort((a, b) => a.application.localeCompare(b.application));
}

/**
 * RTO (blue) and RPO (purple) of each drill that ran to its end, oldest left (a refused or
 * interrupted one measured nothing to compare); targets dashed; a missed one ringed red, a lower
 * bound drawn hollow.
 */
export function drillTrend(row: DrillRow): string {
  const drills = [...row.drills].reverse().filter((d) => d.result.outcome === "completed");
  if (drills.length < 2) return "";
  const W = 360;
  const H = 90;
  const figures = (pick: (p: DrillResult["failover"]) => MeasuredTarget) =>
    drills.map((d) => pick(d.result.failover));
  const rto = figures((p) => p.rto);
  const rpo = figures((p) => p.rpo);
  const values = [...rto, ...rpo].flatMap((t) => [t.measuredSeconds ?? 0, t.targetSeconds ?? 0]);
  const max = Math.max(1, ...values);
  const x = (i: number) => 8 + (i * (W - 16)) / (drills.length - 1);
  const y = (v: number) => H - 6 - (v / max) * (H - 14);
  const series = (ts: MeasuredTarget[], colour: string, name: string) => {
    const points = ts
      .map((t, i) =>
        t.measuredSeconds === null ? null : `${x(i).toFixed(1)},${y(t.measuredSeconds).toFixed(1)}`,
      )
      .filter((p): p is string => p !== null)
      .join(" ");
    const dots = ts
      .map((t, i) =>
        t.measuredSeconds === null
          ? ""
          : `<circle cx="${x(i).toFixed(1)}" cy="${y(t.measuredSeconds).toFixed(1)}" r="3" fill="${t.atLeast ? "#fff" : colour}"${t.atLeast ? ` data-lower-bound="true"` : ""}${t.met === false || t.atLeast ? ' stroke="#c0392b" stroke-width="2"' : ""}><title>${e(`${name} ${figureText(t)}${t.targetSeconds !== null ? `, target ${t.targetSeconds} s: ${isMet(t) ? "met" : "not met"}` : ""}`)}</title></circle>`,
      )
      .join("");
    const target = ts.at(-1)?.targetSeconds;
    const targetLine =
      target === null || target === undefined
        ? ""
        : `<line x1="0" x2="${W}" y1="${y(target).toFixed(1)}" y2="${y(target).toFixed(1)}" stroke="${colour}" stroke-dasharray="4 3" opacity="0.6"><title>${e(`${name} target ${target} s`)}</title></line>`;
    return `${targetLine}<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>${dots}`;
  };
  return `<svg role="img" aria-label="${e(`RTO and RPO of the drills of ${row.application}, oldest to newest`)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${series(rto, "#2e5c8a", "RTO")}${series(rpo, "#8e44ad", "RPO")}</svg>`;
}

/** A figure, its target and its verdict; a drill that did not run to its end is not judged. */
function cell(t: MeasuredTarget, outcome: DrillResult["outcome"]): string {
  const target = `<td class="n">${t.targetSeconds === null ? "-" : `${t.targetSeconds} s`}</td>`;
  if (outcome !== "completed")
    return `<td class="n">${e(outcome === "refused" ? "not measured" : figureText(t))}</td>${target}<td>${e(outcome)}</td>`;
  const met = isMet(t);
  const cls = t.met === false || (t.met && !met) ? "missed" : met ? "met" : "";
  const verdict =
    t.met === null ? (t.targetSeconds === null ? "no target" : "not judged") : met ? "met" : "not met";
  return `<td class="n">${e(figureText(t))}</td>${target}<td class="${cls}">${verdict}</td>`;
}

export function drillsSection(rows: DrillRow[]): string {
  if (rows.length === 0) return "";
  const apps = rows
    .map((row) => {
      const body = row.drills
        .map(
          ({ run, result: r }) =>
            `<tr><td><a href="${e(drillPath(row.application, run.id))}">${e(run.id)}</a></td><td>${e(r.drill)}</td><td>${e(run.startedAt)}</td><td>${e(r.outcome)}${r.fault.reverted ? "" : " <strong>(fault not reverted)</strong>"}</td>${cell(r.failover.rto, r.outcome)}${cell(r.failover.rpo, r.outcome)}<td class="n">${r.failover.lostWrites}</td><td><a href="${e(folder(row.application))}/${e(encodeURIComponent(run.id))}.json">json</a></td></tr>`,
        )
        .join("");
      const trend = drillTrend(row);
      return `<h3>${e(row.application)}</h3>
<p>${row.drills.length} drills, newest first. <a href="${e(folder(row.application))}/latest.html">Latest drill report</a>.</p>
${trend ? `<figure style="margin:0 0 1rem">${trend}<figcaption style="color:#6b7280">RTO (blue) and RPO (purple) of each drill that ran to its end, oldest to newest; targets dashed; a missed target ringed red, a lower bound (at least) hollow.</figcaption></figure>` : ""}
<table><thead><tr><th>drill</th><th>name</th><th>started</th><th>outcome</th><th>RTO</th><th>target</th><th></th><th>RPO</th><th>target</th><th></th><th>lost writes</th><th>data</th></tr></thead><tbody>${body}</tbody></table>`;
    })
    .join("\n");
  return `<h2>Drills</h2>
<style>.met{color:#1e8449}.missed{color:#c0392b}</style>
${apps}`;
}
