/**
 * The tail every run of a scan or freshness measurement goes through, whoever started it (the
 * CLI, the scheduled Lambda functions, a drill's preflight): keep it in the history, compare it
 * with the newest complete run of its kind before it, send what changed, and say the exit code.
 *
 * One rule for a run that could not read everything, everywhere: it is never compared with as if
 * complete (the next run is compared with the one before it), what it could not read is
 * "unknown" in its diff, never resolved, it notifies no one and it could not finish (exit 3).
 * The CLI does not keep it at all; the cloud keeps it (`keepIncomplete`), since its result says
 * what was unread and alarms and the report site should see it. A run that found nothing to
 * judge is neither kept nor sent, and is never clean (exit 1).
 *
 * The channels are above this layer: what sends is passed in as `send`.
 */
import { exitCodeFor, summarizeCauses, type ExitCode } from "../errors.js";
import { previousRun } from "../history/previous.js";
import type { HistoryStore } from "../history/types.js";
import type { PipelineRun, RunKindSpec } from "./kinds.js";

/** One channel's outcome: sent, or why not. */
export interface Delivery {
  channel: string;
  ok: boolean;
  detail: string;
}

type ResultOf<S extends PipelineRun> = S["result"];

/** Sends one run and what changed since the run before it, through every channel asked for. */
export type Send<S extends PipelineRun, D> = (run: {
  id: string;
  result: ResultOf<S>;
  diff: D;
}) => Promise<Delivery[]>;

export interface RecordOptions {
  /** The run's id (a canary may have written it into its markers already). */
  id: string;
  /** Where the history is; absent, the run is not kept (and compared with nothing). */
  store?: () => Promise<HistoryStore>;
  /** Keep a run that could not read everything too (the cloud), its result saying what was unread. */
  keepIncomplete?: boolean;
  /** A run that looked at nothing is a run like any other (--allow-empty). */
  allowEmpty?: boolean;
  /** Why this run has nothing to judge although it found things (no standby region known). */
  nothingToJudge?: string;
}

export interface Recorded<D> {
  runId: string;
  /** What could not be read, one line a read; empty when the run is complete. */
  unread: string[];
  /** Why the run has nothing to judge: it found nothing, or what `nothingToJudge` said. */
  nothingFound?: string;
  /** Where the run is kept, and when the run it was compared with started; absent when not kept. */
  stored?: { store: string; since?: string };
  /** What changed since the newest complete run before it; against nothing when not kept. */
  diff: D;
}

/** A run could be compared with: it read everything. */
export const isComplete =
  <S extends PipelineRun, D>(spec: RunKindSpec<S, D>) =>
  (run: { result: ResultOf<S> }): boolean =>
    spec.unread(run.result).length === 0;

/** The newest run of the kind before `run` that read everything: the one to compare with. */
async function previousComplete<S extends PipelineRun, D>(
  spec: RunKindSpec<S, D>,
  store: HistoryStore,
  run: S,
): Promise<S | undefined> {
  const complete = isComplete(spec);
  const before = await previousRun(store, { id: run.id, kind: spec.kind }, (found) => complete(found as S));
  return before as S | undefined;
}

/** Why the run has nothing to judge, if it has not. */
function nothingFoundIn<S extends PipelineRun, D>(
  spec: RunKindSpec<S, D>,
  result: ResultOf<S>,
  options: RecordOptions,
) {
  if (spec.size(result) === 0) return options.allowEmpty ? undefined : `no ${spec.item} found`;
  return options.nothingToJudge;
}

/**
 * Keeps the run (when there is a store, and the run is whole or `keepIncomplete` says so) and
 * compares it with the newest complete run of its kind before it. A store that fails throws.
 */
