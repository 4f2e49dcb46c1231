import type { AwsOperation } from "../aws/services.js";
import type { z } from "zod";
import type { AwsClients } from "../aws/client-factory.js";
import type { Secrets } from "./secrets.js";
import type { FaultTarget } from "./targets.js";
import { formatDuration } from "../util/duration.js";

/** What a step reads and acts through. */
export interface StepContext {
  aws: AwsClients;
  region: string;
  log(line: string): void;
  /** Aborts waits: the step's timeout, a run's deadline, an interrupt (SIGINT/SIGTERM). */
  signal: AbortSignal;
  /**
   * When the step began (ms since the epoch), across the turns of a run that spans several
   * invocations: a wait counts from here, not from this turn. Default: now.
   */
  startedAt?: number;
  /** The step's timeout: a wait says how much of it has gone. */
  timeoutSeconds?: number;
  /** During a run: who approved this step, if anyone has (`drctl runbook approve`). */
  approval?: () => Promise<{ by: string; at: string } | undefined>;
  /** During a run: where an operator approves this step. */
  approveHint?: string;
  /**
   * The run's secret values (SecureString values it read, secret parameters): a kind adds what
   * it reads that is secret, and the engine removes them from everything it writes or prints.
   */
  secrets: Secrets;
  /**
   * Stable for one step of one run, across attempts, resumes and turns: passed to AWS where an
   * API takes an idempotency token or deduplication id, and to custom receivers (webhooks,
   * functions) so they can drop a repeat.
   */
  idempotencyKey: string;
  /**
   * In a plan only: steps this one runs after would change something first, so the state it reads
   * now is not the one it will act on (a prune's plan then says what a newer image would change).
   */
  afterChanges?: boolean;
  /**
   * During a plan or run of a runbook: what the whole runbook names, for a step that judges what
   * else relies on what it removes (a prune). Absent: only the step's region, no parameters.
   */
  runbook?: RunbookScope;
}

/** The regions and SSM parameters a runbook names (see runbookScope in scope.ts). */
export interface RunbookScope {
  /** The runbook's region first, then its steps' and any region code in its config or parameters. */
  regions: string[];
  /** SSM parameters its steps read (${ssm:...}) or write, with the ids of those steps. */
  parameters: { name: string; steps: string[] }[];
}

/** What a step would change, read from the live state: "current -> target". */
export interface StepPlan {
  current: string;
  target: string;
  /** False when the target state is already there (the step will do nothing). */
  changes: boolean;
  /** The run would refuse this step (a precondition does not hold: lag over the RPO, unknown). */
  refused?: string;
  /** The step would fail (what it acts on does not exist, a name is taken). */
  fails?: string;
}

/**
 * What a step found in doubt (its process stopped between its intent and the record of its
 * effect) is: the target state already holds, nothing happened, or only a person can tell.
 */
export type Reconciled =
  | { decision: "done"; detail: string }
  | { decision: "redo"; detail: string }
  | { decision: "ask"; detail: string };

/**
 * A kind of step, in four parts so that a run can journal its intent before it acts and tell,
 * after a crash, whether the act happened:
 *   read()      the live state the step would change (its before-state; journaled with the intent)
 *   plan()      current -> target from that state, and whether the run would refuse it
 *   apply()     the mutating calls, nothing else; may be empty (waits, checks)
 *   settle()    waits for the change to take (healthy, INSYNC, available) and returns outputs,
 *               from the journaled before-state, never from a fresh read
 * and reconcile(), for a step found in doubt on resume.
 */
