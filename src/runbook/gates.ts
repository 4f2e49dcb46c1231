/** The approval gate a run may start at, and the steps of a run behind it. */
import type { StepKinds } from "./kinds.js";
import { escapeReferences } from "./resolve.js";
import type { StepSpec } from "./schema.js";

/** The id of the approval gate a run may start at: nothing changes until it is approved. */
export const START_GATE = "approve-start";

export interface ApprovalGate {
  /** What the approver is asked (shown in the log and the journal). */
  message: string;
  /** How long to wait for the approval, counted from when the gate first started (default 24 h). */
  timeoutSeconds?: number;
}

/** `steps` behind `gate`: every step without dependencies runs after it. */
export function behindGate<S extends Pick<StepSpec, "id" | "after">>(steps: readonly S[], gate: S): S[] {
  return [gate, ...steps.map((s) => (s.after.length ? s : { ...s, after: [gate.id] }))];
}

/**
 * The steps of a run: the runbook's, behind the start gate when the run has one. Whether a run
 * has the gate is read from its journal, so a resumed run keeps it without the runbook changing.
 */
export function runSteps(
  kinds: StepKinds,
  steps: readonly StepSpec[],
  gated: boolean,
  gate: ApprovalGate = { message: "approve the start of this run" },
): StepSpec[] {
  if (!gated) return [...steps];
  return behindGate(steps, {
    id: START_GATE,
    kind: kinds.gate,
    // A message is shown, never resolved: "${" from an alarm's text stays literal.
    params: { message: escapeReferences(gate.message) },
    after: [],
    timeoutSeconds: Math.max(0.001, gate.timeoutSeconds ?? 24 * 3600),
    retries: 0,
    onFailure: "stop",
  });
}
