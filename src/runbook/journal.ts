import { DrctlError } from "../errors.js";

export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";

export interface StepRecord {
  stepId: string;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  outputs: Record<string, string>;
  error: string | null;
  plan: string | null;
  /** The parameters the step ran with, references resolved (secrets removed). */
  inputs: Record<string, unknown> | null;
}

export interface RunRecord {
  runId: string;
  runbook: string;
  file: string;
  application: string;
  hash: string;
  startedAt: string;
  finishedAt: string | null;
  status: "running" | "succeeded" | "failed";
}

export type StepResult =
  | { status: "succeeded"; outputs: Record<string, string> }
  | { status: "failed" | "skipped"; error: string }
  /** Stopped by the run's deadline (a Lambda's time), not by its own failure: pending again. */
  | { status: "pending"; error: string };

export class LockHeldError extends DrctlError {}

export function lockHeld(
  application: string,
  holder: { runId: string; holder: string; at: string },
): LockHeldError {
  return new LockHeldError(
    `another run holds the lock for application "${application}": run ${holder.runId} by ${holder.holder} since ${holder.at}; resume it with drctl runbook resume ${holder.runId}, or wait for it to finish`,
  );
}

/**
 * The run journal: each step's start, end, attempts, plan, inputs, outputs and error, written as
 * they happen, so a run stopped at any point resumes from what is recorded; the lock that keeps
 * two runs for one application apart; operators' approvals. On a laptop a SQLite file, in the
 * cloud the DynamoDB table of the history (conditional writes for the lock).
 */
export interface Journal {
  readonly description: string;
  /** Takes the application's lock for `runId` (or from `takeOverFrom`, the run a failback undoes); refuses, naming the holder, otherwise. */
  lock(application: string, runId: string, takeOverFrom?: string): Promise<void>;
  unlock(application: string, runId: string): Promise<void>;
  startRun(run: Omit<RunRecord, "finishedAt" | "status">, stepIds: string[]): Promise<void>;
  run(runId: string): Promise<RunRecord | undefined>;
  /** Every run, newest first. */
  runs(): Promise<RunRecord[]>;
  steps(runId: string): Promise<StepRecord[]>;
  /**
   * A step's attempt begins. `continuing`: the attempt a run's deadline interrupted goes on, so
   * the step keeps its start time (its wait and timeout count from there) and attempt count.
   */
  stepStarted(runId: string, stepId: string, plan: string, continuing?: boolean): Promise<void>;
  stepPlanned(runId: string, stepId: string, plan: string, inputs: unknown): Promise<void>;
  stepFinished(runId: string, stepId: string, result: StepResult): Promise<void>;
  finishRun(runId: string, status: "succeeded" | "failed"): Promise<void>;
  /** Records an operator's approval of a step; approving twice keeps the first. */
  approve(runId: string, stepId: string, by: string): Promise<void>;
  approval(runId: string, stepId: string): Promise<{ by: string; at: string } | undefined>;
  close(): void;
}
