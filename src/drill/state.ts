/**
 * One drill's state as it goes through its phases (src/drill/phases/): the journal, the events
 * a resume reads back, what was measured and the record it builds. A first run and a resume build
 * the same state (a resume from the journal) and walk the same phases.
 */
import type { AwsClients } from "../aws/client-factory.js";
import type {
  DrillPhase,
  DrillResult,
  MeasuredTarget,
  TimelineEvent,
  TimelineKind,
} from "../core/drill-result.js";
import type { Finding } from "../core/finding.js";
import type { Suppression } from "../core/scan-result.js";
import type { Application } from "../config/applications.js";
import { executeRunbook, type RunResult } from "../runbook/engine.js";
import type { Journal, LockOwner, RunRecord } from "../runbook/journal.js";
import type { LoadedRunbook } from "../runbook/load.js";
import { CanaryWriter, errorMessage, type CanarySide, type CanaryStore } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import type { Prober, ProbeSample, Resolver } from "./probe.js";

/** The id of the fault's step in the drill's run; its undo is "undo-fault". */
export const FAULT_STEP = "fault";
const EVENT = "drill ";
export const MAX_SAMPLES = 20_000;

/** The phases of a drill, in order; the journal says which one finished last. */
export const PHASE_NAMES = [
  "preflight",
  "baseline",
  "fault",
  "failover",
  "revert",
  "failback",
  "end",
] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export interface Preflight {
  findings: Finding[];
  /** Why the standby is not ready (empty: ready). */
  problems: string[];
  /** What it looked at ("4 pair(s), 2 store(s)"), said with its verdict. */
  covered?: string;
  runs: { scan?: string; freshness?: string };
}

export interface DrillOptions {
  resolver: Resolver;
  /** The application's readiness scan and freshness (the CLI runs runScan and runFreshness). */
  preflight: () => Promise<Preflight>;
  /** The canary stores of the drill (made once the drill's id is known). */
  canaries: (drillId: string) => Promise<CanaryStore[]>;
  /** Start although the preflight refuses (journaled). */
  force?: { by: string; why: string } | undefined;
  log?: (line: string) => void;
  /** SIGINT/SIGTERM: the drill stops waiting, reverts its fault and ends (resumable). */
  interrupt?: AbortSignal;
  /** Where generated failbacks are written. */
  runbookDir: string;
  owner?: LockOwner;
  /** How long the lock's lease lasts without a renewal (default DRCTL_LEASE_SECONDS, or 120 s, as runs). */
  leaseMs?: number;
  /** A new drill's id (default: generated). */
  drillId?: string;
  /** drctl.yaml's applications: whose resources a fault may act on (src/drill/scope.ts). */
  applications: readonly Application[];
  /** drctl.yaml's suppressions: a drill's findings are suppressed as a scan's are. */
  suppressions?: readonly Suppression[];
}

export interface DrillOutcome {
  result: DrillResult;
  /** Store the record in the history (false: a resume will finish it and store it). */
  final: boolean;
  /** Always judgeDrill(result).exit: the exit code and the record's headline agree. */
  exit: 0 | 1 | 3;
}

/** What a drill journals as events of its run, read back by a resume. */
export type Journaled =
  | { t: "run"; phase: "failover" | "revert" | "failback"; runId: string }
  | { t: "reserve"; canary: string; upTo: number }
  | { t: "timeline"; event: TimelineEvent }
  | { t: "phase"; phase: "failover" | "failback"; figures: DrillPhase }
  | { t: "samples"; samples: ProbeSample[] }
  | { t: "forced"; by: string; why: string }
  | { t: "done"; phase: PhaseName }
  | { t: "end"; outcome: string };

export async function journaled(journal: Journal, id: string): Promise<Journaled[]> {
  return (await journal.events(id))
    .filter((e) => e.what.startsWith(EVENT))
    .flatMap((e) => {
      try {
        return [JSON.parse(e.what.slice(EVENT.length)) as Journaled];
      } catch {
        return [];
      }
    });
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const anySignal = (signals: (AbortSignal | undefined)[]) =>
  AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));

