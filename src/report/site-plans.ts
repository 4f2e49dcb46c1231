/**
 * The report site's DR plans: per application, a page and the Markdown of each stored plan
 * (plans/<application>/<id>.html and .md, links that never change), the newest at
 * plans/<application>/latest.html, and a table on the index.
 */
import { planDocument } from "./plan-document.js";
import type { PlanResult } from "../core/plan-result.js";
import { renderHtml } from "./plan-html.js";
import { renderMarkdown } from "./plan-markdown.js";
import type { HistoryStore, RunHeader } from "../history/types.js";
import { escapeHtml as e } from "./escape.js";
import type { SiteFile, SkippedRun } from "./site-file.js";

export interface PlanRow {
  application: string;
  newest: { run: RunHeader; result: PlanResult };
  count: number;
}

const folder = (application: string) => `plans/${encodeURIComponent(application)}`;
export const planPath = (application: string, id: string) =>
  `${folder(application)}/${encodeURIComponent(id)}.html`;

export async function planPages(
  store: HistoryStore,
  limit: number,
  files: SiteFile[],
  skipped: SkippedRun[],
): Promise<PlanRow[]> {
  const rows = new Map<string, PlanRow>();
  for (const run of await store.list({ kind: "plan", limit })) {
    let result: PlanResult | undefined;
    let reason = "it is listed but its result is missing";
    try {
      const stored = await store.get(run.id);
      if (stored?.kind === "plan") result = stored.result;
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (!result) {
      skipped.push({ id: run.id, startedAt: run.startedAt, reason });
      continue;
    }
    const blocks = planDocument(result, run.id);
    const app = result.application;
    files.push({
      path: planPath(app, run.id),
      body: renderHtml(blocks, { href: "../../index.html", label: "all runs" }),
      contentType: "text/html; charset=utf-8",
    });
    files.push({
      path: `${folder(app)}/${encodeURIComponent(run.id)}.md`,
      body: renderMarkdown(blocks),
      contentType: "text/markdown; charset=utf-8",
    });
    const row = rows.get(app);
    if (row) row.count++;
    else {
      rows.set(app, { application: app, newest: { run, result }, count: 1 });
      files.push({
        path: `${folder(app)}/latest.html`,
        body: renderHtml(blocks, { href: "../../index.html", label: "all runs" }),
        contentType: "text/html; charset=utf-8",
      });
      files.push({
        path: `${folder(app)}/latest.md`,
        body: renderMarkdown(blocks),
        contentType: "text/markdown; charset=utf-8",
      });
    }
  }
  return [...rows.values()].sort((a, b) => a.application.localeCompare(b.application));
}

export function plansTable(rows: PlanRow[]): string {
  if (rows.length === 0) return "";
  const body = rows
    .map(({ application, newest, count }) => {
      const r = newest.result.risks;
      const n = (s: string) => r.filter((k) => k.severity === s).length;
      return `<tr><td>${e(application)}</td><td><a href="${e(planPath(application, newest.run.id))}">${e(newest.run.id)}</a></td><td>${e(newest.run.startedAt)}</td><td class="n">${newest.result.components.length}</td><td class="n">${n("critical")}</td><td class="n">${n("high")}</td><td class="n">${n("medium")}</td><td class="n">${count}</td><td><a href="${e(folder(application))}/latest.md">Markdown</a></td></tr>`;
    })
    .join("");
  return `<h2>DR plans</h2>
<table><thead><tr><th>application</th><th>newest plan</th><th>written</th><th>components</th><th>critical risks</th><th>high</th><th>medium</th><th>plans kept</th><th>text</th></tr></thead><tbody>${body}</tbody></table>`;
}
