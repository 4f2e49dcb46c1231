import type { DrillPhase, DrillResult, MeasuredTarget } from "../core/drill-result.js";
import { judgeDrill } from "../core/drill-verdict.js";
import { formatDuration, formatMeasured } from "../util/duration.js";

/** A figure as measured: never finer than its resolution, "at least" where it is a lower bound. */
export function figureText(t: MeasuredTarget): string {
  if (t.measuredSeconds === null) return "not measured";
  const { value, within } = formatMeasured(t.measuredSeconds, t.resolutionSeconds);
  return `${t.atLeast ? "at least " : ""}${value} (± ${within})`;
}

/** Met only when measured, not a lower bound, and within its target (whatever an older record says). */
export const isMet = (t: MeasuredTarget) => t.met === true && !t.atLeast && t.measuredSeconds !== null;

export function verdictText(t: MeasuredTarget): string {
  if (t.targetSeconds === null) return t.met === false ? "not met" : "no target";
  return `target ${formatDuration(t.targetSeconds)}: ${t.met === null ? "not judged" : isMet(t) ? "met" : "NOT MET"}`;
}

/** What became of the fault: never "reverted" for one that was never injected. */
export function faultState(r: DrillResult): string {
  if (!r.fault.reverted) return "NOT REVERTED";
  const never =
    r.fault.injected === false ||
    (r.fault.injected === undefined &&
      (r.outcome === "refused" || r.timeline.every((t) => t.kind !== "fault")));
  return never
    ? `not injected (${r.outcome === "refused" ? "the drill was refused" : "stopped before it"})`
    : "reverted";
}

function phaseLines(name: string, p: DrillPhase): string[] {
  return [
    `${name}:`,
    `  RTO            ${figureText(p.rto).padEnd(26)} ${verdictText(p.rto)}`,
    `  RPO            ${figureText(p.rpo).padEnd(26)} ${verdictText(p.rpo)}`,
    `  lost writes    ${p.lostWrites}`,
    `  detected after ${p.detectSeconds === null ? "-" : `${p.detectSeconds} s`}`,
    ...(p.rto.note ? [`  (RTO: ${p.rto.note})`] : []),
    ...(p.rpo.note && p.rpo.measuredSeconds !== null ? [`  (RPO: ${p.rpo.note})`] : []),
    ...(p.steps.length
      ? [
          "  STEP                      START     TOOK  OUTCOME",
          ...p.steps.map(
            (s) =>
              `  ${s.id.padEnd(24)} ${`+${(s.startSeconds ?? 0).toFixed(1)}s`.padStart(7)} ${`${s.seconds.toFixed(1)}s`.padStart(7)}  ${s.outcome}`,
          ),
        ]
      : []),
  ];
}

/** The terminal report of a drill: its figures against the targets, then its timeline from the fault. */
export function formatDrillText(r: DrillResult): string {
  const fault = r.timeline.find((t) => t.kind === "fault");
  const zero = fault ? Date.parse(fault.at) : Date.parse(r.startedAt);
  const offset = (at: string) => {
    const s = (Date.parse(at) - zero) / 1000;
    return `${s >= 0 ? "+" : "-"}${Math.abs(s).toFixed(1)}s`;
  };
  const probes = Object.entries(r.probes).map(
    ([region, by]) =>
      `${region} ${Object.entries(by)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ")}`,
  );
  return [
    `drill ${r.drill} (${r.id ?? "?"}) of ${r.application}: ${judgeDrill(r).headline}`,
    `fault: ${r.fault.kind} ${r.fault.subject}: ${faultState(r)}`,
    ...(r.fault.scope ? [`fault scope: ${r.fault.scope} (${r.fault.reason ?? ""})`] : []),
    ...phaseLines("failover", r.failover),
    ...(r.failback ? phaseLines("failback", r.failback) : []),
    `probes: ${probes.join("; ") || "none"}`,
    "timeline (from the fault):",
    ...r.timeline.map((t) => `  ${offset(t.at).padStart(8)}  ${t.kind.padEnd(22)} ${t.message}`),
    ...r.findings
      .filter((f) => f.status !== "pass")
      .map((f) => `  ${f.severity.toUpperCase().padEnd(8)} ${f.ruleId}  ${f.message}`),
    ...(r.unfinished ?? []).map((u) => `drctl: ${u}`),
  ].join("\n");
}

/**
 * One line of a drill's verdict, for the history list: "RTO 0.25 s met, RPO 0 s met" for a drill
 * that ran to its end; its headline for one refused, interrupted or unfinished (its figures,
 * partial or none, are never shown as a verdict).
 */
export function drillVerdict(r: DrillResult): string {
  const verdict = judgeDrill(r);
  if (r.outcome !== "completed" || verdict.exit === 3) return verdict.headline;
  const one = (name: string, t: MeasuredTarget) => {
    if (t.measuredSeconds === null) return `${name} not measured${t.met === false ? " (NOT MET)" : ""}`;
    const value = `${t.atLeast ? "at least " : ""}${Number(t.measuredSeconds.toFixed(3))} s`;
    return `${name} ${value} ${t.targetSeconds === null ? "(no target)" : isMet(t) ? "met" : "NOT MET"}`;
  };
  const lost = r.failover.lostWrites > 0 ? `, ${r.failover.lostWrites} lost writes` : "";
  return `${one("RTO", r.failover.rto)}, ${one("RPO", r.failover.rpo)}${lost}`;
}