export function emptyPhase(note: string, resolution: number, rto?: number, rpo?: number): DrillPhase {
  const t = (target: number | undefined, r: number): MeasuredTarget => ({
    measuredSeconds: null,
    targetSeconds: target ?? null,
    met: null,
    resolutionSeconds: r,
    note,
  });
  return { rto: t(rto, resolution), rpo: t(rpo, resolution), lostWrites: 0, detectSeconds: null, steps: [] };
}

/** Keeps the drill's lease while it probes and waits between its runs. */
export class Lease {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly journal: Journal,
    private readonly application: string,
    private readonly token: string,
    private readonly leaseMs: number,
  ) {}
  start(): void {
    this.timer = setInterval(
      () => {
        void this.journal
          .renewLock(this.application, this.token, Date.now() + this.leaseMs)
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** What the probes and the canaries of a first run hold while it goes (a resume has none). */
export interface Live {
  prober: Prober;
  writers: CanaryWriter[];
  /** The canaries writing in the standby between the failover and the failback (those both ways). */
  standbyWriters: CanaryWriter[];
  /** Flushes the probes' answers to the journal while the drill waits. */
  flushing?: NodeJS.Timeout;
}

/** One drill's state as it goes: the journal, its events and the record it builds. */
export class DrillState {
  readonly timeline: TimelineEvent[] = [];
  readonly findings: Finding[] = [];
  readonly unfinished: string[] = [];
  readonly runs: DrillResult["runs"] = {};
  reserved = new Map<string, number>();
  /** Whether the fault's step was started (a refused drill, or one stopped before it, never was). */
  injected = false;
  /** Whether the fault is known not to be in place (reverted, or never injected). */
  reverted = false;
  /** When the drill began (a resume: when the run it resumes began). */
  startedAt = Date.now();
  /** The probes and canary writers of a first run; a resume has none (the process that probed is gone). */
  live: Live | undefined;
  /** The canary stores, once opened. */
  stores: CanaryStore[] | undefined;
  /** When the fault took effect (its injectedAt). */
  faultAt = 0;
  /** The failover runbook's run, once at its end. */
  failoverRun: RunResult | undefined;
  failover: DrillPhase | undefined;
  failback: DrillPhase | null = null;
  /** Probe answers journaled before a crash (a resume's record shows them). */
  journaledSamples: ProbeSample[] = [];
  /** An interrupt stopped the wait for the standby. */
  interrupted = false;
  /** An interrupt stopped the wait for the primary again (the fault already reverted). */
  stoppedInFailback = false;
  /** When the failback began (the fault's revert). */
  failbackAt = 0;
  /** Keeps the lock while the drill runs, once taken. */
  lease: Lease | undefined;
  private flushed = 0;

  constructor(
    readonly d: LoadedDrill,
    readonly id: string,
    readonly journal: Journal,
    readonly owner: LockOwner,
    readonly options: DrillOptions,
    readonly faultLoaded: LoadedRunbook,
    /** A resume: its phases finish what a killed process left, with no probes. */
    readonly resumed: boolean,
  ) {}

  get drill() {
    return this.d.drill;
  }

  say(line: string): void {
    this.options.log?.(line);
  }

  async event(e: Journaled): Promise<void> {
    await this.journal.addEvent(this.id, `${EVENT}${JSON.stringify(e)}`);
  }

  async mark(
    kind: TimelineKind,
    at: number,
    message: string,
    subject?: string,
    journal = true,
  ): Promise<void> {
    const event: TimelineEvent = { at: iso(at), kind, message, ...(subject ? { subject } : {}) };
    this.timeline.push(event);
    if (journal) await this.event({ t: "timeline", event }).catch(() => undefined);
  }

  /** Probes answered since the last flush, journaled (for the record of a drill that is resumed). */
  async flush(): Promise<void> {
    if (!this.live) return;
    const all = this.live.prober.samples();
    const fresh = all.slice(this.flushed, MAX_SAMPLES);
    if (fresh.length === 0) return;
    this.flushed = Math.min(all.length, MAX_SAMPLES);
    await this.event({ t: "samples", samples: fresh }).catch(() => undefined);
  }

  /** Every probe answer of the drill: this process's, or those journaled before a crash. */
  samples(): ProbeSample[] {
    return this.live ? this.live.prober.samples() : this.journaledSamples;
  }

  runOptions(extra: { runId?: string; resumeRunId?: string; undoes?: string }, interruptible = true) {
    return {
      ...extra,
      owner: this.owner,
      keepLock: true,
      runbookDir: this.options.runbookDir,
      ...(this.options.leaseMs ? { leaseMs: this.options.leaseMs } : {}),
      ...(interruptible && this.options.interrupt ? { interrupt: this.options.interrupt } : {}),
      log: (l: string) => this.say(`  ${l}`),
      onStep: (id: string, status: string, detail?: string) => {
        if (status === "running" && detail === undefined)
          void this.mark("step-start", Date.now(), `${id} started`, id);
        if (["succeeded", "failed", "skipped", "in-doubt"].includes(status))
          void this.mark("step-end", Date.now(), `${id} ${status}${detail ? `: ${detail}` : ""}`, id);
        this.say(`  ${status.padEnd(9)} ${id}${detail ? `: ${detail}` : ""}`);
      },
    };
  }

  /** Runs a runbook under the drill's lock, its id journaled before it starts. */
  async runbook(
    phase: "failover" | "revert" | "failback",
    loaded: LoadedRunbook,
    extra: { undoes?: string },
    aws: AwsClients,
    interruptible = true,
  ): Promise<RunResult> {
    const runId = `run-${this.id.slice("drill-".length)}-${phase}`;
    await this.event({ t: "run", phase, runId });
    this.runs[phase] = runId;
    return executeRunbook(aws, this.journal, loaded, this.runOptions({ ...extra, runId }, interruptible));
  }

  /** Resumes a run the drill started, under its lock. */
  async resume(
    runId: string,
    loaded: LoadedRunbook,
    aws: AwsClients,
    interruptible = false,
  ): Promise<RunResult> {
    return executeRunbook(aws, this.journal, loaded, this.runOptions({ resumeRunId: runId }, interruptible));
  }

  /** A run the drill journaled, at its end: read when it succeeded, else resumed (no step twice). */
  async atItsEnd(run: RunRecord, loaded: () => LoadedRunbook, aws: AwsClients): Promise<RunResult> {
    return run.status === "succeeded"
      ? { run, steps: await this.journal.steps(run.runId) }
      : this.resume(run.runId, loaded(), aws);
  }

  /** A canary writer whose every reservation of markers is journaled first (a resume removes them). */
  canaryWriter(s: CanaryStore, side: CanarySide, from: number): CanaryWriter {
    return new CanaryWriter(s, side, from, async (upTo) => {
      this.reserved.set(s.name, upTo);
      await this.event({ t: "reserve", canary: s.name, upTo });
    });
  }

  /** Removes every marker the drill may have written, on both sides. */
  async removeMarkers(stores: CanaryStore[]): Promise<void> {
    for (const s of stores) {
      const upTo = this.reserved.get(s.name);
      if (upTo === undefined) continue;
      try {
        await s.remove(upTo);
      } catch (err) {
        this.unfinished.push(
          `the markers of canary ${s.name} could not all be removed: ${errorMessage(err)}`,
        );
      }
    }
  }

  /** Frees the application if the drill's owner still holds it. */
  async unlock(): Promise<void> {
    const held = await this.journal.lockOf(this.drill.application);
    if (held?.owner?.token === this.owner.token)
      await this.journal.unlock(this.drill.application, held.runId);
  }
}
