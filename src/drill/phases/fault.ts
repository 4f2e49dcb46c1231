/**
 * The fault: the drill's own run's one step, run by the runbook engine (its intent journaled
 * before its call). A first run stops the canaries' writes first (the RPO is about writes
 * acknowledged before it) and injects it; a resume brings the step a killed process left to its
 * end, a fault in doubt counted as done: a fault is reverted, never injected again.
 */
import type { AwsClients } from "../../aws/client-factory.js";
import { executeRunbook, type RunResult } from "../../runbook/engine.js";
import type { StepRecord } from "../../runbook/journal.js";
import { endedUnmeasured } from "../record.js";
import { revertAndEnd } from "../runs.js";
import { FAULT_STEP, type DrillState, type Live } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** Not in place, or not known to be: what may be there reverted, then the drill ends. */
async function faultFailed(
  aws: AwsClients,
  state: DrillState,
  live: Live,
  faultRun: RunResult,
  faultRecord: StepRecord | undefined,
): Promise<PhaseEnd> {
  const why = faultRecord?.error ?? faultRun.run.status;
  state.unfinished.push(`the fault could not be injected: ${why}`);
  await live.prober.stop();
  await state.removeMarkers(state.stores ?? []);
  if (faultRecord?.intent) await revertAndEnd(aws, state, state.faultLoaded, false);
  await state.unlock();
  state.reverted = faultRecord?.intent ? state.unfinished.length === 1 : true;
  const samples = live.prober.samples();
  return {
    outcome: endedUnmeasured(state, "interrupted", `the fault could not be injected: ${why}`, samples),
  };
}

async function inject(aws: AwsClients, state: DrillState, live: Live): Promise<PhaseEnd> {
  const { drill, journal, id } = state;
  for (const w of live.writers) await w.stop();
  await state.flush();
  state.say(`fault: ${drill.fault.kind}`);
  const faultRun = await executeRunbook(
    aws,
    journal,
    state.faultLoaded,
    state.runOptions({ resumeRunId: id }),
  );
  state.runs.fault = id;
  const faultRecord = faultRun.steps.find((s) => s.stepId === FAULT_STEP);
  // Sent (its intent journaled) is injected, or may be: a revert is then owed.
  state.injected = faultRun.run.status === "succeeded" || Boolean(faultRecord?.intent);
  const injectedAt = faultRecord?.outputs.injectedAt ?? faultRecord?.intent?.applied?.injectedAt;
  state.faultAt = injectedAt ? Date.parse(injectedAt) : Date.now();
  if (faultRun.run.status !== "succeeded") return faultFailed(aws, state, live, faultRun, faultRecord);
  await state.mark(
    "fault",
    state.faultAt,
    `${drill.fault.kind} in place: ${faultRecord?.plan ?? ""}`,
    drill.fault.kind,
  );
  return "finished";
}

/** A resume: the fault's step brought to its end (never sent again), or said never to have come. */
async function finish(aws: AwsClients, state: DrillState): Promise<PhaseEnd> {
  const { journal, id } = state;
  const fault = (await journal.steps(id)).find((s) => s.stepId === FAULT_STEP);
  state.injected = fault !== undefined && (fault.status === "succeeded" || fault.intent !== null);
  if (!fault || !state.injected) {
    await journal.updateStep(id, FAULT_STEP, {
      status: "skipped",
      error: "not run: the drill was interrupted before its fault",
    });
    await journal.updateRun(id, { status: "interrupted", finishedAt: new Date().toISOString() });
    await state.mark(
      "interrupted",
      Date.now(),
      "the drill was interrupted before its fault: nothing to revert",
    );
    return "finished";
  }
  if ((await journal.run(id))?.status !== "succeeded") {
    // A fault is reverted, never injected again: one in doubt counts as done.
    if (fault.status !== "succeeded" && fault.intent && !fault.intent.appliedAt)
      await journal.decide(
        id,
        FAULT_STEP,
        fault.intent.at,
        "done",
        "drctl drill resume (a fault is reverted, never injected again)",
      );
    await state.resume(id, state.faultLoaded, aws);
  }
  return "finished";
}

export const faultPhase: Phase = {
  name: "fault",
  run: (aws, state) => (state.live ? inject(aws, state, state.live) : finish(aws, state)),
};
