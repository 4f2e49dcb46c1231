/** drctl runbook approve: an approval at a gate the run waits at, or a person's decision on a step in doubt. */
import { STEP_KINDS } from "../catalog.js";
import { InputError } from "../errors.js";
import { START_GATE } from "../runbook/engine.js";
import type { Journal, StepRecord } from "../runbook/journal.js";
import { loadRunbook } from "../runbook/load.js";

/**
 * Records an approval (an approval gate the run waits at) or a decision (a step in doubt).
 * Anything else is refused with exit 2: a step that is no gate, a run that does not wait on it.
 */
export async function approve(
  journal: Journal,
  runId: string,
  stepId: string,
  by: string,
  done: boolean,
): Promise<string> {
  const run = await journal.run(runId);
  if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
  const steps = await journal.steps(runId);
  const step = steps.find((s) => s.stepId === stepId);
  if (!step)
    throw new InputError(
      `run ${runId} has no step ${stepId} (its steps: ${steps.map((s) => s.stepId).join(", ")})`,
    );
  if (run.status === "succeeded")
    throw new InputError(`run ${runId} has succeeded: nothing in it waits for approval`);
  if (step.status === "in-doubt") {
    const intentAt = step.intent?.at ?? step.startedAt ?? "";
    await journal.decide(runId, stepId, intentAt, done ? "done" : "redo", by);
    return done
      ? `decided by ${by}: ${stepId} of ${runId} happened; resuming goes on without running it again`
      : `decided by ${by}: ${stepId} of ${runId} runs again when the run resumes`;
  }
  if (done) throw new InputError(`--done decides a step in doubt; ${stepId} of ${runId} is ${step.status}`);
  const kindOf = (s: StepRecord) => s.kind ?? (s.stepId === START_GATE ? STEP_KINDS.gate : undefined);
  let kind = kindOf(step);
  if (!kind)
    try {
      kind = loadRunbook(STEP_KINDS, run.file, run.set).runbook.steps.find((s) => s.id === stepId)?.kind;
    } catch {
      // The runbook is elsewhere: the journal of an older drctl does not say; refused below.
    }
  const isGate = (k: string | undefined) => STEP_KINDS.get(k ?? "")?.gate === true;
  const gates = steps.filter((s) => isGate(kindOf(s)));
  if (!isGate(kind))
    throw new InputError(
      `${stepId} is ${kind ? `a ${kind} step` : "a step of unknown kind"}, not an approval gate (this run's gates: ${gates.map((g) => g.stepId).join(", ") || "none"})`,
    );
  if (step.status === "succeeded" || step.status === "skipped")
    throw new InputError(`${stepId} of ${runId} is ${step.status}: the run does not wait on it`);
  // A gate between two turns of the cloud workflow is pending again, having started: it waits.
  if (step.status === "pending" && step.startedAt === null)
    throw new InputError(
      `run ${runId} does not wait on ${stepId} yet (the run has not reached it); approve it once it does`,
    );
  await journal.approve(runId, stepId, by);
  const given = await journal.approval(runId, stepId);
  return given && given.by !== by
    ? `${stepId} of ${runId} was already approved by ${given.by} at ${given.at}`
    : `approved ${stepId} of ${runId} as ${by}`;
}
