/**
 * The end: the probes stopped, the markers removed on both sides, the lock freed (when nothing
 * is left for a resume to do), the end journaled and the record made. A first run interrupted
 * after its failover started ends resumable; a resume ends the drill as interrupted.
 */
import type { DrillResult } from "../../core/drill-result.js";
import { errorMessage, type CanaryStore } from "../canaries.js";
import { interruptedRecord, notMeasured, outcomeOf, record } from "../record.js";
import type { DrillOutcome, DrillState, Live } from "../state.js";
import type { Phase } from "./phase.js";

/** Says on the timeline why a first run ends interrupted, and what a resume would finish. */
async function markInterrupts(state: DrillState): Promise<void> {
  if (state.stoppedInFailback && !state.interrupted)
    await state.mark(
      "interrupted",
      Date.now(),
      "interrupted (SIGINT/SIGTERM) while waiting for the primary region to serve again: the fault was reverted, the failback's figures are partial",
    );
  if (!state.interrupted) return;
  await state.mark("interrupted", Date.now(), "interrupted (SIGINT/SIGTERM): the fault was reverted");
  if (state.runs.failover)
    state.unfinished.push(
      `the failover run ${state.runs.failover} changed things: drctl drill resume ${state.id} --execute brings it to its end and fails back`,
    );
}

async function endRun(state: DrillState, live: Live): Promise<DrillOutcome> {
  if (live.flushing) clearInterval(live.flushing);
  await live.prober.stop();
  await state.removeMarkers(state.stores ?? []);
  const outcome: DrillResult["outcome"] =
    state.interrupted || state.stoppedInFailback ? "interrupted" : "completed";
  await markInterrupts(state);
  // Interrupted with a failover run started: a resume brings it to its end and fails back.
  const ended = !state.interrupted || !state.runs.failover;
  if (state.reverted && ended) await state.unlock();
  await state.event({ t: "end", outcome: ended ? outcome : "interrupted (resumable)" });
  const failover =
    state.failover ?? notMeasured(state, "the drill was interrupted before the standby served");
  return outcomeOf(record(state, outcome, failover, state.failback, live.prober.samples()), ended);
}

async function endResume(state: DrillState): Promise<DrillOutcome> {
  const stores = await state.options.canaries(state.id).catch((err: unknown) => {
    state.unfinished.push(`the canaries could not be opened to remove their markers: ${errorMessage(err)}`);
    return [] as CanaryStore[];
  });
  await state.removeMarkers(stores);
  if (state.unfinished.length === 0) await state.unlock();
  await state.event({ t: "end", outcome: "interrupted" });
  return outcomeOf(interruptedRecord(state), true);
}

export const endPhase: Phase = {
  name: "end",
  run: async (_aws, state) => ({
    outcome: state.live ? await endRun(state, state.live) : await endResume(state),
  }),
};
