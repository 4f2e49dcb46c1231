/**
 * The failover: the runbook once the probes see the fault (or at once), or none; probes go on
 * until K successes in a row from the standby (the RTO), then the standby's markers are read (the
 * RPO). A resume measures nothing (the probes went with the killed process): the failover run it
 * had started is brought to its end before its failback, after the fault's revert.
 */
import type { AwsClients } from "../../aws/client-factory.js";
import type { DrillPhase } from "../../core/drill-result.js";
import type { RunResult } from "../../runbook/engine.js";
import { formatDuration } from "../../util/duration.js";
import { errorMessage } from "../canaries.js";
import { allStreaks, figures, notJudged, readCanaries, servedBy, showTarget, stepsOf } from "../figures.js";
import { recoveryOf } from "../measure.js";
import { anySignal, type DrillState, type Live } from "../state.js";
import type { Phase, PhaseEnd } from "./phase.js";

/** Waits until the probes see the fault (drill.startRunbook: detection), at most timeouts.detect. */
async function untilDetected(state: DrillState, live: Live): Promise<void> {
  const { drill, faultAt: F } = state;
  const p = live.prober;
  state.say(`waiting for the probes to see the fault (at most ${formatDuration(drill.timeouts.detect)})`);
  const detectEnd = AbortSignal.timeout(Math.max(1, F + drill.timeouts.detect * 1000 - Date.now()));
  await p.until(
    () =>
      drill.endpoints.some(
        (e) =>
          recoveryOf(e.name, p.answered(e.name), F, drill.probe.consecutive, "standby").detectedAt !==
          undefined,
      )
        ? true
        : undefined,
    anySignal([detectEnd, state.options.interrupt]),
  );
}

/** Starts the failover runbook (if any): its end, and a signal raised when it fails. */
async function startRunbook(
  aws: AwsClients,
  state: DrillState,
  live: Live,
): Promise<{ done: Promise<RunResult | undefined>; failed: AbortSignal }> {
  const failed = new AbortController();
  const runbook = state.d.runbook;
  if (!runbook) return { done: Promise.resolve(undefined), failed: failed.signal };
  if (state.drill.startRunbook === "detection") await untilDetected(state, live);
  if (state.options.interrupt?.aborted) return { done: Promise.resolve(undefined), failed: failed.signal };
  state.say(`failover: ${runbook.runbook.name} (${runbook.file})`);
  const done = state.runbook("failover", runbook, {}, aws).then(
    (r) => {
      state.failoverRun = r;
      if (r.run.status !== "succeeded") failed.abort();
      return r;
    },
    (err: unknown) => {
      state.unfinished.push(`the failover runbook could not run: ${errorMessage(err)}`);
      failed.abort();
      return undefined;
    },
  );
  return { done, failed: failed.signal };
}

/** The failover's events on the timeline: the first failure, the detection, the standby serving. */
async function markFailover(state: DrillState, live: Live, failover: DrillPhase): Promise<void> {
  const { drill, faultAt: F } = state;
  const samples = live.prober.samples();
  for (const e of samples.filter((s) => s.at >= F && !s.ok).slice(0, 1))
    await state.mark(
      "first-failure",
      e.at,
      `first failed probe: ${e.endpoint} ${e.error ?? e.status ?? ""}`,
      e.endpoint,
    );
  if (failover.detectSeconds !== null)
    await state.mark(
      "detected",
      F + failover.detectSeconds * 1000,
      `the probes saw the fault after ${failover.detectSeconds} s`,
    );
  const firstStandby = samples.find((s) => s.at >= F && s.ok && s.side === "standby");
  if (firstStandby)
    await state.mark(
      "first-standby-success",
      firstStandby.at,
      `first success from ${drill.regions.standby}: ${firstStandby.endpoint}`,
      firstStandby.endpoint,
    );
  if (failover.recoveredAt)
    await state.mark(
      "recovered",
      Date.parse(failover.recoveredAt),
      `every endpoint answered ${drill.probe.consecutive} times in a row ${servedBy(failover, drill.regions.standby)}: RTO ${failover.rto.measuredSeconds ?? "?"} s`,
    );
}

/** The failover's figures: the probes' RTO, the standby's markers' RPO, the runbook's steps. */
async function measure(state: DrillState, live: Live, waited: number): Promise<DrillPhase> {
  const run = state.failoverRun;
  const primaryWrites = live.writers.flatMap((w) => w.writes);
  const readings = await readCanaries(state.stores ?? [], "standby", primaryWrites);
  state.interrupted = state.options.interrupt?.aborted === true;
  const failover = figures(
    state,
    live.prober.samples(),
    state.faultAt,
    waited,
    "standby",
    primaryWrites,
    readings,
    run ? stepsOf(run.steps, state.faultAt) : [],
  );
  return state.interrupted && !failover.recoveredAt
    ? notJudged(failover, "interrupted before every endpoint answered from the standby")
    : failover;
}

async function failOver(aws: AwsClients, state: DrillState, live: Live): Promise<PhaseEnd> {
  const { drill } = state;
  const p = live.prober;
  const k = drill.probe.consecutive;
  const recoveryEnd = AbortSignal.timeout(
    Math.max(1, state.faultAt + drill.timeouts.recovery * 1000 - Date.now()),
  );
  live.flushing = setInterval(() => void state.flush(), 5000);
  live.flushing.unref();
  const runbook = await startRunbook(aws, state, live);
  state.say(`probing until ${k} answers in a row from ${drill.regions.standby} on every endpoint`);
  await p.until(
    () => (allStreaks(p, drill.endpoints, state.faultAt, k, "standby") ? true : undefined),
    anySignal([recoveryEnd, state.options.interrupt, runbook.failed]),
  );
  const waited = Date.now();
  await runbook.done;
  const run = state.failoverRun;
  if (run && run.run.status !== "succeeded") {
    const error = run.steps.find((s) => s.status === "failed")?.error;
    state.unfinished.push(`the failover run ${run.run.runId} ${run.run.status}${error ? `: ${error}` : ""}`);
  }
  const failover = await measure(state, live, waited);
  state.failover = failover;
  await markFailover(state, live, failover);
  await state.event({ t: "phase", phase: "failover", figures: failover });
  state.say(
    `failover measured: RTO ${showTarget(failover.rto)}, RPO ${showTarget(failover.rpo)}, ${failover.lostWrites} lost writes`,
  );
  return "finished";
}

export const failoverPhase: Phase = {
  name: "failover",
  run: (aws, state) => (state.live ? failOver(aws, state, state.live) : Promise.resolve("finished")),
};
