/**
 * The failback: the failback runbook (the drill's file, generated from the failover's journal,
 * or none), after the fault's revert; a first run probes until K successes from the primary again
 * (the failback's figures). A resume brings the failover run it had started to its end first, then
 * fails back from what it did, measuring nothing.
 */
import type { AwsClients } from "../../aws/client-factory.js";
import type { RunResult } from "../../runbook/engine.js";
import { loadRunbook, type LoadedRunbook } from "../../runbook/load.js";
import { errorMessage } from "../canaries.js";
import { allStreaks, figures, notJudged, readCanaries, servedBy, stepsOf } from "../figures.js";
import { failbackRunbook } from "../runs.js";
import { anySignal, type DrillState, type Live } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** The failover run at its end: this process's, or the one a killed process started, resumed. */
async function failoverAtItsEnd(aws: AwsClients, state: DrillState): Promise<RunResult | undefined> {
  if (state.live || state.failoverRun) return state.failoverRun;
  const runbook = state.d.runbook;
  const r = state.runs.failover && runbook ? await state.journal.run(state.runs.failover) : undefined;
  if (!r || !runbook) return undefined;
  const failover = await state.atItsEnd(r, () => runbook, aws);
  if (failover.run.status !== "succeeded")
    state.unfinished.push(
      `the failover run ${r.runId} ${failover.run.status}; it is failed back from what it did`,
    );
  state.failoverRun = failover;
  return failover;
}

/** The failback run: one a killed process started, resumed; else the failover's failback, started. */
async function failbackRun(
  aws: AwsClients,
  state: DrillState,
  failover: RunResult,
): Promise<RunResult | undefined> {
  const previous = state.runs.failback ? await state.journal.run(state.runs.failback) : undefined;
  if (previous) return state.atItsEnd(previous, () => loadRunbook(state.d.kinds, previous.file), aws);
  const back: LoadedRunbook | undefined = failbackRunbook(state.d, state, failover);
  if (!back) return undefined;
  if (state.live) state.say(`failback: ${back.runbook.name} (${back.file})`);
  return state.runbook("failback", back, { undoes: failover.run.runId }, aws, false).catch((err: unknown) => {
    state.unfinished.push(`the failback runbook could not run: ${errorMessage(err)}`);
    return undefined;
  });
}

/** Fails back what the failover run did (if anything); a run that did not end is said so. */
async function failBack(aws: AwsClients, state: DrillState): Promise<RunResult | undefined> {
  const failover = await failoverAtItsEnd(aws, state);
  const back = failover ? await failbackRun(aws, state, failover) : undefined;
  if (back && back.run.status !== "succeeded")
    state.unfinished.push(
      `the failback run ${back.run.runId} ${back.run.status}: drctl runbook resume ${back.run.runId} --execute`,
    );
  return back;
}

/** Probes until the primary serves again; the failback's figures (partial when interrupted). */
async function measure(state: DrillState, live: Live, backRun: RunResult | undefined): Promise<void> {
  const { drill, failbackAt: FB, options } = state;
  const p = live.prober;
  const k = drill.probe.consecutive;
  // An interrupt here stops the wait (the fault is already reverted): the failback's figures are partial.
  const failbackEnd = anySignal([AbortSignal.timeout(drill.timeouts.failback * 1000), options.interrupt]);
  // Answers that name no region and never failed cannot show the primary back: the wait ends
  // at K successes all the same (the figure then says it was not measured).
  await p.until(
    () => (allStreaks(p, drill.endpoints, FB, k, "primary", true) ? true : undefined),
    failbackEnd,
  );
  if (options.interrupt?.aborted) state.stoppedInFailback = true;
  const waited = Date.now();
  const standbyWrites = live.standbyWriters.flatMap((w) => w.writes);
  const bothWays = (state.stores ?? []).filter((s) => s.bothWays);
  const readings =
    live.standbyWriters.length && !state.stoppedInFailback
      ? await readCanaries(bothWays, "primary", standbyWrites)
      : [];
  const steps = backRun ? stepsOf(backRun.steps, FB) : [];
  let failback = figures(state, p.samples(), FB, waited, "primary", standbyWrites, readings, steps);
  if (state.stoppedInFailback)
    failback = notJudged(failback, "interrupted before every endpoint answered from the primary again");
  state.failback = failback;
  if (failback.recoveredAt)
    await state.mark(
      "failback-recovered",
      Date.parse(failback.recoveredAt),
      `every endpoint answered ${k} times in a row ${servedBy(failback, drill.regions.primary)} again: ${failback.rto.measuredSeconds ?? "?"} s after the failback began`,
    );
  await state.event({ t: "phase", phase: "failback", figures: failback });
}

async function failbackPhaseRun(aws: AwsClients, state: DrillState): Promise<PhaseEnd> {
  // The fault still in place: nothing is failed back (a resume reverts it first).
  if (!state.reverted) return "unfinished";
  const live = state.live;
  if (!live) {
    await failBack(aws, state);
    return "finished";
  }
  // Interrupted: the failover run is left for a resume to bring to its end and fail back.
  if (state.interrupted) return "unfinished";
  const run = state.failoverRun;
  if (run && run.run.status !== "succeeded" && !run.steps.some((s) => s.status === "succeeded"))
    return "finished";
  await measure(state, live, await failBack(aws, state));
  return "finished";
}

export const failbackPhase: Phase = { name: "failback", run: failbackPhaseRun };