export interface StepKind<P, B = unknown> {
  kind: string;
  description: string;
  /** The AWS operations it calls: its IAM actions, the README's table and the policy derive from these. */
  permissions: AwsOperation[];
  params: z.ZodType<P>;
  /**
   * One step's parameters as a runbook writes them: docs/runbook-steps.md shows it, and a test
   * loads it through the runbook loader, so every example is valid.
   */
  example?: Record<string, unknown>;
  /** The keys settle() returns (documented, and used to carry references over into a failback). */
  outputs: string[];
  /**
   * Its outputs are also named by what it returns (a function's result's fields): a reference to
   * an output not in `outputs` is taken, not refused when the runbook is loaded.
   */
  openOutputs?: boolean;
  /**
   * Parameter paths (dot-separated) that run a process. A string there is a shell script (sh -c):
   * it may hold no ${...} reference, since the value would run as code. A list is the program and
   * its arguments, run without a shell: references may fill arguments (never the program), but no
   * SecureString (any user of the machine reads a process's arguments). Values reach a script as
   * environment variables (the kind's `env` parameter). Checked when the runbook is loaded.
   */
  commands?: string[];
  /**
   * Of the outputs, those that describe what the step leaves in place (an endpoint), not what it
   * found: a failback takes a value derived from one of these from the same output of the undo.
   */
  establishes?: string[];
  /**
   * Whether applying it again has no further effect (a group already at its capacity, a record
   * already in place). A step that is not idempotent (a message sent, a function invoked) is
   * never applied again after a crash without a person's consent.
   */
  idempotent: boolean;
  /**
   * Its plan is checked before a new run begins: when this step's plan would fail or be refused
   * (a key that does not exist, nothing to act on), the run does not start and nothing changes,
   * rather than failing at this step after earlier steps made things.
   */
  checkedBeforeRun?: boolean;
  /**
   * It waits for a person's go-ahead (an approval): a run's start gate and a failback's undo by
   * hand are steps of this kind, the plan marks its steps as approval points, and
   * `drctl runbook approve` approves only its steps.
   */
  gate?: boolean;
  /**
   * What it acts on, read from AWS before it runs (src/runbook/targets.ts): a drill refuses a
   * fault on another application's resources or outside its regions from these. Absent: drctl
   * cannot tell what it touches (a command), and only a drill scope of `any` with a reason runs it.
   */
  targets?(aws: AwsClients, region: string, params: Record<string, unknown>): Promise<FaultTarget[]>;
  /** It checks that the application serves (an HTTP check, healthy targets): the plan lists it as a validation. */
  checksHealth?: boolean;
  /**
   * The Auto Scaling group it acts on, as the runbook's parameters name it (a name, or a reference
   * the plan resolves when it is a config value): the plan lists it as a compute component and
   * reads its availability. Undefined when the step names none.
   */
  autoScalingGroup?(params: Record<string, unknown>): unknown;
  /**
   * Its part in a database's replication. "promotes": it makes a read replica a primary (its
   * parameter `instance`; its outputs `arn`, and `previousSource`, what the replica replicated).
   * "replicates": it creates a read replica (its parameters `instance` and `source`; its output
   * `arn`). A failback that promotes a database back ends with a step of the kind that replicates,
   * so DR is restored; the plan says "DR not restored" until one ran.
   */
  replication?: "promotes" | "replicates";
  /**
   * In a generated failback, its undo takes a value again from where the step took it: for each
   * value the step (its runbook `original` parameters) took whole from another step's output,
   * `take(value)` gives the same output of that step's undo, or undefined when the undo does not
   * re-establish it; the kind writes it into its undo's parameters `undo` (changed in place).
   */
  retake?(
    undo: Record<string, unknown>,
    original: Record<string, unknown>,
    take: (value: unknown) => string | undefined,
  ): void;
  /** How reconcile() decides, for the documentation. */
  reconciles: string;
  /**
   * Parameter paths (dot-separated) whose values are secret: never journaled, printed or copied
   * into a failback unless they are ${ssm:...} references (then the reference is kept).
   */
  secretParams?: string[];
  /**
   * Outputs safe to print (results, JSON): the others are shown as (redacted). Default: all of
   * `outputs`; a kind whose outputs come from elsewhere (a function's result) lists none.
   */
  publicOutputs?: string[];
  read(ctx: StepContext, params: P): Promise<B>;
  plan(ctx: StepContext, params: P, before: B): Promise<StepPlan> | StepPlan;
  /** `now` is this attempt's own read (what to change); returns what settle() needs (a change id). */
  apply(ctx: StepContext, params: P, now: B): Promise<Record<string, string>>;
  /** `before` is the journaled before-state (the first intent of this step in its run). */
  settle(
    ctx: StepContext,
    params: P,
    before: B,
    applied: Record<string, string>,
  ): Promise<Record<string, string>>;
  /** `before` is the journaled before-state; undefined for a journal of an older drctl. */
  reconcile(ctx: StepContext, params: P, before: B | undefined): Promise<Reconciled>;
  /**
   * The steps that undo this one, from its parameters (as journaled: runbook text, ${ssm:...}
   * kept) and its recorded outputs (with "${" already escaped as "$${"). [] when there is
   * nothing to undo; undefined when a person has to: a generated failback puts an approval gate
   * there instead.
   */
  inverse?(params: P, outputs: Record<string, string>, region: string): InverseStep[] | undefined;
  /**
   * The SSM parameters it writes, from its parameters as the runbook writes them: a prune in the
   * same runbook keeps an image one of them names.
   */
  ssmParametersWritten?(params: Record<string, unknown>): string[];
  /**
   * The same change by hand, for the DR plan's manual fallback when drctl is not at hand: shell
   * lines to paste (AWS CLI commands, comments), from the parameters as the runbook writes them;
   * a reference not resolved yet is a Shell value (manual.ts) that resolves it when the line runs.
   * Absent: the plan says, in a comment, to do by hand what `description` says.
   */
  manual?(params: Record<string, unknown>, region: string): string[];
  /**
   * Its outputs by hand, for a later step's parameter that refers to one: the AWS CLI command
   * that prints it (`--output text`), and whether it is what the step found (`before`: read
   * before the step's commands, kept in a variable) rather than what it leaves in place.
   */
  manualOutputs?(
    params: Record<string, unknown>,
    region: string,
  ): Record<string, { command: string; before?: boolean }>;
  /**
   * The resources its mutating actions act on, from the runbook's parameters (references not yet
   * resolved are undefined): the cloud deployment grants those actions on those ARNs only.
   */
  grants?(params: Record<string, unknown>, where: GrantScope): Grant[];
}

