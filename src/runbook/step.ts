import type { z } from "zod";
import type { AwsClients } from "../aws/client-factory.js";

/** What a step reads and acts through. */
export interface StepContext {
  aws: AwsClients;
  region: string;
  log(line: string): void;
  signal: AbortSignal;
  /**
   * When the step began (ms since the epoch), across the turns of a run that spans several
   * invocations: a wait counts from here, not from this turn. Default: now.
   */
  startedAt?: number;
  /** During a run: who approved this step, if anyone has (`drctl runbook approve`). */
  approval?: () => Promise<{ by: string; at: string } | undefined>;
  /** During a run: where an operator approves this step. */
  approveHint?: string;
}

/** What a step would change, read from the live state: "current -> target". */
export interface StepPlan {
  current: string;
  target: string;
  /** False when the target state is already there (the step will do nothing). */
  changes: boolean;
}

/**
 * A kind of step. plan() only reads; execute() is idempotent (running it on a state that is
 * already the target is success) and returns outputs later steps can use as ${steps.ID.outputs.KEY}.
 */
export interface StepKind<P> {
  kind: string;
  description: string;
  permissions: string[];
  params: z.ZodType<P>;
  /** The keys execute() returns (documented, and used to carry references over into a failback). */
  outputs: string[];
  /**
   * Of the outputs, those that describe what the step leaves in place (an endpoint), not what it
   * found: a failback takes a value derived from one of these from the same output of the undo.
   */
  establishes?: string[];
  plan(ctx: StepContext, params: P): Promise<StepPlan>;
  execute(ctx: StepContext, params: P): Promise<Record<string, string>>;
  /**
   * The steps that undo this one, from its parameters and the outputs its run recorded (previous
   * capacities, records, settings). [] when there is nothing to undo; absent when a person has
   * to: a generated failback puts an approval gate there instead.
   */
  inverse?(params: P, outputs: Record<string, string>, region: string): InverseStep[] | undefined;
  /** The parameters as the journal may keep them (secrets removed). Default: as they are. */
  redact?(params: P): unknown;
}

/** One step of an undo: run in `region` (default: the original step's), in order. */
export interface InverseStep {
  /** Appended to "undo-<id>" when an undo has several steps. */
  suffix?: string;
  kind: string;
  region?: string;
  params: Record<string, unknown>;
}

/** Sleeps that end early when the run is aborted (timeout or interrupt). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), {
      once: true,
    });
  });
}

/** Polls `check` until it returns a value or the step's signal aborts. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  signal: AbortSignal,
  everyMs = 2000,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await pause(everyMs, signal);
  }
}
