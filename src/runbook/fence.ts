import {
  LeaseLostError,
  staleFence,
  type Approval,
  type Decision,
  type Fence,
  type Journal,
  type LockOwner,
  type LockRecord,
  type NewRun,
  type RunEvent,
  type RunRecord,
  type RunStatus,
  type StepChange,
  type StepRecord,
} from "./journal.js";

/**
 * A journal as one owner's runs of one application write it: every write carries the fence (the
 * owner's token and the generation of the lock it took last), so a write made after another
 * process took the lock over is refused by the journal itself. Once a write, a renewal or a check
 * finds the lease lost, nothing more is written or checked: every write and check throws
 * LeaseLostError at once. Taking the lock through this view (acquireLock) records the generation
 * taken, so the runs of one owner in one process (a drill's, a rollback) share the newest.
 * After this owner freed the lock itself, what it still writes of its end is its own.
 */
export class FencedJournal implements Journal {
  private generation: number | undefined;
  private released = false;
  /** Why the lease was lost, once it was. */
  lost: string | undefined;
  /** How long a renewal extends the lease (the run sets its own). */
  leaseMs = 120_000;
  private readonly lostController = new AbortController();
  /** Aborted (with the LeaseLostError) when the lease is found lost: what waits under it stops. */
  readonly lostSignal = this.lostController.signal;

  constructor(
    readonly inner: Journal,
    readonly application: string,
    readonly owner: LockOwner,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  /** The fence of the lock this owner holds. */
  get fence(): Fence {
    if (this.generation === undefined)
      throw new Error(`a run of "${this.application}" wrote to the journal before it held the lock`);
    return { application: this.application, token: this.owner.token, generation: this.generation };
  }

  private lose(why: string): LeaseLostError {
    this.lost ??= why;
    const error = new LeaseLostError(this.application, this.lost);
    if (!this.lostSignal.aborted) this.lostController.abort(error);
    return error;
  }

  /** Throws LeaseLostError if the lease is known lost. */
  assertHeld(): void {
    if (this.lost) throw this.lose(this.lost);
  }

  /**
   * Whether the lock is still this owner's, at the generation it took (a read, no write): before
   * an approval is taken as given to this run.
   */
  async checkOwned(): Promise<void> {
    this.assertHeld();
    if (this.released) return;
    const stale = staleFence(await this.inner.lockOf(this.application), this.fence);
    if (stale) throw this.lose(stale);
  }

  /**
   * Before a mutating call: the lock is still this owner's, at the generation it took, and its
   * lease runs. A lease that ended without anyone taking the lock (this process was paused) is
   * renewed first, conditionally, as the heartbeat would: a takeover that read the ended lease
   * then fails, or the renewal does and the lease is lost.
   */
  async check(clock: () => number = Date.now): Promise<void> {
    this.assertHeld();
    if (this.released) return;
    const held = await this.inner.lockOf(this.application);
    const now = clock();
    const stale = staleFence(held, this.fence, now);
    if (stale) throw this.lose(stale);
    if (!held || held.leaseUntil === null || held.leaseUntil > now) return;
    const { token, generation } = this.fence;
    if (!(await this.inner.renewLock(this.application, token, now + this.leaseMs, generation)))
      throw this.lose(
        staleFence(await this.inner.lockOf(this.application), this.fence) ??
          `its lease ended at ${new Date(held.leaseUntil).toISOString()} and could not be renewed`,
      );
  }

  /** Marks the lease lost if the lock, read now, is no longer this owner's. */
  private async loseIfStale(): Promise<void> {
    const stale = staleFence(await this.inner.lockOf(this.application), this.fence);
    if (stale) this.lose(stale);
  }

  /** A write under the fence: refused at once when the lease is known lost; a refusal is remembered. */
  private async write<T>(work: (fence: Fence | undefined) => Promise<T>): Promise<T> {
    this.assertHeld();
    if (this.released) return work(undefined);
    try {
      return await work(this.fence);
    } catch (err) {
      if (err instanceof LeaseLostError) throw this.lose(err.why);
      throw err;
    }
  }

  lockOf(application: string): Promise<LockRecord | undefined> {
    return this.inner.lockOf(application);
  }

  locks(): Promise<LockRecord[]> {
    return this.inner.locks();
  }

  async putLock(lock: LockRecord, expected: LockRecord | undefined): Promise<boolean> {
    const mine = lock.application === this.application && lock.owner?.token === this.owner.token;
    // A process whose lease was taken over never takes the lock back.
    if (mine) this.assertHeld();
    const put = await this.inner.putLock(lock, expected);
    if (put && mine) {
      this.generation = lock.generation ?? undefined;
      this.released = false;
    }
    return put;
  }

  async renewLock(application: string, token: string, leaseUntil: number): Promise<boolean> {
    if (application !== this.application || token !== this.owner.token)
      return this.inner.renewLock(application, token, leaseUntil);
    this.assertHeld();
    if (await this.inner.renewLock(application, token, leaseUntil, this.fence.generation)) return true;
    if (!this.released) await this.loseIfStale();
    return false;
  }

  async unlock(application: string, runId: string): Promise<boolean> {
    if (application !== this.application) return this.inner.unlock(application, runId);
    if (this.released) return false;
    return this.write(async (fence) => {
      const freed = await this.inner.unlock(application, runId, fence);
      if (freed) this.released = true;
      else await this.loseIfStale();
      return freed;
    });
  }

  startRun(run: NewRun, steps: { id: string; kind: string }[]): Promise<void> {
    return this.write((fence) => this.inner.startRun(run, steps, fence));
  }

  run(runId: string): Promise<RunRecord | undefined> {
    return this.inner.run(runId);
  }

  runs(): Promise<RunRecord[]> {
    return this.inner.runs();
  }

  steps(runId: string): Promise<StepRecord[]> {
    return this.inner.steps(runId);
  }

  updateStep(runId: string, stepId: string, change: StepChange): Promise<void> {
    return this.write((fence) => this.inner.updateStep(runId, stepId, change, fence));
  }

  updateRun(runId: string, change: { status: RunStatus; finishedAt: string | null }): Promise<void> {
    return this.write((fence) => this.inner.updateRun(runId, change, fence));
  }

  addEvent(runId: string, what: string): Promise<void> {
    return this.write((fence) => this.inner.addEvent(runId, what, fence));
  }

  events(runId: string): Promise<RunEvent[]> {
    return this.inner.events(runId);
  }

  /** An operator's approval is theirs, not the run's: not fenced. */
  approve(runId: string, stepId: string, by: string): Promise<void> {
    return this.inner.approve(runId, stepId, by);
  }

  approval(runId: string, stepId: string): Promise<Approval | undefined> {
    return this.inner.approval(runId, stepId);
  }

  decide(runId: string, stepId: string, intentAt: string, decision: Decision, by: string): Promise<void> {
    return this.write((fence) => this.inner.decide(runId, stepId, intentAt, decision, by, fence));
  }

  decision(
    runId: string,
    stepId: string,
    intentAt: string,
  ): Promise<(Approval & { decision: Decision }) | undefined> {
    return this.inner.decision(runId, stepId, intentAt);
  }

  close(): void {
    this.inner.close();
  }
}

/** `journal` as `owner`'s runs of `application` write it (the same view if it already is one). */
export function fenceJournal(journal: Journal, application: string, owner: LockOwner): FencedJournal {
  if (journal instanceof FencedJournal) {
    if (journal.application === application && journal.owner.token === owner.token) return journal;
    return new FencedJournal(journal.inner, application, owner);
  }
  return new FencedJournal(journal, application, owner);
}
