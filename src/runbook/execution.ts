/**
 * One process's pass over a run: the waves of steps, each step's attempts journaled as they go
 * (attempt started; intent with the before-state; calls made; finished), a step in doubt
 * reconciled, and the run stopped at a safe point when it must (deadline, interrupt, lease).
 */
import type { AwsClients } from "../aws/client-factory.js";
import { DrctlError, InputError } from "../errors.js";
import { crashPoint } from "./crash-hook.js";
import { waves } from "./dag.js";
import type { FencedJournal } from "./fence.js";
import { runSteps, START_GATE } from "./gates.js";
import type { Heartbeat } from "./heartbeat.js";
import { LeaseLostError, type Intent, type StepChange, type StepRecord } from "./journal.js";
import type { LoadedRunbook } from "./load.js";
import type { RunOptions } from "./run-options.js";
import type { StepSpec } from "./schema.js";
import { runbookScope } from "./scope.js";
import { Secrets } from "./secrets.js";
import type { StepContext, StepKind } from "./step.js";
import { errorText, paramsOf } from "./step-params.js";

/** A step was stopped at a safe point (deadline, interrupt, lost lease): it goes on when the run resumes. */
class Stopped extends Error {}

/** One attempt of a step, as it begins: where it runs, whether it goes on from before, its contexts. */
interface Attempt {
  region: string;
  /** An attempt that stopped (a crash, the deadline, an interrupt) goes on: same start, same count. */
  continuing: boolean;
  /** Its intent is journaled but not its calls: they may or may not have happened. */
  inDoubt: boolean;
  startedAt: number;
  attempts: number;
  /** Waits stop at the deadline or an interrupt. */
  ctx: StepContext;
  /** Mutating calls stop only at the step's timeout (or once the lease is lost). */
  applyCtx: StepContext;
}

/** One process's pass over a run: scheduling, and every change of a step's state. */
export class Execution {
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

  private rec(stepId: string): StepRecord {
    return this.records.get(stepId) as StepRecord;
  }

  private async runStep(step: StepSpec): Promise<void> {
    if (this.rec(step.id).status === "succeeded") {
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
    let lastError = "";
    for (let attempt = 0; attempt <= step.retries; attempt++) {
      const a = this.prepare(step, attempt);
      try {
        await this.attempt(step, kind, a);
        return;
      } catch (err) {
        // The lease lost (found by a write, a check or the heartbeat): nothing more is written.
        this.journal.assertHeld();
        if (err instanceof LeaseLostError) throw err;
        lastError = errorText(err);
        if (err instanceof Stopped || this.deadline || this.interrupted)
          return this.stopAt(step, err, lastError);
        if (err instanceof InputError || err instanceof Refused) break;
        this.log(`[${step.id}] attempt ${attempt + 1} failed: ${lastError}`);
        // A retry (the runbook's own retries:) reads afresh; the first intent's before-state stays.
      }
    }
    await this.change(
      step.id,
      { status: "failed", error: lastError, finishedAt: new Date().toISOString() },
      { status: "failed", detail: lastError },
    );
    if (step.onFailure !== "continue") this.halt ??= `${step.id} failed`;
  }

  /** Where attempt `attempt` of `step` stands before it begins, and the contexts it runs with. */
  private prepare(step: StepSpec, attempt: number): Attempt {
    const prior = this.rec(step.id);
    const region = step.region ?? this.loaded.runbook.region;
    const continuing =
      attempt === 0 && prior.startedAt !== null && ["running", "pending", "in-doubt"].includes(prior.status);
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
      timeoutSeconds: step.timeoutSeconds,
      // An approval is taken only while the lock is this process's: never by one it was taken from.
      approval: async () => {
        await this.journal.checkOwned();
        return this.journal.approval(this.runId, step.id);
      },
      approveHint: `drctl runbook approve ${this.runId} ${step.id}`,
      secrets: this.secrets,
      idempotencyKey: `${this.runId}/${step.id}`,
    };
    return {
      region,
      continuing,
      inDoubt,
      startedAt,
      attempts: prior.attempts,
      ctx: { ...base, signal: AbortSignal.any([timeout, lost, ...stops]) },
      applyCtx: { ...base, signal: AbortSignal.any([timeout, lost]) },
    };
  }