export async function recordRun<S extends PipelineRun, D>(
  spec: RunKindSpec<S, D>,
  result: ResultOf<S>,
  options: RecordOptions,
): Promise<Recorded<D>> {
  const unread = spec.unread(result);
  const nothingFound = nothingFoundIn(spec, result, options);
  const base = { runId: options.id, unread, ...(nothingFound ? { nothingFound } : {}) };
  const keep = !nothingFound && (unread.length === 0 || options.keepIncomplete === true);
  if (!keep || !options.store) return { ...base, diff: spec.diff(undefined, { id: options.id, result }) };
  const store = await options.store();
  const run = spec.record(options.id, result, new Date());
  await store.save(run);
  const before = await previousComplete(spec, store, run);
  return {
    ...base,
    stored: { store: store.description, ...(before ? { since: before.startedAt } : {}) },
    diff: spec.diff(before, run),
  };
}

/** Why a stored run that could not read everything is not sent: what was unread, said once per cause. */
export function notSentBecauseUnread(noun: string, id: string, unread: readonly string[]): string {
  const causes = summarizeCauses(unread, { one: "read failed", many: "reads failed" });
  return `${noun} ${id} could not read everything (${causes.join("; ")}); it is stored, and nothing was sent`;
}

/**
 * Sends a stored run (the cloud's notify step, after the site is published): refused, with what
 * was unread, for a run that could not read everything; else compared with the newest complete
 * run before it and sent.
 */
export async function sendStored<S extends PipelineRun, D>(
  spec: RunKindSpec<S, D>,
  store: HistoryStore,
  run: S,
  send: Send<S, D>,
): Promise<Delivery[]> {
  const unread = spec.unread(run.result);
  if (unread.length > 0) throw new Error(notSentBecauseUnread(spec.noun, run.id, unread));
  const before = await previousComplete(spec, store, run);
  return send({ id: run.id, result: run.result, diff: spec.diff(before, run) });
}

export interface FinishOptions<S extends PipelineRun, D> extends RecordOptions {
  /** What sends the run; absent, nothing is sent. */
  send?: Send<S, D>;
  /** Drift at or above the threshold (or a target missed): exit 1 unless it could not finish. */
  drift: boolean;
  /** Other reasons the command could not finish (metrics that could not be put). */
  unfinished?: readonly string[];
  /** Says the result and what the history made of it, before anything is sent. */
  show?: (recorded: Recorded<D>) => void;
}

export interface Finished<D> {
  recorded: Recorded<D>;
  /** Why the run could not be kept: nothing was sent then. */
  storeError?: Error;
  /** Whether the run was one to send: complete, something to judge, kept when it was to be. */
  sendable: boolean;
  deliveries: Delivery[];
  exit: ExitCode;
}

/**
 * The whole tail: keep, compare, show, send, and the exit code by the contract. Only a complete
 * run that found something to judge and was kept (or was not to be kept) is sent. Could not
 * finish (unread, a store or channel that failed) outranks drift and nothing found.
 */
export async function finishRun<S extends PipelineRun, D>(
  spec: RunKindSpec<S, D>,
  result: ResultOf<S>,
  options: FinishOptions<S, D>,
): Promise<Finished<D>> {
  let recorded: Recorded<D>;
  let storeError: Error | undefined;
  try {
    recorded = await recordRun(spec, result, options);
  } catch (err) {
    storeError = err instanceof Error ? err : new Error(String(err));
    recorded = { runId: options.id, unread: [], diff: spec.diff(undefined, { id: options.id, result }) };
  }
  options.show?.(recorded);
  const sendable = recorded.unread.length === 0 && !recorded.nothingFound && !storeError;
  const deliveries =
    sendable && options.send ? await options.send({ id: recorded.runId, result, diff: recorded.diff }) : [];
  const exit = exitCodeFor({
    unfinished: [
      ...recorded.unread,
      ...(storeError ? [storeError.message] : []),
      ...deliveries.filter((d) => !d.ok).map((d) => `${d.channel}: ${d.detail}`),
      ...(options.unfinished ?? []),
    ],
    failed: recorded.nothingFound !== undefined || options.drift,
  });
  return { recorded, ...(storeError ? { storeError } : {}), sendable, deliveries, exit };
}