/** Where a deployment's grants point: partition and account as the template writes them. */
export interface GrantScope {
  region: string;
  partition: string;
  account: string;
}

/** IAM actions on resources (ARNs, * where the runbook does not name them), with optional conditions. */
export interface Grant {
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
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
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    // The listener goes when the timer fires: a long wait polls thousands of times on one signal.
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A wait that says what it waits for while it lasts. */
export interface Waiting {
  signal: AbortSignal;
  /** Called at most every 30 s while the wait lasts. */
  say(line: string): void;
  what: string | (() => string);
  /** When the step began (a wait resumed in a later turn counts from there) and its timeout. */
  startedAt: number;
  timeoutSeconds?: number | undefined;
}

/** How often a long wait says it is still waiting. */
const SAY_EVERY_MS = 30_000;

/** The step's wait for `what`: aborted with the step, and said on its log while it lasts. */
export function waiting(ctx: StepContext, what: string | (() => string)): Waiting {
  return {
    signal: ctx.signal,
    say: (line) => ctx.log(line),
    what,
    startedAt: ctx.startedAt ?? Date.now(),
    timeoutSeconds: ctx.timeoutSeconds,
  };
}

/**
 * Polls `check` until it returns a value or the signal aborts. Given a `Waiting`, a wait longer
 * than 30 s says what it waits for, for how long so far and its timeout, every 30 s: a person
 * watching a failover must never face a silent pause.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  on: AbortSignal | Waiting,
  everyMs = 2000,
): Promise<T> {
  const signal = on instanceof AbortSignal ? on : on.signal;
  let lastSaid = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (!(on instanceof AbortSignal) && Date.now() - lastSaid >= SAY_EVERY_MS) {
      lastSaid = Date.now();
      on.say(stillWaiting(on, lastSaid));
    }
    await pause(everyMs, signal);
  }
}

/** "still waiting for X: 1 min 30 s so far, timeout 10 min". */
export function stillWaiting(w: Waiting, now: number): string {
  const timeout = w.timeoutSeconds === undefined ? "" : `, timeout ${formatDuration(w.timeoutSeconds)}`;
  const what = typeof w.what === "string" ? w.what : w.what();
  return `still waiting for ${what}: ${formatDuration((now - w.startedAt) / 1000)} so far${timeout}`;
}

/** A kind's read found that what the step acts on does not exist: the plan says "would fail". */
export class NotFoundError extends Error {}

/** The usual reconcile of an idempotent kind: done when the target holds, otherwise apply (again). */
export function reconcileByTarget(
  targetHolds: boolean,
  unchanged: boolean | undefined,
  what: string,
): Reconciled {
  if (targetHolds) return { decision: "done", detail: `${what} already holds` };
  return {
    decision: "redo",
    detail: unchanged === false ? `${what} only partly applied; applying again` : `${what} not applied yet`,
  };
}

/** A step that changes nothing (waits, checks): nothing to read, apply or reconcile. */
export const readsNothing = {
  idempotent: true,
  reconciles: "changes nothing: runs (waits, checks) again",
  read: () => Promise.resolve(undefined),
  apply: () => Promise.resolve({}),
  reconcile: () =>
    Promise.resolve({ decision: "redo", detail: "changes nothing; checked again" } satisfies Reconciled),
} as const;