  /** One attempt: journaled as begun, its parameters, in doubt decided, acted on unless settled, settled. */
  private async attempt(step: StepSpec, kind: StepKind<unknown>, a: Attempt): Promise<void> {
    await this.begin(step, a);
    const { params, journal: inputs } = await paramsOf(
      step,
      kind,
      this.loaded,
      this.aws,
      a.region,
      this.secrets,
      this.outputs,
    );
    let intent = this.rec(step.id).intent;
    const hadIntent = intent !== null;
    // Its calls were made: only settle. A new attempt of an idempotent step applies again.
    let settled = intent?.appliedAt !== undefined && !a.inDoubt && (a.continuing || !kind.idempotent);
    if (a.inDoubt) {
      const verdict = await this.decide(step, kind, a.ctx, params);
      if (verdict === "ask") return;
      if (verdict === "done") settled = true;
      intent = this.rec(step.id).intent;
    }
    if (!settled) intent = await this.act(step, kind, a, params, inputs, intent);
    // Counted as done by a person in a journal without the before-state: no outputs to make.
    const outputs =
      intent === null || (!hadIntent && settled)
        ? {}
        : await kind.settle(a.ctx, params, intent.before, intent.applied ?? {});
    await this.change(step.id, {
      status: "succeeded",
      outputs,
      finishedAt: new Date().toISOString(),
      error: null,
    });
  }

  /** The attempt journaled as running: going on from where it stopped, or a new attempt (on record even if it fails early). */
  private async begin(step: StepSpec, a: Attempt): Promise<void> {
    if (a.continuing)
      await this.change(
        step.id,
        { status: "running", finishedAt: null, error: null },
        { status: "running" },
        true,
      );
    else
      await this.change(
        step.id,
        {
          status: "running",
          startedAt: new Date(a.startedAt).toISOString(),
          finishedAt: null,
          attempts: a.attempts + 1,
          plan: "(reading the current state)",
          error: null,
        },
        { status: "running" },
        true,
      );
  }

  /**
   * Reads the state, plans, journals the intent (with the before-state of the step's first intent
   * in this run, the one outputs and undo are made of), makes the calls and journals them.
   */
  private async act(
    step: StepSpec,
    kind: StepKind<unknown>,
    a: Attempt,
    params: unknown,
    inputs: Record<string, unknown>,
    prior: Intent | null,
  ): Promise<Intent> {
    const now = await kind.read(a.ctx, params);
    const plan = await kind.plan(a.ctx, params, now);
    const planText = `${plan.current} -> ${plan.target}`;
    if (plan.refused) throw new Refused(`refused: ${plan.refused}`);
    if (plan.fails) throw new Refused(plan.fails);
    const intent: Intent = {
      before: prior ? prior.before : now,
      plan: planText,
      at: new Date().toISOString(),
    };
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
    const applied = await kind.apply(a.applyCtx, params, now);
    crashPoint(step.id, "after-call");
    const done: Intent = { ...intent, appliedAt: new Date().toISOString(), applied };
    await this.change(step.id, { intent: done });
    crashPoint(step.id, "after-journal");
    return done;
  }

  /** Stopped (deadline, interrupt, lease): the run halts; a step not started or stopped at a safe point is pending again. */
  private async stopAt(step: StepSpec, err: unknown, lastError: string): Promise<void> {
    this.halt ??= err instanceof Stopped ? err.message : (this.stopReason() ?? lastError);
    if (this.rec(step.id).status === "running")
      await this.change(
        step.id,
        { status: "pending", error: `stopped: ${this.halt}; resume the run to go on` },
        { status: "pending", detail: "stopped; resumes" },
      );
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
