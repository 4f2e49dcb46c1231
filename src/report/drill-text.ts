import type { DrillPhase, DrillResult, MeasuredTarget } from "../core/drill-result.js";
import { formatDuration, formatMeasured } from "../util/duration.js";

/** A figure as measured: never finer than its resolution, "at least" where it is a lower bound. */
export function figureText(t: MeasuredTarget): string {
  if (t.measuredSeconds === null) return "not measured";
  const { value, within } = formatMeasured(t.measuredSeconds, t.resolutionSeconds);
  return `${t.atLeast ? "at least " : ""}${value} (± ${within})`;
}

export function verdictText(t: MeasuredTarget): string {
  if (t.targetSeconds === null) return t.met === false ? "not met" : "no target";
  return `target ${formatDuration(t.targetSeconds)}: ${t.met === null ? "unknown" : t.met ? "met" : "NOT MET"}`;
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
    `drill ${r.drill} (${r.id ?? "?"}) of ${r.application}: ${r.outcome}`,
    `fault: ${r.fault.kind} ${r.fault.subject}: ${r.fault.reverted ? "reverted" : "NOT REVERTED"}`,
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

/** One line of a drill's verdict, for the history list: "RTO 0.25 s met, RPO 0 s met". */
export function drillVerdict(r: DrillResult): string {
  if (r.outcome === "refused") return "refused (not started)";
  const one = (name: string, t: MeasuredTarget) => {
    if (t.measuredSeconds === null) return `${name} not measured`;
    const value = `${t.atLeast ? "at least " : ""}${Number(t.measuredSeconds.toFixed(3))} s`;
    return `${name} ${value} ${t.targetSeconds === null ? "(no target)" : t.met ? "met" : "NOT MET"}`;
  };
  const lost = r.failover.lostWrites > 0 ? `, ${r.failover.lostWrites} lost writes` : "";
  const state =
    r.outcome === "interrupted" ? "interrupted: " : r.fault.reverted ? "" : "FAULT NOT REVERTED: ";
  return `${state}${one("RTO", r.failover.rto)}, ${one("RPO", r.failover.rpo)}${lost}`;
}
