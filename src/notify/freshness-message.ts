import type { FreshnessResult } from "../core/freshness-result.js";
import type { FreshnessDiff } from "../freshness/diff.js";
import { escapeHtml as e } from "../report/escape.js";
import { exposureText } from "../report/freshness-text.js";
import { formatDuration } from "../util/duration.js";
import type { Message } from "./message.js";

const CELL =
  "border:1px solid #d8dde6;padding:6px 8px;text-align:left;vertical-align:top;font:13px Arial,Helvetica,sans-serif;";
const HEAD = `${CELL}background:#eef1f6;font-weight:bold;`;
const COLOUR: Record<string, string> = { ok: "#1e8449", unknown: "#b9770e" };

/** The freshness email: stores that changed status first, then every store not ok, worst first. */
export function freshnessMessage(result: FreshnessResult, diff: FreshnessDiff, reportUrl?: string): Message {
  const bad = result.stores.filter((s) => s.status !== "ok");
  const subject = `[drctl] freshness: ${bad.length} of ${result.stores.length} stores not ok; ${diff.changed.length} changed status`;
  const row = (s: (typeof result.stores)[number]) =>
    `<tr><td style="${CELL}">${e(s.store)}</td><td style="${CELL}"><code style="white-space:nowrap">${e(s.kind)}</code></td><td style="${CELL}color:${COLOUR[s.status] ?? "#c0392b"};font-weight:bold">${e(s.status)}</td><td style="${CELL}">${e(exposureText(s))} / ${e(formatDuration(s.rpoSeconds))}</td><td style="${CELL}">${e(s.message)}${s.remediation ? `<br><span style="color:#1d4e89">Fix: ${e(s.remediation)}</span>` : ""}</td></tr>`;
  const table = (rows: string) =>
    `<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%"><tr><th style="${HEAD}">store</th><th style="${HEAD}">kind</th><th style="${HEAD}">status</th><th style="${HEAD}">exposure / target</th><th style="${HEAD}">what it means, and the fix</th></tr>${rows}</table>`;
  const changes = diff.changed
    .map(
      (c) =>
        `<tr><td style="${CELL}">${e(c.store)}</td><td style="${CELL}">${e(c.kind)}</td><td style="${CELL}">${e(c.from)} → ${e(c.to)}</td></tr>`,
    )
    .join("");
  const html = `<!doctype html><html><body style="margin:0;padding:16px;background:#ffffff;color:#1d2330">
<h2 style="font:bold 18px Arial,Helvetica,sans-serif;margin:0 0 4px">${e(subject)}</h2>
<p style="font:13px Arial,Helvetica,sans-serif;color:#6b7280;margin:0 0 12px">Freshness of ${e(result.generatedAt)}${diff.from ? `, compared with run ${e(diff.from)}` : ""}.${reportUrl ? ` <a href="${e(reportUrl)}" style="color:#2e86c1">Full report</a>.` : ""}</p>
${changes ? `<h3 style="font:bold 15px Arial,Helvetica,sans-serif;margin:18px 0 6px">Changed status (${diff.changed.length})</h3><table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%"><tr><th style="${HEAD}">store</th><th style="${HEAD}">kind</th><th style="${HEAD}">status</th></tr>${changes}</table>` : ""}
${bad.length ? `<h3 style="font:bold 15px Arial,Helvetica,sans-serif;margin:18px 0 6px">Not ok (${bad.length})</h3>${table(bad.map(row).join(""))}` : ""}
</body></html>`;
  const text = [
    subject,
    "",
    ...diff.changed.map((c) => `  ${c.store} (${c.kind}): ${c.from} -> ${c.to}`),
    ...(diff.changed.length ? [""] : []),
    ...bad.map((s) => `  [${s.status}] ${s.message}${s.remediation ? `\n      fix: ${s.remediation}` : ""}`),
  ].join("\n");
  return { subject, text, html };
}
