/**
 * A drill's verdict: its exit code and its headline from one function, so the two always agree.
 *   3  could not finish: the fault not reverted, the drill interrupted, something left undone
 *   1  refused to start, a target missed, a target with no figure, writes lost
 *   0  every figure measured and every target met (or none set), no write lost
 * A lower bound ("at least") is never met; a figure that was not measured is never a pass.
 */
import type { DrillPhase, DrillResult, MeasuredTarget } from "./drill-result.js";
import { formatDuration } from "../util/duration.js";

export interface DrillVerdict {
  exit: 0 | 1 | 3;
  /** One line: what happened and why ("completed: every target met"). */
  headline: string;
}

const seconds = (t: MeasuredTarget) =>
  t.measuredSeconds === null
    ? "not measured"
    : `${t.atLeast ? "at least " : ""}${Number(t.measuredSeconds.toFixed(3))} s`;

/** Why a figure fails the drill, or undefined when it does not. */
function missed(name: string, t: MeasuredTarget): string | undefined {
  // null: not judged (no target, a failback that could not be measured, a phase interrupted).
  if (t.met === null) return undefined;
  // A lower bound or a missing figure is never a pass, whatever an older record says.
  if (t.met && !t.atLeast && t.measuredSeconds !== null) return undefined;
  const target = t.targetSeconds === null ? "" : ` (target ${formatDuration(t.targetSeconds)})`;
  return t.measuredSeconds === null
    ? `${name} not measured${target}`
    : `${name} ${seconds(t)} NOT MET${target}`;
}

function phaseMisses(name: string, p: DrillPhase | null): string[] {
  if (!p) return [];
  const prefix = name === "failover" ? "" : `${name} `;
  return [
    missed(`${prefix}RTO`, p.rto),
    missed(`${prefix}RPO`, p.rpo),
    p.lostWrites > 0
      ? `${p.lostWrites} lost write${p.lostWrites === 1 ? "" : "s"}${prefix ? ` (${name})` : ""}`
      : undefined,
  ].filter((x): x is string => x !== undefined);
}

/** Why a refused drill did not start: what the record says, once. */
const refusal = (r: DrillResult) =>
  (r.failover.rto.note ?? "").replace(/^not measured: /, "") || "the drill was not started";

const lastInterrupt = (r: DrillResult) => r.timeline.filter((t) => t.kind === "interrupted").at(-1)?.message;

/** The exit code and the headline of a drill's record, derived together. */
export function judgeDrill(r: DrillResult): DrillVerdict {
  const unfinished = r.unfinished ?? [];
  if (!r.fault.reverted)
    return {
      exit: 3,
      headline: `FAULT NOT REVERTED: ${unfinished[0] ?? `drctl drill resume ${r.id ?? "ID"} --execute reverts it`}`,
    };
  if (r.outcome === "interrupted")
    return {
      exit: 3,
      headline: `interrupted: ${unfinished[0] ?? lastInterrupt(r) ?? "its figures are partial"}`,
    };
  if (unfinished.length > 0) return { exit: 3, headline: `could not finish: ${unfinished.join("; ")}` };
  if (r.outcome === "refused") return { exit: 1, headline: `refused (not started): ${refusal(r)}` };
  const misses = [...phaseMisses("failover", r.failover), ...phaseMisses("failback", r.failback)];
  if (misses.length > 0) return { exit: 1, headline: `completed, not passed: ${misses.join("; ")}` };
  const judged = [r.failover.rto, r.failover.rpo].some((t) => t.targetSeconds !== null);
  return { exit: 0, headline: judged ? "completed: every target met" : "completed (no target set)" };
}
