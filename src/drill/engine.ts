/**
 * A drill: a real failover of one application, measured as its clients see it. Its phases, each
 * a module of src/drill/phases/ with one entry that a first run and a resume both walk through:
 *
 *   preflight   the fault possible and in the application's scope, the standby ready, each canary
 *               readable there: refused otherwise (unless --force WHY, journaled); then the lock,
 *               held from here to the end by one owner, and the drill's run, journaled at once
 *               (its id is the drill's, its only step the fault)
 *   baseline    probes until every endpoint answered K times in a row from the primary, and each
 *               canary acknowledged a write (refused otherwise: no baseline, a store that refuses)
 *   fault       the fault step, run by the runbook engine (intent journaled before its call)
 *   failover    the failover runbook (once the probes see the fault), or none; probes go on until
 *               K successes in a row from the standby (RTO), then the standby's markers are read (RPO)
 *   revert      the fault's inverse, generated from the fault run's journal (a failback of it)
 *   failback    the failback runbook (a file, generated from the failover's journal, or none);
 *               probes until K successes from the primary again (the failback's figures)
 *   end         markers removed on both sides, the lock freed, the record made
 *
 * Each runbook run is a run of the runbook engine with the drill's lock owner, so the lock never
 * leaves the drill. What a resume needs (the runs it started, the markers it may have written, the
 * figures measured so far, the last phase that finished) is journaled as events of the drill's run
 * as it happens. A drill interrupted (SIGINT/SIGTERM) reverts its fault before it ends; one killed
 * is resumed with `drctl drill resume ID --execute`, which walks the same phases from the one after
 * the last that finished, with no probes: the fault reverted first, the runs it had started brought
 * to their end, failed back, never a step twice.
 */
import type { AwsClients } from "../aws/client-factory.js";
import { InputError } from "../errors.js";
import { defaultLeaseMs } from "../runbook/engine.js";
import { fenceJournal } from "../runbook/fence.js";
import {
  acquireLock,
  describeHolder,
  holderLive,
  LockHeldError,
  processOwner,
  type Journal,
  type RunRecord,
  type StepRecord,
} from "../runbook/journal.js";
import type { LoadedDrill } from "./load.js";
import { lastFinished, walk } from "./phases/index.js";
import { faultRunbook, isDrillRun, newDrillId, revertAndEnd } from "./runs.js";
import {
  anySignal,
  DrillState,
  FAULT_STEP,
  journaled,
  Lease,
  PHASE_NAMES,
  type DrillOptions,
  type DrillOutcome,
  type Journaled,
} from "./state.js";

export { planDrill, settingsOf, type DrillPlan } from "./plan.js";
export { drillExit } from "./record.js";
export { faultRunbook, isDrillRun, newDrillId } from "./runs.js";
export { FAULT_STEP, type DrillOptions, type DrillOutcome, type Preflight } from "./state.js";

/** The drill's journal, fenced by its owner's lock; a lease found lost stops its waits as an interrupt. */
function fenced(journal: Journal, application: string, options: DrillOptions) {
  const owner = options.owner ?? processOwner();
  const journalOf = fenceJournal(journal, application, owner);
  return {
    owner,
    journal: journalOf,
    options: { ...options, interrupt: anySignal([options.interrupt, journalOf.lostSignal]) },
  };
}

/** Anything unexpected in a first run: the fault must not stay in place. */
async function leaveNoFault(aws: AwsClients, state: DrillState): Promise<void> {
  for (const w of state.live?.writers ?? []) await w.stop().catch(() => undefined);
  await state.live?.prober.stop().catch(() => undefined);
  const steps = await state.journal.steps(state.id).catch(() => [] as StepRecord[]);
  if (steps.find((s) => s.stepId === FAULT_STEP)?.intent)
    await revertAndEnd(aws, state, state.faultLoaded, true).catch(() => undefined);
}

/** Runs a drill with --execute: every phase, from the preflight. */
export async function runDrill(
  aws: AwsClients,
  journal: Journal,
  d: LoadedDrill,
  options: DrillOptions,
): Promise<DrillOutcome> {
  // Every write of the drill and of its runs carries the fence of the lock it takes.
  const f = fenced(journal, d.drill.application, options);
  const id = options.drillId ?? newDrillId();
  const state = new DrillState(d, id, f.journal, f.owner, f.options, faultRunbook(d), false);
  try {
    return await walk(aws, state, "preflight");
  } catch (err) {
    await leaveNoFault(aws, state);
    throw err;
  } finally {
    state.lease?.stop();
  }
}

