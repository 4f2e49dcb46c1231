import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { InputError } from "../errors.js";
import { drctlHome } from "../history/open.js";
import { ancestors, waves } from "./dag.js";
import { runbookEdit } from "./edits.js";
import { Execution } from "./execution.js";
import { generateFailback, writeFailback } from "./failback.js";
import { fenceJournal, type FencedJournal } from "./fence.js";
import { START_GATE } from "./gates.js";
import { defaultLeaseMs, Heartbeat } from "./heartbeat.js";
import {
  acquireLock,
  LeaseLostError,
  processOwner,
  type Intent,
  type Journal,
  type LockOwner,
  type RunRecord,
  type RunStatus,
  type StepRecord,
} from "./journal.js";
import type { StepKinds } from "./kinds.js";
import { loadRunbook, type LoadedRunbook } from "./load.js";
import { checkSecretReferences } from "./resolve.js";
import type { RunOptions, RunResult } from "./run-options.js";
import { runbookScope } from "./scope.js";
import { Secrets } from "./secrets.js";
import { NotFoundError, type StepContext, type StepPlan } from "./step.js";
import { errorText, paramsOf, placeholder, ssmSource } from "./step-params.js";

export { behindGate, runSteps, START_GATE, type ApprovalGate } from "./gates.js";
export { defaultLeaseMs } from "./heartbeat.js";
export type { RunOptions, RunResult } from "./run-options.js";

export interface PlannedStep {
  id: string;
  kind: string;
  region: string;
  after: string[];
  plan: StepPlan | { error: string; notFound?: boolean };
  /**
   * Set when the state could not be read but earlier steps will change things first (a replica
   * the run creates): the read is expected to work once they ran, so the plan is not in error.
   */
  readableAfter?: string[];
}

/** The dry run: every step's current -> target state, read from the live state, nothing changed. */
export async function planRunbook(aws: AwsClients, loaded: LoadedRunbook): Promise<PlannedStep[]> {
  const { runbook, file } = loaded;
  const planned: PlannedStep[] = [];
  const secrets = new Secrets();
  const scope = runbookScope(runbook, loaded.kinds);
  for (const wave of waves(runbook.steps)) {
    await Promise.all(
      wave.map(async (step) => {
        const kind = loaded.kinds.of(step, file);
        const region = step.region ?? runbook.region;
        const earlier = ancestors(runbook.steps, step.id).filter((id) => {
          const p = planned.find((x) => x.id === id)?.plan;
          return p !== undefined && ("error" in p || p.changes);
        });
        const ctx: StepContext = {
          aws,
          region,
          runbook: scope,
          log: () => undefined,
          signal: AbortSignal.timeout(step.timeoutSeconds * 1000),
          secrets,
          idempotencyKey: `plan/${step.id}`,
          ...(earlier.length ? { afterChanges: true } : {}),
        };
        let plan: PlannedStep["plan"];
        try {
          const { params } = await paramsOf(step, kind, loaded, aws, region, secrets, placeholder);
          plan = await kind.plan(ctx, params, await kind.read(ctx, params));
        } catch (err) {
          if (err instanceof InputError) throw err;
          plan = { error: errorText(err), ...(err instanceof NotFoundError ? { notFound: true } : {}) };
        }
        const changing = "error" in plan ? earlier : [];
        planned.push({
          id: step.id,
          kind: step.kind,
          region,
          after: step.after,
          plan: secrets.scrubDeep(plan),
          ...(changing.length ? { readableAfter: changing } : {}),
        });
      }),
    );
  }
  const order = runbook.steps.map((s) => s.id);
  return planned.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

export interface PlanProblem {
  id: string;
  problem: string;
  kind: "refused" | "fails" | "unreadable";
}

/** What a plan says the run would refuse or fail at, step by step (empty: nothing). */
export function planProblems(steps: PlannedStep[]): PlanProblem[] {
  return steps.flatMap((s): PlanProblem[] => {
    if ("error" in s.plan)
      return s.readableAfter
        ? []
        : [{ id: s.id, problem: s.plan.error, kind: s.plan.notFound ? "fails" : "unreadable" }];
    if (s.plan.refused) return [{ id: s.id, problem: s.plan.refused, kind: "refused" }];
    if (s.plan.fails) return [{ id: s.id, problem: s.plan.fails, kind: "fails" }];
    return [];
  });
}

/** Step records as they may be printed: outputs a kind does not declare public shown as (redacted). */
export function publicSteps(kinds: StepKinds, steps: StepRecord[]): StepRecord[] {
  return steps.map((s) => {
    const kind = s.kind ? kinds.get(s.kind) : undefined;
    const shown = new Set(kind?.publicOutputs ?? kind?.outputs ?? Object.keys(s.outputs));
    const hide = (o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, shown.has(k) ? v : "(redacted)"]));
    return {
      ...s,
      outputs: hide(s.outputs),
      intent: s.intent?.applied ? { ...s.intent, applied: hide(s.intent.applied) } : s.intent,
    };
  });
}

