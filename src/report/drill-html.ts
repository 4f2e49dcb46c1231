import type { DrillPhase, DrillResult, DrillSample } from "../core/drill-result.js";
import { formatDuration } from "../util/duration.js";
import { faultState, figureText, isMet, verdictText } from "./drill-text.js";
import { escapeHtml as e } from "./escape.js";
import { findingRow, STYLE } from "./html.js";

const DRILL_STYLE = `.met{color:#1e8449}.missed{color:#c0392b}svg text{font:11px sans-serif}`;
const W = 900;
const H = 340;
const PAD = { left: 56, right: 16, top: 34, bottom: 56 };

/** Colour of a probe: by the side that answered it; failures red. */
const colour = (s: DrillSample) =>
  !s.ok ? "#c0392b" : s.side === "standby" ? "#1e8449" : s.side === "primary" ? "#2e5c8a" : "#7f8c8d";

/**
 * The chart: every probe over time (x) by its latency (y), coloured by the region that answered
 * (failures in red at the top), the fault, the runbook's steps, the RTO and RPO marks and the
 * failback. Static SVG: no script, every label escaped.
 */
export function drillChart(r: DrillResult): string {
  const samples = r.samples ?? [];
  const fault = r.timeline.find((t) => t.kind === "fault");
  const times = [...samples.map((s) => s.at), ...r.timeline.map((t) => Date.parse(t.at))].filter((t) =>
    Number.isFinite(t),
  );
  if (times.length < 2) return `<p class="muted">No probe was recorded.</p>`;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const maxMs = Math.max(10, ...samples.filter((s) => s.ok).map((s) => s.ms));
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (ms: number) => H - PAD.bottom - (Math.min(ms, maxMs) / maxMs) * (H - PAD.top - PAD.bottom - 14);
  const zero = fault ? Date.parse(fault.at) : t0;
  const dots = samples
    .map((s) => {
      const cx = x(s.at).toFixed(1);
      const title = `<title>${e(`${s.endpoint} ${((s.at - zero) / 1000).toFixed(1)} s: ${s.ok ? "ok" : "failed"} ${s.status ?? ""} ${s.region ?? ""} ${s.ms} ms ${s.error ?? ""}`)}</title>`;
      return s.ok
        ? `<circle cx="${cx}" cy="${y(s.ms).toFixed(1)}" r="2.5" fill="${colour(s)}">${title}</circle>`
        : `<path d="M${Number(cx) - 3},${PAD.top + 2} l6,6 m0,-6 l-6,6" stroke="#c0392b" stroke-width="1.5">${title}</path>`;
    })
    .join("");
  const line = (t: number, label: string, stroke: string, row: number) => {
    const lx = x(t).toFixed(1);
    return `<line x1="${lx}" x2="${lx}" y1="${PAD.top - 4}" y2="${H - PAD.bottom}" stroke="${stroke}" stroke-dasharray="4 3"/>${
      // A label near the right edge is written leftwards of its line.
      Number(lx) > W - 190
        ? `<text x="${Number(lx) - 3}" y="${12 + row * 11}" fill="${stroke}" text-anchor="end">${e(label)}</text>`
        : `<text x="${Number(lx) + 3}" y="${12 + row * 11}" fill="${stroke}">${e(label)}</text>`
    }`;
  };
  const marks: string[] = [];
  if (fault) marks.push(line(Date.parse(fault.at), "fault", "#c0392b", 0));
  const phase = (p: DrillPhase | null, name: string, row: number) => {
    if (!p?.from) return;
    const from = Date.parse(p.from);
    if (p.recoveredAt)
      marks.push(line(Date.parse(p.recoveredAt), `${name} RTO ${figureText(p.rto)}`, "#1e8449", row));
    if (name === "failover" && p.rpo.measuredSeconds !== null)
      marks.push(line(from - p.rpo.measuredSeconds * 1000, `RPO ${figureText(p.rpo)}`, "#8e44ad", row + 1));
    for (const s of p.steps) {
      const sx = x(from + (s.startSeconds ?? 0) * 1000);
      const sw = Math.max(2, x(from + ((s.startSeconds ?? 0) + s.seconds) * 1000) - sx);
      marks.push(
        `<rect x="${sx.toFixed(1)}" y="${H - PAD.bottom + 4}" width="${sw.toFixed(1)}" height="8" fill="#b9770e" opacity="0.7"><title>${e(`${s.id} (${s.kind}) ${s.seconds} s ${s.outcome}`)}</title></rect>`,
      );
    }
  };
  phase(r.failover, "failover", 1);
  const back = r.timeline.find((t) => t.kind === "failback-start");
  if (back) marks.push(line(Date.parse(back.at), "failback", "#2e5c8a", 0));
  phase(r.failback, "failback", 2);
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const t = t0 + f * (t1 - t0);
      return `<text x="${x(t).toFixed(1)}" y="${H - PAD.bottom + 26}" text-anchor="middle">${e(`${((t - zero) / 1000).toFixed(1)} s`)}</text>`;
    })
    .join("");
  const legend = [
    ["#2e5c8a", r.endpoints ? "primary" : "primary"],
    ["#1e8449", "standby"],
    ["#7f8c8d", "region not named"],
    ["#c0392b", "failed"],
  ]
    .map(
      ([c, l], i) =>
        `<rect x="${PAD.left + i * 120}" y="${H - 16}" width="8" height="8" fill="${c}"/><text x="${PAD.left + 12 + i * 120}" y="${H - 8}">${e(l)}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${e(`probes of drill ${r.drill}: outcome and latency over time by region`)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" style="max-width:100%;height:auto;background:#fff;border:1px solid #ddd">
<text x="4" y="${PAD.top + 8}">${e(`${maxMs} ms`)}</text><text x="4" y="${H - PAD.bottom}">0 ms</text>
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#999"/>
${marks.join("\n")}
${dots}
${ticks}${legend}
</svg>`;
}

