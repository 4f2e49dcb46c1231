/**
 * The phases of a drill, in order, and the walk through them: a first run walks them all, a
 * resume from the one after the last the journal says finished.
 */
import type { AwsClients } from "../../aws/client-factory.js";
import { PHASE_NAMES, type DrillOutcome, type DrillState, type Journaled, type PhaseName } from "../state.js";
import { baselinePhase } from "./baseline.js";
import { endPhase } from "./end.js";
import { failbackPhase } from "./failback.js";
import { failoverPhase } from "./failover.js";
import { faultPhase } from "./fault.js";
import type { Phase } from "./phase.js";
import { preflightPhase } from "./preflight.js";
import { revertPhase } from "./revert.js";

export const PHASES: readonly Phase[] = [
  preflightPhase,
  baselinePhase,
  faultPhase,
  failoverPhase,
  revertPhase,
  failbackPhase,
  endPhase,
];

/** The last phase a drill's journal says finished (its run exists: the preflight at least). */
export function lastFinished(events: readonly Journaled[]): PhaseName {
  const done = events.flatMap((e) => (e.t === "done" ? [PHASE_NAMES.indexOf(e.phase)] : []));
  return PHASE_NAMES[Math.max(0, ...done)] ?? "preflight";
}

/** Walks the phases from `from` on, each finished one journaled, until one ends the drill. */
export async function walk(aws: AwsClients, state: DrillState, from: PhaseName): Promise<DrillOutcome> {
  for (const phase of PHASES.slice(PHASE_NAMES.indexOf(from))) {
    const end = await phase.run(aws, state);
    if (typeof end === "object") return end.outcome;
    if (end === "finished") await state.event({ t: "done", phase: phase.name });
  }
  throw new Error("the drill's end phase did not end it");
}