export function newRunbookRunId(): string {
  return `run-${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

/**
 * Executes the runbook: waves of independent steps in parallel, each step journaled as it goes
 * (attempt started; intent with the before-state; calls made; finished), with its retries and
 * timeout. A failed step stops the run (or, with onFailure: continue, only its dependents; with
 * rollback, the run's changes are undone); whatever did not run stays pending, so `resume` goes
 * on from there. A step found in doubt on resume (its process stopped between its intent and the
 * record of its calls) is reconciled against the live state; one that cannot be told, or is not
 * idempotent, waits for a person. When options.signal aborts (a Lambda running out of time), the
 * steps in flight stop at a safe point and the run stays "running" for the next turn.
 */
export async function executeRunbook(
  aws: AwsClients,
  journal: Journal,
  loaded: LoadedRunbook,
  options: RunOptions = {},
): Promise<RunResult> {
  const { runbook, file } = loaded;
  const runId = options.resumeRunId ?? options.runId ?? newRunbookRunId();
  // Validate every step before anything changes.
  for (const step of runbook.steps) loaded.kinds.of(step, file);
  if (options.approvalGate && runbook.steps.some((s) => s.id === START_GATE))
    throw new InputError(
      `${file}: a step is named "${START_GATE}", the id of the run's approval gate; rename it`,
    );
  const { previous, edit } = await previousRun(journal, loaded, runId, options);
  if (!previous) await checkBeforeRun(aws, loaded);
  const owner = options.owner ?? processOwner();
  const leaseMs = options.leaseMs ?? defaultLeaseMs();
  // From the lock on, every write carries its fence, and so does every mutating call of a step.
  const fenced = fenceJournal(journal, runbook.application, owner);
  fenced.leaseMs = leaseMs;
  const tookOver = await acquireLock(fenced, {
    application: runbook.application,
    runId,
    owner,
    leaseMs,
    undoes: options.undoes ?? previous?.undoes ?? undefined,
    force: options.force,
  });
  const heartbeat = new Heartbeat(fenced, leaseMs, (why) =>
    fenced.addEvent(
      runId,
      `heartbeat of ${owner.by} (pid ${owner.pid} on ${owner.host}): ${why}; the run stops before its next step`,
    ),
  );
  heartbeat.start();
  const fencedAws = aws.guarded(() => fenced.check());
  try {
    await journalStart(fenced, loaded, runId, previous, options);
    if (tookOver) await fenced.addEvent(runId, `${owner.by} (pid ${owner.pid} on ${owner.host}) ${tookOver}`);
    if (edit) await fenced.addEvent(runId, edit);
    if (!previous) await options.onStarted?.(runId);
    await retryInDoubt(fenced, runId, owner, options.retryInDoubt ?? []);
    const format = previous?.format ?? 2;
    const result = await new Execution(fencedAws, fenced, loaded, runId, format, heartbeat, options).run();
    return await finish(aws, fenced, loaded, runId, result, owner, heartbeat, options);
  } catch (err) {
    if (err instanceof LeaseLostError && !err.runId)
      throw new LeaseLostError(err.application, err.why, runId);
    throw err;
  } finally {
    heartbeat.end();
    fencedAws.destroy();
  }
}

