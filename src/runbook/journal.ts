import { randomBytes } from "node:crypto";
import { readlinkSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { DrctlError } from "../errors.js";

/** in-doubt: the step's process stopped between its intent and the record of its effect, and only a person can tell. */
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped" | "in-doubt";

/**
 * What a step is about to do, journaled before its first mutating call: the before-state its
 * plan saw (the one outputs and failbacks are made from, on every later attempt too) and the
 * plan. Once the mutating calls returned, `appliedAt` says so.
 */
export interface Intent {
  before: unknown;
  plan: string;
  at: string;
  appliedAt?: string;
  /** What settle() needs from apply() (a change id). */
  applied?: Record<string, string>;
  /** How an in-doubt step was decided: by reconcile (what it found) or by a person. */
  decided?: string;
}

export interface StepRecord {
  stepId: string;
  /** The step's kind (null in journals of older drctl versions). */
  kind: string | null;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  outputs: Record<string, string>;
  error: string | null;
  plan: string | null;
  /** The parameters as a runbook would write them: ${ssm:...} references kept, secrets removed. */
  inputs: Record<string, unknown> | null;
  intent: Intent | null;
  /**
   * The step's fingerprint (LoadedRunbook.fingerprints) as the runbook had it when the run began,
   * and once the step acted, as it had it then: a resume with an edited runbook compares it.
   * Absent in journals of older drctl versions.
   */
  fingerprint?: string;
}

export type RunStatus = "running" | "succeeded" | "failed" | "interrupted" | "waiting";

/** Runs journaled with intent records (in-doubt steps can be told from steps that never acted). */
export const JOURNAL_FORMAT = 2;

export interface RunRecord {
  runId: string;
  runbook: string;
  file: string;
  application: string;
  hash: string;
  startedAt: string;
  finishedAt: string | null;
  /**
   * running: a process runs it (or one died running it); interrupted: stopped at a safe point
   * (a signal, a lost lease); waiting: a step in doubt waits for a person's decision.
   */
  status: RunStatus;
  /** 2 for runs with intent records; 1 for runs of older drctl versions. */
  format: number;
  /** The --set values the run began with (part of its hash). */
  set: Record<string, string | number | boolean>;
  /** When the outage began for this run (its alarm's time), if it was triggered. */
  alarmAt: string | null;
  /** The run this one undoes (a failback or a rollback). */
  undoes: string | null;
}

export type NewRun = Omit<RunRecord, "finishedAt" | "status" | "format"> & { format?: number };

/** A step of a new run: its id, kind and fingerprint (none for the start gate, which is in no runbook). */
export interface NewStep {
  id: string;
  kind: string;
  fingerprint?: string | undefined;
}

/** A change of a step's record; null clears a field. */
export type StepChange = Partial<Omit<StepRecord, "stepId" | "kind">>;

export interface RunEvent {
  at: string;
  what: string;
}

/** A person's decision on a step: approve a gate, or say what happened to a step in doubt. */
export interface Approval {
  by: string;
  at: string;
}
export type Decision = "redo" | "done";

/** Who holds a lock: a process (pid on a host) or a workflow whose turns share a token. */
export interface LockOwner {
  token: string;
  host: string;
  /** Host and process namespace: a pid means something only where this matches. */
  hostId: string;
  pid: number;
  by: string;
}

export interface LockRecord {
  application: string;
  runId: string;
  /** null: a row of an older drctl (or written by hand), whose owner cannot be checked. */
  owner: LockOwner | null;
  /** The holder as text, for rows whose owner is not known. */
  holder: string;
  acquiredAt: string;
  /** Until when the holder's lease runs (ms since the epoch); null: no lease (older rows). */
  leaseUntil: number | null;
  /**
   * Counts the times the lock was taken (by anyone, the same owner again included): a holder's
   * writes carry the generation it took, so an earlier turn of the same owner is told apart.
   * null: a row of an older drctl.
   */
  generation: number | null;
}

/**
 * What every journal write and mutating AWS call of a run carries: the lock it is made under. A
 * write whose fence is no longer the lock's (another owner, or a later generation) is refused.
 */
export interface Fence {
  application: string;
  token: string;
  generation: number;
}

/**
 * Why `fence` is not the lock any more (undefined: it still is), from the lock as read: another
 * owner holds it, or the same owner took it again since (a later turn), or no one does.
 */
export function staleFence(held: LockRecord | undefined, fence: Fence, now = Date.now()): string | undefined {
  if (!held) return "no process holds it now (the run that took it over has freed it)";
  if (held.owner?.token !== fence.token || held.generation !== fence.generation)
    return `another process took it over: ${describeHolder(held, now)}`;
  return undefined;
}

/**
 * This process's lease of the application's lock was taken over (or ended): it stops before its
 * next call and writes nothing more to the journal. Could not finish (exit 3).
 */
export class LeaseLostError extends DrctlError {
  constructor(
    readonly application: string,
    readonly why: string,
    /** The run this process was running under the lease, once known. */
    readonly runId?: string,
  ) {
    super(
      `the lease of the lock of application "${application}" was lost: ${why}. This process stopped before its next call and wrote nothing more to the journal${runId ? `; drctl runbook status ${runId} shows where the run is` : ""}`,
    );
  }
}

/**
 * The run journal: each step's start, intent, end, attempts, plan, inputs, outputs and error,
 * written as they happen, so a run stopped at any point resumes from what is recorded; the lock
 * that keeps two runs (and two processes) apart; operators' approvals and decisions; events. On
 * a laptop a SQLite file, in the cloud the DynamoDB table of the history.
 */
export interface Journal {
  readonly description: string;
  lockOf(application: string): Promise<LockRecord | undefined>;
  locks(): Promise<LockRecord[]>;
  /** Writes `lock` if the row is still `expected` (by owner token, or absent): false if it changed. */
  putLock(lock: LockRecord, expected: LockRecord | undefined): Promise<boolean>;
  /** Extends the lease while `token` (and `generation`, if given) still own it: false when they do not. */
  renewLock(application: string, token: string, leaseUntil: number, generation?: number): Promise<boolean>;
  /**
   * Frees the application if `runId` holds it (with a fence: if the fence still is the lock).
   * Whether it was freed.
   */
  unlock(application: string, runId: string, fence?: Fence): Promise<boolean>;
  /*
   * The writes of a run. With a fence, each is made only if the fence still is the application's
   * lock, checked in the same transaction (SQLite) or condition (DynamoDB) as the write;
   * otherwise it throws LeaseLostError and writes nothing.
   */
  startRun(run: NewRun, steps: NewStep[], fence?: Fence): Promise<void>;
  run(runId: string): Promise<RunRecord | undefined>;
  /** Every run, newest first. */
  runs(): Promise<RunRecord[]>;
  steps(runId: string): Promise<StepRecord[]>;
  updateStep(runId: string, stepId: string, change: StepChange, fence?: Fence): Promise<void>;
  updateRun(
    runId: string,
    change: { status: RunStatus; finishedAt: string | null },
    fence?: Fence,
  ): Promise<void>;
  addEvent(runId: string, what: string, fence?: Fence): Promise<void>;
  events(runId: string): Promise<RunEvent[]>;
  /** Records an operator's approval of a step; approving twice keeps the first. */
  approve(runId: string, stepId: string, by: string): Promise<void>;
  approval(runId: string, stepId: string): Promise<Approval | undefined>;
  /** A person's decision on the in-doubt attempt `intentAt` of a step; the first one stands. */
  decide(
    runId: string,
    stepId: string,
    intentAt: string,
    decision: Decision,
    by: string,
    fence?: Fence,
  ): Promise<void>;
  decision(
    runId: string,
    stepId: string,
    intentAt: string,
  ): Promise<(Approval & { decision: Decision }) | undefined>;
  close(): void;
}

export class LockHeldError extends DrctlError {
  constructor(
    message: string,
    readonly held: LockRecord,
  ) {
    super(message);
  }
}

/** This machine (and process namespace: containers that share a hostname do not share pids). */
function currentHostId(): string {
  if (process.env.DRCTL_HOST_ID) return process.env.DRCTL_HOST_ID;
  let ns = "";
  try {
    ns = readlinkSync("/proc/self/ns/pid");
  } catch {
    // Not Linux: the hostname alone.
  }
  return `${hostname()}${ns ? ` ${ns}` : ""}`;
}

/** The owner of a lock taken by this process. */
export function processOwner(by?: string): LockOwner {
  let user = "?";
  try {
    user = userInfo().username;
  } catch {
    // No user entry (some containers).
  }
  return {
    token: randomBytes(12).toString("hex"),
    host: process.env.DRCTL_HOST_ID ?? hostname(),
    hostId: currentHostId(),
    pid: process.pid,
    by: by ?? `${user}@${hostname()}`,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function describeHolder(l: LockRecord, now = Date.now()): string {
  const who = l.owner
    ? `pid ${l.owner.pid} on ${l.owner.host} (${l.owner.by})`
    : l.holder || "an unknown holder";
  const lease =
    l.leaseUntil === null
      ? "no lease"
      : l.leaseUntil > now
        ? `lease until ${new Date(l.leaseUntil).toISOString()}`
        : `lease ended ${new Date(l.leaseUntil).toISOString()}`;
  return `run ${l.runId} by ${who} since ${l.acquiredAt}, ${lease}`;
}

/** Whether the lock's holder may still be running: its lease runs, and it is not provably gone. */
export function holderLive(l: LockRecord, now = Date.now()): { live: boolean; why: string } {
  if (l.leaseUntil !== null && l.leaseUntil <= now)
    return { live: false, why: `its lease ended at ${new Date(l.leaseUntil).toISOString()}` };
  if (l.owner && l.owner.hostId === currentHostId() && !pidAlive(l.owner.pid))
    return { live: false, why: `process ${l.owner.pid} on ${l.owner.host} is gone` };
  // Rows of older drctl versions name "pid N on HOST": gone is provable on this host.
  const legacy = l.owner ? undefined : /^pid (\d+) on (\S+)$/.exec(l.holder);
  if (legacy && legacy[2] === hostname() && !pidAlive(Number(legacy[1])))
    return { live: false, why: `process ${legacy[1]} on ${legacy[2]} is gone` };
  if (l.leaseUntil === null)
    return {
      live: true,
      why: "its owner cannot be checked (a lock row without a lease, written by an older drctl or by hand)",
    };
  return { live: true, why: "its lease runs" };
}

export interface LockRequest {
  application: string;
  runId: string;
  owner: LockOwner;
  leaseMs: number;
  /** The run a failback undoes: its lock may be taken once no process runs it. */
  undoes?: string | undefined;
  /** Take the lock whoever holds it; journaled with who and why. */
  force?: { by: string; why: string } | undefined;
  now?: () => number;
}

/**
 * Takes the application's lock for a run, or refuses naming the holder. A run holds its
 * application until it succeeds (or is undone): another run is refused while it does. The run
 * itself (a resume) or its failback may take it from a process that no longer runs it (lease
 * ended, or the process is gone from this host); --force takes it from anyone. Returns what was
 * taken over, for the journal.
 */
export async function acquireLock(journal: Journal, req: LockRequest): Promise<string | undefined> {
  const now = req.now ?? Date.now;
  for (let attempt = 0; attempt < 5; attempt++) {
    const held = await journal.lockOf(req.application);
    const t = now();
    const mine: LockRecord = {
      application: req.application,
      runId: req.runId,
      owner: req.owner,
      holder: `pid ${req.owner.pid} on ${req.owner.host}`,
      acquiredAt: held?.owner?.token === req.owner.token ? held.acquiredAt : new Date(t).toISOString(),
      leaseUntil: t + req.leaseMs,
      generation: (held?.generation ?? 0) + 1,
    };
    let tookOver: string | undefined;
    if (held && held.owner?.token !== req.owner.token) {
      const ours = held.runId === req.runId || (req.undoes !== undefined && held.runId === req.undoes);
      const state = holderLive(held, t);
      if (req.force)
        tookOver = `forced by ${req.force.by}: ${req.force.why} (from ${describeHolder(held, t)})`;
      else if (!ours)
        throw new LockHeldError(
          `another run holds the lock for application "${req.application}": ${describeHolder(held, t)}; resume it with drctl runbook resume ${held.runId}, fail it back with drctl failback run --from ${held.runId}, or wait for it to finish`,
          held,
        );
      else if (state.live)
        throw new LockHeldError(
          `run ${held.runId} of application "${req.application}" is being run by another process: ${describeHolder(held, t)}; ${state.why}. Wait for it, or, if it is gone, take over with --force`,
          held,
        );
      else tookOver = `took over from ${describeHolder(held, t)}: ${state.why}`;
    }
    if (await journal.putLock(mine, held)) return tookOver;
  }
  throw new DrctlError(
    `the lock for application "${req.application}" kept changing while taking it; try again`,
  );
}
