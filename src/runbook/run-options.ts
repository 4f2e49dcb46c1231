/** What a run of a runbook is told (RunOptions) and what it gives back (RunResult). */
import type { ApprovalGate } from "./gates.js";
import type { LockOwner, RunRecord, StepRecord } from "./journal.js";

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