/** The drill's run and file, checked resumable: a drill, its file unchanged, not ended. */
async function resumable(journal: Journal, drillId: string, load: (file: string) => LoadedDrill) {
  const run = await journal.run(drillId);
  if (!run) throw new InputError(`no drill ${drillId} in the ${journal.description}`);
  if (!isDrillRun(run))
    throw new InputError(
      `${drillId} is a runbook run, not a drill: drctl runbook resume ${drillId} --execute`,
    );
  const d = load(run.file);
  if (d.hash !== run.hash)
    throw new InputError(
      `the drill file ${run.file} (or a runbook it names) changed since drill ${drillId} began (sha256 ${run.hash.slice(0, 12)} then, ${d.hash.slice(0, 12)} now); restore it to resume`,
    );
  const events = await journaled(journal, drillId);
  const ended = events.find((e) => e.t === "end" && e.outcome !== "interrupted (resumable)");
  if (ended)
    throw new InputError(
      `drill ${drillId} has ended (${(ended as { outcome: string }).outcome}): nothing to resume`,
    );
  const fault = (await journal.steps(drillId)).find((s) => s.stepId === FAULT_STEP);
  // Sent (succeeded, or its intent journaled) is injected, or may be: a revert is owed.
  const injected = fault !== undefined && (fault.status === "succeeded" || fault.intent !== null);
  return { run, d, events, injected };
}

/** The state of a killed drill, from its journal: its runs, markers, timeline and figures. */
function restore(state: DrillState, run: RunRecord, events: readonly Journaled[]): void {
  state.startedAt = Date.parse(run.startedAt);
  for (const e of events) {
    if (e.t === "run") state.runs[e.phase] = e.runId;
    if (e.t === "reserve") state.reserved.set(e.canary, Math.max(state.reserved.get(e.canary) ?? 0, e.upTo));
    if (e.t === "timeline") state.timeline.push(e.event);
    if (e.t === "forced") state.options.force = { by: e.by, why: e.why };
    if (e.t === "samples") state.journaledSamples.push(...e.samples);
    if (e.t === "phase" && e.phase === "failover") state.failover ??= e.figures;
    if (e.t === "phase" && e.phase === "failback") state.failback ??= e.figures;
  }
  state.runs.fault = state.id;
}

/** The lock: taken over from the drill's own runs once no process runs them. */
async function takeOver(state: DrillState, runIds: Set<string>): Promise<void> {
  const { journal, owner, id, drill } = state;
  const leaseMs = state.options.leaseMs ?? defaultLeaseMs();
  const held = await journal.lockOf(drill.application);
  if (held && held.owner?.token !== owner.token) {
    if (!runIds.has(held.runId))
      throw new LockHeldError(
        `another run holds the lock for application "${drill.application}": ${describeHolder(held)}`,
        held,
      );
    const live = holderLive(held);
    if (live.live)
      throw new LockHeldError(
        `drill ${id} is being run by another process: ${describeHolder(held)}; ${live.why}`,
        held,
      );
  }
  await acquireLock(journal, {
    application: drill.application,
    runId: id,
    owner,
    leaseMs,
    ...(held && held.runId !== id ? { undoes: held.runId } : {}),
  });
  await journal.addEvent(id, `resumed by ${owner.by} (pid ${owner.pid} on ${owner.host})`);
  state.lease = new Lease(journal, drill.application, owner.token, leaseMs);
  state.lease.start();
}

/**
 * Resumes a drill whose process died: the same phases, from the one after the last that finished,
 * with no probes: the fault is reverted first (a fault step in doubt is counted as done, never
 * injected again), the runs the drill had started are brought to their end (no step twice: the
 * engine resumes them), it fails back, its markers are removed, and the record says it was
 * interrupted, with what was measured before the crash.
 */
export async function resumeDrill(
  aws: AwsClients,
  journal: Journal,
  drillId: string,
  load: (file: string) => LoadedDrill,
  options: Omit<DrillOptions, "preflight" | "force" | "drillId" | "applications">,
): Promise<DrillOutcome> {
  const { run, d, events, injected } = await resumable(journal, drillId, load);
  const f = fenced(journal, d.drill.application, {
    ...options,
    preflight: () => Promise.resolve({ findings: [], problems: [], runs: {} }),
    applications: [],
  });
  const state = new DrillState(d, drillId, f.journal, f.owner, f.options, faultRunbook(d), true);
  restore(state, run, events);
  state.injected = injected;
  const runIds = new Set<string>([drillId, ...events.flatMap((e) => (e.t === "run" ? [e.runId] : []))]);
  await takeOver(state, runIds);
  try {
    await state.mark("resumed", Date.now(), `resumed by ${f.owner.by}: the fault is reverted first`);
    const last = lastFinished(events);
    // The revert finished: the fault is not in place (and was injected, or the revert had nothing to do).
    if (PHASE_NAMES.indexOf(last) >= PHASE_NAMES.indexOf("revert")) state.reverted = true;
    return await walk(aws, state, PHASE_NAMES[PHASE_NAMES.indexOf(last) + 1] ?? "end");
  } finally {
    state.lease?.stop();
  }
}
