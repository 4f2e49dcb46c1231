import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode } from "../aws/errors.js";
import { DrctlError, InputError } from "../errors.js";
import { drctlHome } from "../history/open.js";
import { crashPoint } from "./crash-hook.js";
import { ancestors, waves } from "./dag.js";
import { generateFailback, writeFailback } from "./failback.js";
import { fenceJournal, type FencedJournal } from "./fence.js";
import {
  acquireLock,
  LeaseLostError,
  processOwner,
  type Intent,
  type Journal,
  type LockOwner,
  type RunRecord,
  type RunStatus,
  type StepChange,
  type StepRecord,
} from "./journal.js";
import { runbookEdit } from "./edits.js";
import { loadRunbook, type LoadedRunbook } from "./load.js";
import type { StepKinds } from "./kinds.js";
import { checkSecretReferences, escapeReferences, resolveParams, type ValueSources } from "./resolve.js";
import type { StepSpec } from "./schema.js";
import { runbookScope } from "./scope.js";
import { REDACTED, Secrets } from "./secrets.js";
import { NotFoundError, type StepContext, type StepKind, type StepPlan } from "./step.js";

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

/** ${ssm:/path} values, read in the step's region with their real type. */
function ssmSource(aws: AwsClients, region: string): ValueSources["ssm"] {
  return async (name) => {
    try {
      const out = await aws
        .get(SSMClient, region)
        .send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      if (out.Parameter?.Value === undefined) return undefined;
      return { value: out.Parameter.Value, secure: out.Parameter.Type === "SecureString" };
    } catch (err) {
      if (/^Parameter(Version)?NotFound$/.test(awsErrorCode(err))) return undefined;
      throw err;
    }
  };
}