/**
 * The run a resume goes on with, and what was edited in its runbook since it began: an edited
 * runbook goes on only if no step that acted changed; what changed is journaled.
 */
async function previousRun(
  journal: Journal,
  loaded: LoadedRunbook,
  runId: string,
  options: RunOptions,
): Promise<{ previous?: RunRecord; edit?: string }> {
  if (!options.resumeRunId) return {};
  const previous = await journal.run(runId);
  if (!previous) throw new InputError(`no run ${runId} in the ${journal.description}`);
  const edit = runbookEdit(loaded, previous, await journal.steps(runId));
  return { previous, ...(edit ? { edit } : {}) };
}

/** A new run journaled with its steps (behind its gate, if it has one); a resumed one running again. */
async function journalStart(
  fenced: FencedJournal,
  loaded: LoadedRunbook,
  runId: string,
  previous: RunRecord | undefined,
  options: RunOptions,
): Promise<void> {
  const { runbook } = loaded;
  if (!previous)
    await fenced.startRun(
      {
        runId,
        runbook: runbook.name,
        file: loaded.file,
        application: runbook.application,
        hash: loaded.hash,
        startedAt: new Date().toISOString(),
        set: loaded.set,
        alarmAt: options.alarmAt ?? null,
        undoes: options.undoes ?? null,
      },
      [
        ...(options.approvalGate ? [{ id: START_GATE, kind: loaded.kinds.gate }] : []),
        ...runbook.steps.map((s) => ({ id: s.id, kind: s.kind, fingerprint: loaded.fingerprints?.[s.id] })),
      ],
    );
  else if (previous.status !== "running")
    await fenced.updateRun(runId, { status: "running", finishedAt: null });
}

/** Steps in doubt a person allows to run again (--retry-in-doubt), journaled as their decision. */
async function retryInDoubt(fenced: FencedJournal, runId: string, owner: LockOwner, stepIds: string[]) {
  for (const stepId of stepIds) {
    const rec = (await fenced.steps(runId)).find((s) => s.stepId === stepId);
    if (!rec) throw new InputError(`--retry-in-doubt ${stepId}: run ${runId} has no step ${stepId}`);
    const intentAt = rec.intent?.at ?? rec.startedAt;
    if (intentAt && rec.status !== "succeeded")
      await fenced.decide(runId, stepId, intentAt, "redo", `${owner.by} (--retry-in-doubt)`);
  }
}

/**
 * Before a new run of a runbook with steps whose kind is checked before the run: its plan, and no
 * run at all (nothing journaled, no lock, nothing changed) when such a step's plan would fail or be
 * refused. A step whose state only earlier steps make readable is checked when it runs.
 */
async function checkBeforeRun(aws: AwsClients, loaded: LoadedRunbook): Promise<void> {
  // A SecureString where it cannot be kept secret stops the run here, not at its step.
  for (const step of loaded.runbook.steps)
    await checkSecretReferences(
      step.params,
      ssmSource(aws, step.region ?? loaded.runbook.region),
      `${loaded.file}: step "${step.id}"`,
      loaded.kinds.of(step, loaded.file).commands ?? [],
    );
  const checked = new Set(
    loaded.runbook.steps.filter((s) => loaded.kinds.get(s.kind)?.checkedBeforeRun).map((s) => s.id),
  );
  if (checked.size === 0) return;
  const problems = planProblems(await planRunbook(aws, loaded)).filter(
    (p) => checked.has(p.id) && p.kind !== "unreadable",
  );
  if (problems.length > 0)
    throw new InputError(
      `${loaded.file}: the run was not started, nothing changed: ${problems
        .map(
          (p) => `step "${p.id}" ${p.kind === "refused" ? "would be refused" : "would fail"}: ${p.problem}`,
        )
        .join("; ")}`,
    );
}