function phaseTable(name: string, p: DrillPhase): string {
  const row = (what: string, t: DrillPhase["rto"]) =>
    `<tr><td>${e(what)}</td><td class="n">${e(figureText(t))}</td><td class="${t.met === false ? "missed" : isMet(t) ? "met" : ""}">${e(verdictText(t))}</td><td>${e(t.note ?? "")}</td></tr>`;
  return `<h2>${e(name)}</h2><table><thead><tr><th>figure</th><th>measured</th><th>target</th><th>how</th></tr></thead><tbody>
${row("RTO", p.rto)}${row("RPO", p.rpo)}
<tr><td>lost writes</td><td class="n">${p.lostWrites}</td><td></td><td>acknowledged canary writes before the ${name === "Failover" ? "fault" : "failback"} that never appeared</td></tr>
<tr><td>detected after</td><td class="n">${p.detectSeconds === null ? "-" : `${p.detectSeconds} s`}</td><td></td><td>the first answer that was not a success from the side serving</td></tr>
</tbody></table>${
    p.steps.length
      ? `<table><thead><tr><th>step</th><th>kind</th><th>start</th><th>took</th><th>outcome</th></tr></thead><tbody>${p.steps
          .map(
            (s) =>
              `<tr><td>${e(s.id)}</td><td><code>${e(s.kind)}</code></td><td class="n">+${e((s.startSeconds ?? 0).toFixed(1))} s</td><td class="n">${e(s.seconds.toFixed(1))} s</td><td>${e(s.outcome)}</td></tr>`,
          )
          .join("")}</tbody></table>`
      : ""
  }`;
}

/** One self-contained page of a drill (no scripts, every value escaped): figures, chart, timeline. */
export function formatDrillHtml(
  r: DrillResult,
  title = `drctl drill report: ${r.drill}`,
  nav?: { href: string; label: string },
): string {
  const fault = r.timeline.find((t) => t.kind === "fault");
  const zero = fault ? Date.parse(fault.at) : Date.parse(r.startedAt);
  const findings = r.findings
    .filter((f) => f.status !== "pass")
    .map((f) => findingRow(f))
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${STYLE}${DRILL_STYLE}</style></head><body>
${nav ? `<p><a href="${e(nav.href)}">${e(nav.label)}</a></p>` : ""}<h1>${e(title)}</h1>
<p class="muted">${e(r.id ?? "")} · application ${e(r.application)} · ${e(r.outcome)} · started ${e(r.startedAt)} · fault ${e(r.fault.kind)} ${e(r.fault.subject)} (${e(faultState(r))}) · runbook ${e(r.runbook ?? "none")} · probes every ${e(formatDuration(r.probe?.intervalSeconds ?? 1))}, ${e(r.probe?.consecutive ?? "?")} in a row</p>
${(r.unfinished ?? []).map((u) => `<p class="missed"><strong>${e(u)}</strong></p>`).join("")}
${drillChart(r)}
${phaseTable("Failover", r.failover)}
${r.failback ? phaseTable("Failback", r.failback) : ""}
<h2>Timeline</h2><table><thead><tr><th>from the fault</th><th>event</th><th>what</th></tr></thead><tbody>${r.timeline
    .map(
      (t) =>
        `<tr><td class="n">${e(((Date.parse(t.at) - zero) / 1000).toFixed(1))} s</td><td>${e(t.kind)}</td><td>${e(t.message)}</td></tr>`,
    )
    .join("")}</tbody></table>
<h2>Probes</h2><table><thead><tr><th>region</th><th>answers</th></tr></thead><tbody>${Object.entries(r.probes)
    .map(
      ([region, by]) =>
        `<tr><td>${e(region)}</td><td>${e(
          Object.entries(by)
            .map(([k, n]) => `${n} ${k}`)
            .join(", "),
        )}</td></tr>`,
    )
    .join("")}</tbody></table>
<h2>Findings</h2>
${findings ? `<table><thead><tr><th>severity</th><th>status</th><th>rule and path</th><th>what is wrong, and the fix</th><th>primary</th><th>standby</th></tr></thead><tbody>${findings}</tbody></table>` : '<p class="pass">No findings.</p>'}
</body></html>
`;
}