const at = (obj: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
function setAt(obj: unknown, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  const parent = keys.reduce<unknown>(
    (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
  if (parent && typeof parent === "object" && last in parent)
    (parent as Record<string, unknown>)[last] = value;
}

/** A step's parameters: resolved (to run with) and as the journal keeps them (references, no secrets). */
async function paramsOf(
  step: StepSpec,
  kind: StepKind<unknown>,
  loaded: LoadedRunbook,
  aws: AwsClients,
  region: string,
  secrets: Secrets,
  outputs: (id: string) => Record<string, string> | undefined,
): Promise<{ params: unknown; journal: Record<string, unknown> }> {
  const file = loaded.file;
  const resolved = await resolveParams(
    step.params,
    { outputs, config: loaded.runbook.config, ssm: ssmSource(aws, region) },
    `${file}: step "${step.id}"`,
    { commands: kind.commands ?? [] },
  );
  for (const s of resolved.secrets) secrets.add(s);
  const parsed = kind.params.safeParse(resolved.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${file}: step "${step.id}" (${step.kind}): params.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  const journal = structuredClone(resolved.journal) as Record<string, unknown>;
  // A secret parameter is kept only as the reference it was written as, never as its value.
  for (const path of kind.secretParams ?? []) {
    const value = at(parsed.data, path);
    if (typeof value === "string") secrets.add(value);
    const kept = at(journal, path);
    if (typeof kept === "string" && !kept.includes("${ssm:")) setAt(journal, path, REDACTED);
  }
  return { params: parsed.data, journal: secrets.scrubDeep(journal) };
}

/** Before a run, outputs of earlier steps are not known: plans show where they will come from. */
const placeholder = (id: string) =>
  new Proxy(
    {},
    { get: (_t, key) => (typeof key === "string" ? `<${key} from ${id}>` : undefined) },
  ) as Record<string, string>;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

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

export interface RunOptions {
  /** Resume this run instead of starting a new one. */
  resumeRunId?: string | undefined;
  log?: (line: string) => void;
  onStep?: (stepId: string, status: string, detail?: string) => void;
  /** The run this one undoes (a failback): it may take over that run's lock once no process runs it. */
  undoes?: string | undefined;
  /** Where a rollback's generated runbook is written (default ~/.drctl/runbooks). */
  runbookDir?: string;
  /** The id of a new run (default: generated). */
  runId?: string | undefined;
  /** The run's deadline (a turn of the cloud workflow): the run stays running, resumable by the next turn. */
  signal?: AbortSignal;
  /** SIGINT/SIGTERM: stop at the next safe point; the run is journaled as interrupted. */
  interrupt?: AbortSignal;
  /**
   * Start a new run at an approval gate (step START_GATE): nothing runs until an operator
   * approves. A resumed run has the gate if it began with one; this then only sets its message
   * and how long it waits.
   */
  approvalGate?: ApprovalGate | undefined;
  /** Called once a new run holds its lock and is journaled, before any step (to tell people). */
  onStarted?: ((runId: string) => Promise<void>) | undefined;
  /** Who runs it (default: this process). The turns of a cloud workflow share one owner token. */
  owner?: LockOwner;
  /** How long the lock's lease lasts without a heartbeat (default DRCTL_LEASE_SECONDS, or 120 s). */
  leaseMs?: number;
  /** Take the lock whoever holds it (journaled). */
  force?: { by: string; why: string } | undefined;
  /** Steps in doubt a person allows to run again (journaled as their decision). */
  retryInDoubt?: string[] | undefined;
  /** When the outage began (the trigger's alarm): the RTO counts from there. */
  alarmAt?: string | undefined;
  /**
   * The caller goes on holding the application after this run (a drill, whose fault is reverted
   * after its runbook, under one lock): the lock is neither freed nor its lease ended at the end.
   */
  keepLock?: boolean;
}

export interface RunResult {
  run: RunRecord;
  steps: StepRecord[];
  /** The rollback run, when a step with onFailure: rollback failed. */
  rollback?: RunResult;
}

export function newRunbookRunId(): string {
  return `run-${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

export function defaultLeaseMs(): number {
  const seconds = Number(process.env.DRCTL_LEASE_SECONDS ?? 120);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
}

/**
 * Renews the lock's lease while the run executes. A renewal that fails (the journal does not
 * answer) stops the run at its next step; one that finds the lock taken over (by another process,
 * or a later turn of its owner) ends the heartbeat and, through the fenced journal that found it,
 * stops everything at once: the steps' waits abort, and no write or call is made any more.
 */
class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  lost: string | undefined;
  private renewedAt = Date.now();
  private beating = false;

  constructor(
    private readonly journal: FencedJournal,
    private readonly leaseMs: number,
    /** Told once when the lease could not be renewed (to journal it: the lock is still this run's). */
    private readonly onLost: (why: string) => Promise<void> = () => Promise.resolve(),
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.lost || this.beating) return;
    this.beating = true;
    // A renewal stuck in retries (a throttled table) counts as failed well before the lease ends.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.leaseMs / 2);
    });
    const { application, owner } = this.journal;
    try {
      const renewed = await Promise.race([
        this.journal.renewLock(application, owner.token, Date.now() + this.leaseMs),
        late,
      ]);
      if (renewed === true) this.renewedAt = Date.now();
      else if (renewed === "late")
        this.lost = `the lock's lease could not be renewed within ${this.leaseMs / 2000} s (the journal does not answer in time)`;
      else this.lost = this.journal.lost ?? "another process took the lock over";
    } catch (err) {
      this.lost = this.journal.lost ?? `the lock's lease could not be renewed: ${errorText(err)}`;
    } finally {
      clearTimeout(timer);
      this.beating = false;
    }
    if (this.journal.lost) this.end();
    else if (this.lost) await this.onLost(this.lost).catch(() => undefined);
  }

  /** Why this process must not start another step, if it must not. */
  get stop(): string | undefined {
    if (this.lost) return this.lost;
    if (Date.now() - this.renewedAt > this.leaseMs * 0.9) return "the lock's lease was not renewed in time";
    return undefined;
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** A step was stopped at a safe point (deadline, interrupt, lost lease): it goes on when the run resumes. */
class Stopped extends Error {}

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
  const { runbook, file, hash } = loaded;
  const runId = options.resumeRunId ?? options.runId ?? newRunbookRunId();
  // Validate every step before anything changes.
  for (const step of runbook.steps) loaded.kinds.of(step, file);
  if (options.approvalGate && runbook.steps.some((s) => s.id === START_GATE))
    throw new InputError(
      `${file}: a step is named "${START_GATE}", the id of the run's approval gate; rename it`,
    );
  let previous: RunRecord | undefined;
  // An edited runbook goes on only if no step that acted changed; what changed is journaled.
  let edit: string | undefined;
  if (options.resumeRunId) {
    previous = await journal.run(runId);
    if (!previous) throw new InputError(`no run ${runId} in the ${journal.description}`);
    edit = runbookEdit(loaded, previous, await journal.steps(runId));
  }
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
    if (!previous)
      await fenced.startRun(
        {
          runId,
          runbook: runbook.name,
          file,
          application: runbook.application,
          hash,
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
    if (tookOver) await fenced.addEvent(runId, `${owner.by} (pid ${owner.pid} on ${owner.host}) ${tookOver}`);
    if (edit) await fenced.addEvent(runId, edit);
    if (!previous) await options.onStarted?.(runId);
    for (const stepId of options.retryInDoubt ?? []) {
      const rec = (await fenced.steps(runId)).find((s) => s.stepId === stepId);
      if (!rec) throw new InputError(`--retry-in-doubt ${stepId}: run ${runId} has no step ${stepId}`);
      const intentAt = rec.intent?.at ?? rec.startedAt;
      if (intentAt && rec.status !== "succeeded")
        await fenced.decide(runId, stepId, intentAt, "redo", `${owner.by} (--retry-in-doubt)`);
    }
    const result = await new Execution(
      fencedAws,
      fenced,
      loaded,
      runId,
      previous?.format ?? 2,
      heartbeat,
      options,
    ).run();
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
  const failed = final.some((s) => s.status === "failed");
  const waiting = final.some((s) => s.status === "in-doubt");
  const succeeded = final.every((s) => s.status === "succeeded");
  const status: RunStatus = succeeded
    ? "succeeded"
    : waiting
      ? "waiting"
      : failed
        ? "failed"
        : outcome.deadline
          ? "running"
          : "interrupted";
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
  } else if (succeeded || untouched) await journal.unlock(runbook.application, runId);
  // Interrupted: the lock is left to its lease (the process may still finish a call). Otherwise no
  // process runs it any more: its lease ends now, so a resume or failback elsewhere need not wait.
  else if (status !== "interrupted" && !heartbeat.lost)
    await journal.renewLock(runbook.application, owner.token, Date.now());
  const result: RunResult = { run: (await journal.run(runId)) as RunRecord, steps: final };
  const rollback = runbook.steps.find(
    (s) => s.onFailure === "rollback" && final.find((r) => r.stepId === s.id)?.status === "failed",
  );
  if (!rollback || !final.some((s) => s.status === "succeeded" && s.stepId !== START_GATE)) return result;
  options.log?.(`${rollback.id} failed and says onFailure: rollback; undoing what this run changed`);
  const undo = generateFailback(loaded, result.run, final);
  const undoFile = writeFailback(
    options.runbookDir ?? join(drctlHome(), "runbooks"),
    result.run,
    undo.runbook,
  );
  const undone = await executeRunbook(aws, journal, loadRunbook(loaded.kinds, undoFile), {
    ...options,
    resumeRunId: undefined,
    runId: undefined,
    approvalGate: undefined,
    onStarted: undefined,
    retryInDoubt: undefined,
    undoes: runId,
    owner,
  });
  return { ...result, rollback: undone };
}

/** One process's pass over a run: scheduling, and every change of a step's state. */
class Execution {
  private readonly records = new Map<string, StepRecord>();
  private readonly secrets = new Secrets();
  private readonly log: (line: string) => void;
  /** Why no further step may start (a failure, a step in doubt, the deadline, an interrupt, the lease). */
  private halt: string | undefined;

  constructor(
    /** Guarded: each mutating call is made only while the run's lease is its own. */
    private readonly aws: AwsClients,
    private readonly journal: FencedJournal,
    private readonly loaded: LoadedRunbook,
    private readonly runId: string,
    private readonly format: number,
    private readonly heartbeat: Heartbeat,
    private readonly options: RunOptions,
  ) {
    this.log = (line) => options.log?.(this.secrets.scrub(line));
  }

  private get deadline(): boolean {
    return this.options.signal?.aborted === true;
  }

  private get interrupted(): boolean {
    return this.options.interrupt?.aborted === true;
  }

  /** Why the run must stop before another step starts, if it must. */
  private stopReason(): string | undefined {
    if (this.interrupted) return "interrupted (SIGINT/SIGTERM)";
    if (this.deadline) return "the turn's time is up";
    return this.heartbeat.stop;
  }

  /**
   * The one place a step's state changes: secrets scrubbed, journaled, kept in memory, reported.
   * `starting`: the change begins new work, refused when the run must stop (the next step boundary).
   */
  private async change(
    stepId: string,
    change: StepChange,
    event?: { status?: string; detail?: string },
    starting = false,
  ): Promise<void> {
    if (starting) {
      this.journal.assertHeld();
      const reason = this.stopReason();
      if (reason) throw new Stopped(reason);
    }
    const clean = this.secrets.scrubDeep(change);
    await this.journal.updateStep(this.runId, stepId, clean);
    const before = this.records.get(stepId) as StepRecord;
    this.records.set(stepId, { ...before, ...clean });
    const status = event?.status ?? clean.status;
    if (status)
      this.options.onStep?.(
        stepId,
        status,
        event?.detail === undefined ? undefined : this.secrets.scrub(event.detail),
      );
  }

  async run(): Promise<{ stopped?: string; deadline: boolean; interrupted: boolean }> {
    const { runbook } = this.loaded;
    for (const r of await this.journal.steps(this.runId)) this.records.set(r.stepId, r);
    const steps = runSteps(
      this.loaded.kinds,
      runbook.steps,
      this.records.has(START_GATE),
      this.options.approvalGate,
    );
    for (const wave of waves(steps)) {
      this.halt ??= this.stopReason();
      if (this.halt) break;
      await Promise.all(wave.map((step) => this.runStep(step)));
    }
    return {
      ...(this.halt ? { stopped: this.halt } : {}),
      deadline: this.deadline,
      interrupted: this.interrupted,
    };
  }

  private outputs = (id: string) =>
    this.records.get(id)?.status === "succeeded" ? this.records.get(id)?.outputs : undefined;

  private async runStep(step: StepSpec): Promise<void> {
    const rec = () => this.records.get(step.id) as StepRecord;
    if (rec().status === "succeeded") {
      this.options.onStep?.(step.id, "succeeded", "done in an earlier attempt of this run");
      return;
    }
    const blocked = step.after.filter((d) => this.records.get(d)?.status !== "succeeded");
    if (blocked.length > 0) {
      await this.change(step.id, {
        status: "skipped",
        error: `not run: ${blocked.join(", ")} did not succeed`,
      });
      return;
    }
    const kind = this.loaded.kinds.of(step, this.loaded.file);
    const region = step.region ?? this.loaded.runbook.region;
    let lastError = "";
    for (let attempt = 0; attempt <= step.retries; attempt++) {
      const prior = rec();
      // An attempt that stopped (a crash, the deadline, an interrupt) goes on: same start, same count.
      const continuing =
        attempt === 0 &&
        prior.startedAt !== null &&
        ["running", "pending", "in-doubt"].includes(prior.status);
      // Its intent is journaled but not its calls: they may or may not have happened.
      const inDoubt =
        attempt === 0 &&
        prior.status !== "succeeded" &&
        (prior.status === "in-doubt" ||
          (prior.intent !== null && !prior.intent.appliedAt) ||
          (prior.intent === null && prior.status === "running" && this.format < 2));
      const startedAt = continuing && prior.startedAt ? Date.parse(prior.startedAt) : Date.now();
      const timeout = AbortSignal.timeout(Math.max(1, step.timeoutSeconds * 1000 - (Date.now() - startedAt)));
      const stops = [this.options.signal, this.options.interrupt].filter(
        (s): s is AbortSignal => s !== undefined,
      );
      // A lease found lost ends everything under it at once, mutating calls included (none is made).
      const lost = this.journal.lostSignal;
      const base = {
        aws: this.aws,
        region,
        runbook: runbookScope(this.loaded.runbook, this.loaded.kinds),
        log: (l: string) => this.log(`[${step.id}] ${l}`),
        startedAt,
        // An approval is taken only while the lock is this process's: never by one it was taken from.
        approval: async () => {
          await this.journal.checkOwned();
          return this.journal.approval(this.runId, step.id);
        },
        approveHint: `drctl runbook approve ${this.runId} ${step.id}`,
        secrets: this.secrets,
        idempotencyKey: `${this.runId}/${step.id}`,
      };
      // Waits stop at the deadline or an interrupt; mutating calls only at the step's timeout (or
      // once the lease is lost, when none may be made any more).
      const ctx: StepContext = { ...base, signal: AbortSignal.any([timeout, lost, ...stops]) };
      const applyCtx: StepContext = { ...base, signal: AbortSignal.any([timeout, lost]) };
      try {
        if (continuing)
          await this.change(
            step.id,
            { status: "running", finishedAt: null, error: null },
            { status: "running" },
            true,
          );
        else
          // Journaled before anything is read, so every attempt is on record, even one that fails early.
          await this.change(
            step.id,
            {
              status: "running",
              startedAt: new Date(startedAt).toISOString(),
              finishedAt: null,
              attempts: prior.attempts + 1,
              plan: "(reading the current state)",
              error: null,
            },
            { status: "running" },
            true,
          );
        const { params, journal: inputs } = await paramsOf(
          step,
          kind,
          this.loaded,
          this.aws,
          region,
          this.secrets,
          this.outputs,
        );
        let intent = rec().intent;
        const hadIntent = intent !== null;
        // Its calls were made: only settle. A new attempt of an idempotent step applies again.
        let settled = intent?.appliedAt !== undefined && !inDoubt && (continuing || !kind.idempotent);
        if (inDoubt) {
          const verdict = await this.decide(step, kind, ctx, params);
          if (verdict === "ask") return;
          if (verdict === "done") settled = true;
          intent = rec().intent;
        }
        if (!settled) {
          const now = await kind.read(ctx, params);
          const plan = await kind.plan(ctx, params, now);
          const planText = `${plan.current} -> ${plan.target}`;
          if (plan.refused) throw new Refused(`refused: ${plan.refused}`);
          if (plan.fails) throw new Refused(plan.fails);
          // The before-state of the step's first intent in this run: the one outputs and undo are made of.
          intent = { before: intent ? intent.before : now, plan: planText, at: new Date().toISOString() };
          await this.change(
            step.id,
            // The step as the runbook says it when it acts: a resume compares an edited runbook with it.
            { intent, plan: planText, inputs, fingerprint: this.loaded.fingerprints?.[step.id] },
            { status: "running", detail: planText },
          );
          crashPoint(step.id, "before-call");
          // The lease again, between the intent and the call (the process may have been paused
          // there); each mutating AWS call of apply() is checked too, by the guarded clients.
          await this.journal.check();
          const applied = await kind.apply(applyCtx, params, now);
          crashPoint(step.id, "after-call");
          intent = { ...intent, appliedAt: new Date().toISOString(), applied };
          await this.change(step.id, { intent });
          crashPoint(step.id, "after-journal");
        }
        // Counted as done by a person in a journal without the before-state: no outputs to make.
        const outputs =
          intent === null || (!hadIntent && settled)
            ? {}
            : await kind.settle(ctx, params, intent.before, intent.applied ?? {});
        await this.change(step.id, {
          status: "succeeded",
          outputs,
          finishedAt: new Date().toISOString(),
          error: null,
        });
        return;
      } catch (err) {
        // The lease lost (found by a write, a check or the heartbeat): nothing more is written.
        this.journal.assertHeld();
        if (err instanceof LeaseLostError) throw err;
        lastError = errorText(err);
        if (err instanceof Stopped || this.deadline || this.interrupted) {
          this.halt ??= err instanceof Stopped ? err.message : (this.stopReason() ?? lastError);
          // Not started, or stopped at a safe point: pending again, resumed where it was.
          if (rec().status === "running")
            await this.change(
              step.id,
              { status: "pending", error: `stopped: ${this.halt}; resume the run to go on` },
              { status: "pending", detail: "stopped; resumes" },
            );
          return;
        }
        if (err instanceof InputError || err instanceof Refused) break;
        this.log(`[${step.id}] attempt ${attempt + 1} failed: ${lastError}`);
        // A retry (the runbook's own retries:) reads afresh; the first intent's before-state stays.
      }
    }
    await this.change(
      step.id,
      { status: "failed", error: lastError, finishedAt: new Date().toISOString() },
      {
        status: "failed",
        detail: lastError,
      },
    );
    if (step.onFailure !== "continue") this.halt ??= `${step.id} failed`;
  }

  /**
   * A step in doubt: a person's decision if there is one, else what the live state says. Returns
   * "done" (the calls happened: settle), "redo" (apply again) or "ask" (journaled in-doubt, the
   * run waits for a person).
   */
  private async decide(
    step: StepSpec,
    kind: StepKind<unknown>,
    ctx: StepContext,
    params: unknown,
  ): Promise<"done" | "redo" | "ask"> {
    const rec = this.records.get(step.id) as StepRecord;
    const intent = rec.intent;
    const intentAt = intent?.at ?? rec.startedAt ?? "";
    const person = await this.journal.decision(this.runId, step.id, intentAt);
    const record = async (verdict: "done" | "redo", how: string) => {
      await this.journal.addEvent(this.runId, `${step.id} was in doubt: ${how}`);
      if (verdict === "done")
        await this.change(step.id, {
          intent: {
            ...(intent ?? { before: null, plan: rec.plan ?? "", at: intentAt }),
            appliedAt: new Date().toISOString(),
            decided: how,
          },
        });
      else if (intent) await this.change(step.id, { intent: { ...intent, decided: how } });
      return verdict;
    };
    if (person)
      return record(
        person.decision,
        `${person.decision === "done" ? "counted as done" : "run again"} by ${person.by}`,
      );
    const found = await kind.reconcile(ctx, params, intent === null ? undefined : intent.before);
    let why = found.detail;
    if (found.decision === "done" && intent === null)
      why = `${found.detail}, but this journal (of an older drctl) has no record of what was there before, so its undo is not known`;
    else if (found.decision === "done") return record("done", `reconciled: ${found.detail}`);
    else if (found.decision === "redo" && kind.idempotent)
      return record("redo", `reconciled: ${found.detail}`);
    else if (found.decision === "redo")
      why = `${found.detail}; ${kind.kind} is not idempotent, so it is not run again without a person's consent`;
    const message = `in doubt: ${why}. Decide: drctl runbook approve ${this.runId} ${step.id} (run it again) or drctl runbook approve ${this.runId} ${step.id} --done (it happened), then drctl runbook resume ${this.runId} --execute`;
    await this.journal.addEvent(this.runId, `${step.id} ${message}`);
    await this.change(
      step.id,
      { status: "in-doubt", error: message, finishedAt: new Date().toISOString() },
      {
        status: "in-doubt",
        detail: message,
      },
    );
    this.halt ??= `${step.id} is in doubt`;
    return "ask";
  }
}

/** A step the run refuses (a precondition) or cannot do (a missing resource): not retried. */
class Refused extends DrctlError {}

/** The intent of a step as a failback sees it (for tests and the CLI). */
export type { Intent };