/** How a pass over a run ended, from its steps: succeeded, waiting, failed, running (the turn ended) or interrupted. */
function runStatus(final: StepRecord[], outcome: { deadline: boolean }): RunStatus {
  if (final.every((s) => s.status === "succeeded")) return "succeeded";
  if (final.some((s) => s.status === "in-doubt")) return "waiting";
  if (final.some((s) => s.status === "failed")) return "failed";
  return outcome.deadline ? "running" : "interrupted";
}

/** Ends the run in the journal: its status, the lock, and a rollback where a step asks for one. */
async function finish(
  aws: AwsClients,
  journal: FencedJournal,
  loaded: LoadedRunbook,
  runId: string,
  outcome: { stopped?: string; deadline: boolean; interrupted: boolean },
  owner: LockOwner,
  heartbeat: Heartbeat,
  options: RunOptions,
): Promise<RunResult> {
  const { runbook } = loaded;
  const final = await journal.steps(runId);
  const status = runStatus(final, outcome);
  if (status === "running") return { run: (await journal.run(runId)) as RunRecord, steps: final };
  await journal.updateRun(runId, {
    status,
    finishedAt: status === "interrupted" ? null : new Date().toISOString(),
  });
  if (status === "interrupted" && outcome.stopped)
    await journal.addEvent(runId, `stopped: ${outcome.stopped}`);
  // A run that did not succeed keeps the application: nothing else may move it until the run is
  // resumed or failed back. Unless nothing was even tried (its start was not approved).
  const untouched = final.every((s) => s.stepId === START_GATE || s.attempts === 0);
  heartbeat.end();
  if (options.keepLock) {
    // The caller (a drill) holds the application on, with the same owner, until its own end.
  } else if (status === "succeeded" || untouched) await journal.unlock(runbook.application, runId);
  // Interrupted: the lock is left to its lease (the process may still finish a call). Otherwise no
  // process runs it any more: its lease ends now, so a resume or failback elsewhere need not wait.
  else if (status !== "interrupted" && !heartbeat.lost)
    await journal.renewLock(runbook.application, owner.token, Date.now());
  const result: RunResult = { run: (await journal.run(runId)) as RunRecord, steps: final };
  const rollback = await rollbackIfAsked(aws, journal, loaded, result, owner, options);
  return rollback ? { ...result, rollback } : result;
}

/** The undo of what a run changed, run when a step that failed says onFailure: rollback. */
async function rollbackIfAsked(
  aws: AwsClients,
  journal: FencedJournal,
  loaded: LoadedRunbook,
  result: RunResult,
  owner: LockOwner,
  options: RunOptions,
): Promise<RunResult | undefined> {
  const final = result.steps;
  const rollback = loaded.runbook.steps.find(
    (s) => s.onFailure === "rollback" && final.find((r) => r.stepId === s.id)?.status === "failed",
  );
  if (!rollback || !final.some((s) => s.status === "succeeded" && s.stepId !== START_GATE)) return undefined;
  options.log?.(`${rollback.id} failed and says onFailure: rollback; undoing what this run changed`);
  const undo = generateFailback(loaded, result.run, final);
  const undoFile = writeFailback(
    options.runbookDir ?? join(drctlHome(), "runbooks"),
    result.run,
    undo.runbook,
  );
  return executeRunbook(aws, journal, loadRunbook(loaded.kinds, undoFile), {
    ...options,
    resumeRunId: undefined,
    runId: undefined,
    approvalGate: undefined,
    onStarted: undefined,
    retryInDoubt: undefined,
    undoes: result.run.runId,
    owner,
  });
}

/** The intent of a step as a failback sees it (for tests and the CLI). */
export type { Intent };
