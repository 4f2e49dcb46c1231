/**
 * A drill: a real failover of one application, measured as its clients see it.
 *
 *   preflight   the application's readiness scan and freshness: refused when the standby is not
 *               ready or replication is broken (unless --force WHY, journaled)
 *   lock        the application's lock, held from here to the end by one owner; the drill's run
 *               is journaled at once (its id is the drill's), its only step the fault
 *   baseline    probes until every endpoint answered K times in a row from the primary, and each
 *               canary acknowledged a write (refused otherwise: no baseline, a store that refuses)
 *   fault       the fault step, run by the runbook engine (intent journaled before its call)
 *   failover    the failover runbook (once the probes see the fault), or none; probes go on until
 *               K successes in a row from the standby (RTO), then the standby's markers are read (RPO)
 *   revert      the fault's inverse, generated from the fault run's journal (a failback of it)
 *   failback    the failback runbook (a file, generated from the failover's journal, or none);
 *               probes until K successes from the primary again (the failback's figures)
 *   end         markers removed on both sides, the lock freed, the record stored in the history
 *
 * Each runbook run is a run of the runbook engine with the drill's lock owner, so the lock never
 * leaves the drill. What a resume needs (the runs it started, the markers it may have written, the
 * figures measured so far) is journaled as events of the drill's run as it happens. A drill
 * interrupted (SIGINT/SIGTERM) reverts its fault before it ends; one killed is resumed with
 * `drctl drill resume ID --execute`, which reverts the fault first, then brings the runs it had
 * started to their end and fails back, never running a step twice.
 */
import { randomBytes } from "node:crypto";
import type { AwsClients } from "../aws/client-factory.js";
import {
  DRILL_SCHEMA_VERSION,
  type DrillPhase,
  type DrillResult,
  type MeasuredTarget,
  type TimelineEvent,
  type TimelineKind,
} from "../core/drill-result.js";
import type { Finding, Severity, Status } from "../core/finding.js";
import type { Application } from "../config/applications.js";
import { DrctlError, InputError } from "../errors.js";
import {
  defaultLeaseMs,
  executeRunbook,
  planProblems,
  planRunbook,
  type PlannedStep,
  type RunResult,
} from "../runbook/engine.js";
import { generateFailback, writeFailback } from "../runbook/failback.js";
import { fenceJournal } from "../runbook/fence.js";
import {
  acquireLock,
  describeHolder,
  holderLive,
  LockHeldError,
  processOwner,
  type Journal,
  type LockOwner,
  type RunRecord,
  type StepRecord,
} from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import type { StepSpec } from "../runbook/schema.js";
import { formatDuration, formatMeasured } from "../util/duration.js";
import { CanaryWriter, errorMessage, type CanarySide, type CanaryStore } from "./canaries.js";
import type { LoadedDrill } from "./load.js";
import {
  detectOf,
  namesRegion,
  recoveryOf,
  roundTo,
  rpoOf,
  rtoOf,
  type CanaryReading,
  type CanaryWrite,
} from "./measure.js";
import { Prober, type ProbeSample, type Resolver } from "./probe.js";
import type { DrillEndpoint } from "./schema.js";
import { faultTargets, scopeProblems } from "./scope.js";
import { judgeDrill } from "../core/drill-verdict.js";

/** The id of the fault's step in the drill's run; its undo is "undo-fault". */
export const FAULT_STEP = "fault";
const EVENT = "drill ";
const MAX_SAMPLES = 20_000;

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
}

export interface DrillOutcome {
  result: DrillResult;
  /** Store the record in the history (false: a resume will finish it and store it). */
  final: boolean;
  /** Always judgeDrill(result).exit: the exit code and the record's headline agree. */
  exit: 0 | 1 | 3;
}

export function newDrillId(): string {
  return `drill-${new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;
}

/** The runbook of the drill's own run: one step, the fault. */
export function faultRunbook(d: LoadedDrill): LoadedRunbook {
  const { drill } = d;
  const step: StepSpec = {
    id: FAULT_STEP,
    kind: drill.fault.kind,
    ...(drill.fault.region ? { region: drill.fault.region } : {}),
    params: drill.fault.params as StepSpec["params"],
    after: [],
    timeoutSeconds: 900,
    retries: 0,
    onFailure: "stop",
  };
  return {
    runbook: {
      version: 1,
      name: `drill ${drill.name}`,
      description: `the fault of drill ${drill.name} (${d.file})`,
      application: drill.application,
      region: drill.fault.region ?? drill.regions.primary,
      config: {},
      steps: [step],
    },
    file: d.file,
    hash: d.hash,
    set: {},
    kinds: d.kinds,
  };
}

/** A run journaled as a drill's own (its runbook is named "drill NAME"). */
export const isDrillRun = (r: RunRecord) => r.runbook.startsWith("drill ") && r.runId.startsWith("drill-");

type Journaled =
  | { t: "run"; phase: "failover" | "revert" | "failback"; runId: string }
  | { t: "reserve"; canary: string; upTo: number }
  | { t: "timeline"; event: TimelineEvent }
  | { t: "phase"; phase: "failover" | "failback"; figures: DrillPhase }
  | { t: "samples"; samples: ProbeSample[] }
  | { t: "forced"; by: string; why: string }
  | { t: "end"; outcome: string };

const finding = (
  application: string,
  ruleId: string,
  severity: Severity,
  status: Status,
  message: string,
  remediation: string,
  path = "",
): Finding => ({
  pair: application,
  primaryArn: "",
  secondaryArn: null,
  resourceType: "drill",
  ruleId,
  severity,
  status,
  path,
  primary: null,
  secondary: null,
  message,
  remediation,
});

const iso = (ms: number) => new Date(ms).toISOString();

function emptyPhase(note: string, resolution: number, rto?: number, rpo?: number): DrillPhase {
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
class Lease {
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

/** One drill's state as it goes: the journal, its events and the record it builds. */
class Drill {
  readonly timeline: TimelineEvent[] = [];
  readonly findings: Finding[] = [];
  readonly unfinished: string[] = [];
  readonly runs: DrillResult["runs"] = {};
  reserved = new Map<string, number>();
  /** Whether the fault's step was started (a refused drill, or one stopped before it, never was). */
  injected = false;
  private flushed = 0;

  constructor(
    readonly d: LoadedDrill,
    readonly id: string,
    readonly journal: Journal,
    readonly owner: LockOwner,
    readonly options: DrillOptions,
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
  async flush(prober: Prober | undefined): Promise<void> {
    if (!prober) return;
    const all = prober.samples();
    const fresh = all.slice(this.flushed, MAX_SAMPLES);
    if (fresh.length === 0) return;
    this.flushed = Math.min(all.length, MAX_SAMPLES);
    await this.event({ t: "samples", samples: fresh }).catch(() => undefined);
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
    this.runs[phase === "revert" ? "revert" : phase] = runId;
    return executeRunbook(aws, this.journal, loaded, this.runOptions({ ...extra, runId }, interruptible));
  }

  /** Resumes a run the drill started, under its lock. */
  async resume(runId: string, loaded: LoadedRunbook, aws: AwsClients): Promise<RunResult> {
    return executeRunbook(aws, this.journal, loaded, this.runOptions({ resumeRunId: runId }, false));
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

function stepsOf(records: StepRecord[], from: number): DrillPhase["steps"] {
  return records
    .filter((r) => r.startedAt)
    .map((r) => {
      const start = Date.parse(r.startedAt as string);
      const end = r.finishedAt ? Date.parse(r.finishedAt) : start;
      return {
        id: r.stepId,
        kind: r.kind ?? "?",
        seconds: Math.round((end - start) / 100) / 10,
        outcome: r.status,
        startSeconds: Math.round((start - from) / 100) / 10,
      };
    });
}

/** The figures of a phase from the probes and the canaries. */
function figures(
  d: Drill,
  samples: ProbeSample[],
  from: number,
  waitedUntil: number,
  to: "standby" | "primary",
  writes: CanaryWrite[],
  readings: CanaryReading[],
  steps: DrillPhase["steps"],
): DrillPhase {
  const { drill } = d;
  const resolution = drill.probe.interval;
  const k = drill.probe.consecutive;
  const recoveries = drill.endpoints.map((e) =>
    recoveryOf(
      e.name,
      samples.filter((s) => s.endpoint === e.name),
      from,
      k,
      to,
    ),
  );
  const toName = to === "standby" ? drill.regions.standby : drill.regions.primary;
  const rto = rtoOf(
    recoveries,
    from,
    waitedUntil,
    resolution,
    drill.targets.rto,
    toName,
    to === "standby" ? "the fault" : "the failback",
  );
  const rpo = rpoOf(writes, readings, from, drill.targets.rpo, toName);
  // The targets are the failover's: a failback figure nothing could measure (answers that name
  // no region, no canary written both ways) is said so, and not judged.
  if (to === "primary") {
    for (const t of [rto, rpo.rpo]) if (t.measuredSeconds === null) t.met = null;
    if (readings.length === 0)
      rpo.rpo.note =
        "not measured: no canary wrote in the standby (a DynamoDB or command canary writes both ways)";
  }
  const recovered = recoveries.every((r) => r.recoveredAt !== undefined)
    ? Math.max(...recoveries.map((r) => r.recoveredAt as number))
    : undefined;
  return {
    rto,
    rpo: rpo.rpo,
    lostWrites: rpo.lostWrites,
    detectSeconds: detectOf(recoveries, from, resolution),
    steps,
    from: iso(from),
    recoveredAt: recovered === undefined ? null : iso(recovered),
    endpoints: recoveries.map((r) => ({
      name: r.endpoint,
      detectSeconds: r.detectedAt === undefined ? null : roundTo((r.detectedAt - from) / 1000, resolution),
      recoverySeconds:
        r.recoveredAt === undefined ? null : roundTo((r.recoveredAt - from) / 1000, resolution),
      byStatusOnly: r.byStatusOnly,
    })),
    canaries: Object.entries(rpo.perCanary).map(([name, c]) => ({
      name,
      written: c.written,
      lost: c.lost,
      seconds: c.seconds,
    })),
  };
}

async function readCanaries(
  stores: CanaryStore[],
  side: CanarySide,
  writes: CanaryWrite[],
): Promise<CanaryReading[]> {
  return Promise.all(
    stores.map(async (s) => {
      const markers = writes.filter((w) => w.canary === s.name && w.ok).map((w) => w.marker);
      try {
        return {
          canary: s.name,
          present: await s.present(side, markers),
          resolutionSeconds: s.intervalSeconds,
        };
      } catch (err) {
        return {
          canary: s.name,
          present: new Set<string>(),
          resolutionSeconds: s.intervalSeconds,
          error: errorMessage(err),
        };
      }
    }),
  );
}

/**
 * Every endpoint has K answers in a row that match, from `from` on (`orUnchanged`: or, for
 * answers that name no region and never failed, K successes: enough to stop waiting, never a
 * recovery).
 */
function allStreaks(
  prober: Prober,
  endpoints: readonly DrillEndpoint[],
  from: number,
  k: number,
  to: "primary" | "standby",
  orUnchanged = false,
): boolean {
  return endpoints.every((e) => {
    const r = recoveryOf(e.name, prober.answered(e.name), from, k, to);
    return r.recoveredAt !== undefined || (orUnchanged && r.unchangedAt !== undefined);
  });
}

/** Where a phase's recovery came from, as far as the answers say: a region, or by status alone. */
const servedBy = (p: DrillPhase, region: string) =>
  p.endpoints?.some((e) => e.byStatusOnly)
    ? "after failing (by status alone: the answers name no region)"
    : `from ${region}`;

/**
 * A phase's figures that cannot be judged against the targets (a phase interrupted, a failback
 * figure nothing could measure): said why, never "not met" for what drctl did not see to its end.
 */
function notJudged(p: DrillPhase, why: string): DrillPhase {
  const off = (t: MeasuredTarget): MeasuredTarget =>
    t.met === null ? t : { ...t, met: null, note: `not judged: ${why}${t.note ? `; ${t.note}` : ""}` };
  return { ...p, rto: off(p.rto), rpo: off(p.rpo) };
}

function baselineReady(prober: Prober, endpoints: readonly DrillEndpoint[], k: number): boolean {
  return endpoints.every((e) => {
    const s = prober.answered(e.name);
    let n = 0;
    for (const x of s) n = x.ok && (x.side === "primary" || x.side === "unknown") ? n + 1 : 0;
    return n >= k;
  });
}

const anySignal = (signals: (AbortSignal | undefined)[]) =>
  AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));

/** What the plan of a drill shows: the fault's step, the runbook's steps, the probes and canaries. */
export interface DrillPlan {
  fault: PlannedStep[];
  runbook: PlannedStep[] | null;
  probes: { endpoint: string; url: string; answer: string }[];
  canaries: string[];
  failback: string;
}

/** The dry run: the fault's plan, the failover runbook's, one probe of each endpoint; nothing changed. */
export async function planDrill(
  aws: AwsClients,
  d: LoadedDrill,
  resolver: Resolver,
  canaries: CanaryStore[],
): Promise<DrillPlan> {
  const { drill } = d;
  const fault = await planRunbook(aws, faultRunbook(d));
  const runbook = d.runbook ? await planRunbook(aws, d.runbook) : null;
  const prober = new Prober(drill.endpoints, drill.probe.interval * 1000, settingsOf(d, resolver));
  const probes = await Promise.all(
    drill.endpoints.map(async (e) => {
      const { probeOnce } = await import("./probe.js");
      const s = await probeOnce(e, settingsOf(d, resolver));
      return {
        endpoint: e.name,
        url: e.url,
        answer: s.error
          ? `no answer: ${s.error}`
          : `${s.status ?? "?"}${s.ok ? " ok" : " (not the expected answer)"} from ${s.region ?? "no region named"} at ${s.address ?? "?"} in ${s.ms} ms`,
      };
    }),
  );
  void prober;
  return {
    fault,
    runbook,
    probes,
    canaries: canaries.map((c) => `${c.describe}, every ${formatDuration(c.intervalSeconds)}`),
    failback:
      d.failbackMode === "file"
        ? `the failback runbook ${d.failback?.file ?? ""}`
        : d.failbackMode === "generated"
          ? d.runbook
            ? "generated from the failover run's journal"
            : "the fault's revert (no runbook to undo)"
          : "none (the fault's revert only)",
  };
}

export function settingsOf(d: LoadedDrill, resolver: Resolver) {
  const { drill } = d;
  return {
    timeoutMs: drill.probe.timeout * 1000,
    resolver,
    primaryValue: (e: DrillEndpoint) => (e.region?.primary ?? drill.regions.primary).toLowerCase(),
    standbyValue: (e: DrillEndpoint) => (e.region?.standby ?? drill.regions.standby).toLowerCase(),
  };
}

/** The record of a drill, from its state. */
function record(
  d: Drill,
  startedAt: number,
  outcome: DrillResult["outcome"],
  failover: DrillPhase,
  failback: DrillPhase | null,
  samples: ProbeSample[],
  reverted: boolean,
): DrillResult {
  const { drill } = d;
  const probes: Record<string, Record<string, number>> = {};
  for (const s of samples) {
    const region = s.region ?? "unknown";
    const by = (probes[region] ??= {});
    const key = s.ok ? "ok" : "failed";
    by[key] = (by[key] ?? 0) + 1;
  }
  const now = new Date().toISOString();
  return {
    version: DRILL_SCHEMA_VERSION,
    id: d.id,
    drill: drill.name,
    file: d.d.file,
    application: drill.application,
    generatedAt: now,
    startedAt: iso(startedAt),
    finishedAt: now,
    outcome,
    fault: {
      kind: drill.fault.kind,
      subject:
        Object.values(drill.fault.params)
          .filter((v) => typeof v === "string")
          .join(" ") || drill.fault.kind,
      reverted,
      injected: d.injected,
      ...(drill.fault.scope !== "primary"
        ? { scope: drill.fault.scope, reason: drill.fault.reason ?? "" }
        : {}),
    },
    runbook: d.d.runbook?.file ?? null,
    failover,
    failback,
    probes,
    timeline: [...d.timeline].sort((a, b) => a.at.localeCompare(b.at)),
    findings: d.findings,
    runs: d.runs,
    endpoints: drill.endpoints.map((e) => ({ name: e.name, url: e.url })),
    samples: samples.slice(0, MAX_SAMPLES),
    probe: {
      intervalSeconds: drill.probe.interval,
      consecutive: drill.probe.consecutive,
      resolver: d.options.resolver.description,
    },
    ...(d.options.force ? { forced: d.options.force } : {}),
    ...(d.unfinished.length ? { unfinished: d.unfinished } : {}),
  };
}

/** The exit code of a drill's record: judgeDrill's, the same that makes its headline. */
export const drillExit = (r: DrillResult): 0 | 1 | 3 => judgeDrill(r).exit;

/** The outcome of a drill from its record: its exit code always the one its headline says. */
const outcomeOf = (result: DrillResult, final: boolean): DrillOutcome => ({
  result,
  final,
  exit: drillExit(result),
});

/**
 * The fault's plan, read before anything starts: one that would fail or be refused is bad input
 * (a health check that does not exist); one that could not be read (AWS unreachable, access
 * denied) could not finish, as for every other command.
 */
async function checkFaultPlan(aws: AwsClients, d: LoadedDrill, faultLoaded: LoadedRunbook): Promise<void> {
  const faultPlan = (await planRunbook(aws, faultLoaded))[0];
  const problem = faultPlan ? planProblems([faultPlan])[0] : undefined;
  if (!problem) return;
  const what = `${d.file}: fault (${d.drill.fault.kind})`;
  if (problem.kind === "unreadable")
    throw new DrctlError(`${what}: cannot read the current state: ${problem.problem}; nothing was changed`);
  throw new InputError(
    `${what} ${problem.kind === "refused" ? "would be refused" : "would fail"}: ${problem.problem}; nothing was changed`,
  );
}

/** Why the fault must not act on what it names (src/drill/scope.ts); read from AWS and the journal's locks. */
async function scopeRefusal(
  aws: AwsClients,
  journal: Journal,
  d: LoadedDrill,
  applications: readonly Application[],
): Promise<string[]> {
  const { drill } = d;
  let targets: Awaited<ReturnType<typeof faultTargets>>;
  try {
    targets = await faultTargets(aws, drill);
  } catch (err) {
    throw new DrctlError(
      `${d.file}: fault (${drill.fault.kind}): cannot read what it acts on: ${errorMessage(err)}; nothing was changed`,
      { cause: err },
    );
  }
  const locks = new Map<string, string>();
  for (const app of applications) {
    if (app.name === drill.application) continue;
    const held = await journal.lockOf(app.name);
    if (held) locks.set(app.name, describeHolder(held));
  }
  return scopeProblems({
    application: drill.application,
    regions: drill.regions,
    faultRegion: drill.fault.region ?? drill.regions.primary,
    scope: drill.fault.scope,
    applications,
    targets,
    locks,
  });
}

/** The canaries whose store has no copy in the standby to read markers from, each said with its store and region. */
async function standbyCopyProblems(stores: readonly CanaryStore[]): Promise<string[]> {
  const problems: string[] = [];
  for (const s of stores) {
    const problem = await s.standbyCopy();
    if (problem) problems.push(`canary ${s.name}: ${problem}`);
  }
  return problems;
}

/** Runs a drill with --execute. */
export async function runDrill(
  aws: AwsClients,
  journal: Journal,
  d: LoadedDrill,
  options: DrillOptions,
): Promise<DrillOutcome> {
  const { drill } = d;
  const id = options.drillId ?? newDrillId();
  const owner = options.owner ?? processOwner();
  // Every write of the drill and of its runs carries the fence of the lock it takes; a lease found
  // lost stops its waits as an interrupt would (and what it would then write or change is refused).
  const fenced = fenceJournal(journal, drill.application, owner);
  journal = fenced;
  options = { ...options, interrupt: anySignal([options.interrupt, fenced.lostSignal]) };
  const state = new Drill(d, id, journal, owner, options);
  const startedAt = Date.now();
  const resolution = drill.probe.interval;
  const k = drill.probe.consecutive;
  const faultLoaded = faultRunbook(d);

  // 1. The fault must be possible before anything starts (a health check that does not exist).
  await checkFaultPlan(aws, d, faultLoaded);
  const refuse = (why: string, finding: Finding): DrillOutcome => {
    state.findings.push(finding);
    return outcomeOf(
      record(
        state,
        startedAt,
        "refused",
        emptyPhase(`not measured: ${why}`, resolution, drill.targets.rto, drill.targets.rpo),
        null,
        [],
        true,
      ),
      true,
    );
  };

  // 2. What the fault acts on: the drilled application's own resources, in its scope.
  const outOfScope = await scopeRefusal(aws, journal, d, options.applications);
  if (outOfScope.length > 0)
    return refuse(
      `the fault's target is not the drill's to touch: ${outOfScope.join("; ")}`,
      finding(
        drill.application,
        "drill.scope",
        "high",
        "drift",
        `the drill was not started, nothing was changed: ${outOfScope.join("; ")}`,
        "Name a resource of the drilled application in its primary region (drctl.yaml's applications: says which are its own), wait for the run that holds the other application's lock, or say fault.scope with a reason.",
        "fault",
      ),
    );
  if (drill.fault.scope !== "primary")
    state.say(`fault scope ${drill.fault.scope}: ${drill.fault.reason ?? ""}`);

  // 3. The preflight: is the standby ready, is replication working, can each canary be read there?
  state.say(`preflight: readiness scan and freshness of ${drill.application}`);
  const pre = await options.preflight();
  state.findings.push(...pre.findings);
  Object.assign(state.runs, pre.runs);
  await state.mark(
    "preflight",
    Date.now(),
    pre.problems.length
      ? `not ready: ${pre.problems.join("; ")}`
      : `the standby is ready${pre.covered ? ` (${pre.covered})` : ""}`,
    undefined,
    false,
  );
  const stores = await options.canaries(id);
  const noCopy = await standbyCopyProblems(stores);
  if (noCopy.length > 0)
    return refuse(
      `no canary can be read in ${drill.regions.standby}: ${noCopy.join("; ")}`,
      finding(
        drill.application,
        "drill.canary-no-copy",
        "high",
        "drift",
        `the drill was not started, nothing was changed: ${noCopy.join("; ")}: the RPO could not be measured`,
        `Name a store the application replicates to ${drill.regions.standby} (its copy is where the markers are read), or fix its replication.`,
        "canaries",
      ),
    );
  if (pre.problems.length > 0 && !options.force)
    return refuse(
      `the preflight refused: ${pre.problems.join("; ")}`,
      finding(
        drill.application,
        "drill.preflight",
        "high",
        "drift",
        `the drill was not started: ${pre.problems.join("; ")}`,
        "Fix what the scan and freshness found, or start the drill anyway with --force WHY (journaled).",
      ),
    );

  // 3. The lock and the drill's run, before anything is written.
  const leaseMs = options.leaseMs ?? defaultLeaseMs();
  await acquireLock(journal, { application: drill.application, runId: id, owner, leaseMs });
  const lease = new Lease(journal, drill.application, owner.token, leaseMs);
  lease.start();
  let prober: Prober | undefined;
  const writers: CanaryWriter[] = [];
  try {
    await journal.startRun(
      {
        runId: id,
        runbook: faultLoaded.runbook.name,
        file: d.file,
        application: drill.application,
        hash: d.hash,
        startedAt: iso(startedAt),
        set: {},
        alarmAt: null,
        undoes: null,
      },
      [{ id: FAULT_STEP, kind: drill.fault.kind }],
    );
    state.say(
      `drill ${id} started (${journal.description}); if this terminal goes away: drctl drill resume ${id} --execute`,
    );
    if (options.force) {
      await state.event({ t: "forced", ...options.force });
      await journal.addEvent(id, `preflight overridden by ${options.force.by}: ${options.force.why}`);
    }
    if (drill.fault.scope !== "primary")
      await journal.addEvent(
        id,
        `fault scope ${drill.fault.scope} (the drill file ${d.file}): ${drill.fault.reason ?? ""}`,
      );

    // 4. The baseline: K answers in a row from the primary, a write acknowledged by each canary.
    prober = new Prober(drill.endpoints, resolution * 1000, settingsOf(d, options.resolver));
    prober.start();
    for (const s of stores) {
      const w = new CanaryWriter(s, "primary", 0, async (upTo) => {
        state.reserved.set(s.name, upTo);
        await state.event({ t: "reserve", canary: s.name, upTo });
      });
      writers.push(w);
      w.start();
    }
    state.say(`baseline: waiting for ${k} answers in a row from ${drill.regions.primary} on every endpoint`);
    const baselineEnd = AbortSignal.timeout(drill.probe.baseline * 1000);
    const p = prober;
    // Each canary's first marker is looked for on the standby, so the RPO rests on markers that
    // have had the time to arrive (replication working, its lag known).
    const arrived = new Set<string>();
    void Promise.all(
      stores.map(async (s, i) => {
        while (!baselineEnd.aborted && !options.interrupt?.aborted) {
          const first = writers[i]?.writes.find((x) => x.ok);
          if (
            first &&
            (await s.present("standby", [first.marker]).catch(() => new Set<string>())).has(first.marker)
          ) {
            arrived.add(s.name);
            return;
          }
          if (writers[i]?.writes.some((x) => !x.ok)) return;
          await new Promise((r) => setTimeout(r, s.intervalSeconds * 1000));
        }
      }),
    );
    const ready = await p.until(
      () => {
        const refusing = writers.flatMap((w) => w.writes.filter((x) => !x.ok));
        if (refusing.length) return "refused" as const;
        return baselineReady(p, drill.endpoints, k) &&
          writers.every((w) => w.writes.some((x) => x.ok)) &&
          arrived.size === stores.length
          ? ("ready" as const)
          : undefined;
      },
      anySignal([baselineEnd, options.interrupt]),
    );
    const endpointsReady =
      baselineReady(p, drill.endpoints, k) && writers.every((w) => w.writes.some((x) => x.ok));
    if (ready === undefined && endpointsReady)
      // Only replication is slower than the baseline: the drill goes on, its RPO a lower bound.
      for (const s of stores.filter((x) => !arrived.has(x.name)))
        state.findings.push(
          finding(
            drill.application,
            "drill.canary-not-arrived",
            "medium",
            "drift",
            `no marker of canary ${s.name} reached ${drill.regions.standby} within the baseline (${formatDuration(drill.probe.baseline)}): its RPO may be at least the time it wrote`,
            "Raise probe.baseline above the store's replication lag, or check its replication (drctl freshness).",
            `canaries.${s.name}`,
          ),
        );
    const baselineFailed = async (why: string, f: Finding): Promise<DrillOutcome> => {
      for (const w of writers) await w.stop();
      await p.stop();
      await state.removeMarkers(stores);
      await journal.updateStep(id, FAULT_STEP, { status: "skipped", error: `not run: ${why}` });
      await journal.updateRun(id, { status: "failed", finishedAt: new Date().toISOString() });
      await state.event({ t: "end", outcome: "refused" });
      await state.unlock();
      return refuse(why, f);
    };
    if (options.interrupt?.aborted) {
      for (const w of writers) await w.stop();
      await p.stop();
      await state.removeMarkers(stores);
      await journal.updateStep(id, FAULT_STEP, {
        status: "skipped",
        error: "not run: interrupted before the fault",
      });
      await journal.updateRun(id, { status: "interrupted", finishedAt: new Date().toISOString() });
      await state.unlock();
      await state.mark("interrupted", Date.now(), "interrupted before the fault: nothing was changed");
      return outcomeOf(
        record(
          state,
          startedAt,
          "interrupted",
          emptyPhase(
            "not measured: interrupted before the fault",
            resolution,
            drill.targets.rto,
            drill.targets.rpo,
          ),
          null,
          p.samples(),
          true,
        ),
        true,
      );
    }
    if (ready === "refused") {
      const bad = writers.flatMap((w) => w.writes.filter((x) => !x.ok))[0] as CanaryWrite;
      return baselineFailed(
        `canary ${bad.canary} refuses writes`,
        finding(
          drill.application,
          "drill.canary-refused",
          "high",
          "error",
          `canary ${bad.canary} refuses writes: ${bad.error ?? "?"}; the drill was not started, nothing was changed`,
          "Give drctl write access to the canary's store (see Permissions), or name another store in the drill file.",
          `canaries.${bad.canary}`,
        ),
      );
    }
    if (ready !== "ready" && !(ready === undefined && endpointsReady && !options.interrupt?.aborted)) {
      const missing = drill.endpoints.filter((e) => !baselineReady(p, [e], k));
      const detail = missing
        .map((e) => {
          const last = p.answered(e.name).at(-1);
          const seen = last
            ? (last.error ?? `${last.status ?? "?"}${last.ok ? ` from ${last.region ?? "?"}` : ""}`)
            : "no answer";
          return `${e.name} (${e.url}): last answer ${seen}`;
        })
        .join("; ");
      const silent = writers.filter((w) => !w.writes.some((x) => x.ok)).map((w) => w.writes[0]?.canary ?? "");
      return baselineFailed(
        missing.length ? `no baseline: ${detail}` : `canary ${silent.join(", ")} acknowledged no write`,
        finding(
          drill.application,
          "drill.no-baseline",
          "high",
          "error",
          missing.length
            ? `no baseline: ${missing.length} endpoint(s) never answered ${k} times in a row from ${drill.regions.primary} within ${formatDuration(drill.probe.baseline)}: ${detail}; the drill was not started, nothing was changed`
            : `canary ${silent.join(", ")} acknowledged no write within ${formatDuration(drill.probe.baseline)}; the drill was not started`,
          "Check the endpoint's URL, expected answer and region field (region.primary if it names the primary otherwise), or raise probe.baseline.",
        ),
      );
    }
    for (const e of drill.endpoints)
      if (!namesRegion(p.answered(e.name)))
        state.findings.push(
          finding(
            drill.application,
            "drill.no-region-field",
            "medium",
            "drift",
            `endpoint ${e.name}'s answers name no region${e.region ? ` (${e.region.header ? `header ${e.region.header}` : e.region.json ? `field ${e.region.json}` : `pattern ${e.region.pattern ?? ""}`} not found)` : " (no region: in the drill file)"}: its RTO is measured by status alone`,
            "Have the application say which region answered (a header such as x-region, or a field of its health answer) and name it under the endpoint's region:.",
            `endpoints.${e.name}.region`,
          ),
        );
    await state.mark(
      "baseline",
      Date.now(),
      `${drill.endpoints.length} endpoint(s) answered ${k} times in a row from ${drill.regions.primary}`,
    );

    // 5. The fault. Canary writes stop first: the RPO is about writes acknowledged before it.
    for (const w of writers) await w.stop();
    await state.flush(p);
    state.say(`fault: ${drill.fault.kind}`);
    const faultRun = await executeRunbook(aws, journal, faultLoaded, state.runOptions({ resumeRunId: id }));
    state.runs.fault = id;
    const faultRecord = faultRun.steps.find((s) => s.stepId === FAULT_STEP);
    // Sent (its intent journaled) is injected, or may be: a revert is then owed.
    state.injected = faultRun.run.status === "succeeded" || Boolean(faultRecord?.intent);
    const injectedAt = faultRecord?.outputs.injectedAt ?? faultRecord?.intent?.applied?.injectedAt;
    const F = injectedAt ? Date.parse(injectedAt) : Date.now();
    if (faultRun.run.status !== "succeeded") {
      // Not in place, or not known to be: revert what may be there, then end.
      const why = faultRecord?.error ?? faultRun.run.status;
      state.unfinished.push(`the fault could not be injected: ${why}`);
      await p.stop();
      await state.removeMarkers(stores);
      if (faultRecord?.intent) await revertAndEnd(aws, state, faultLoaded, false);
      await state.unlock();
      return outcomeOf(
        record(
          state,
          startedAt,
          "interrupted",
          emptyPhase(
            `not measured: the fault could not be injected: ${why}`,
            resolution,
            drill.targets.rto,
            drill.targets.rpo,
          ),
          null,
          p.samples(),
          faultRecord?.intent ? state.unfinished.length === 1 : true,
        ),
        true,
      );
    }
    await state.mark(
      "fault",
      F,
      `${drill.fault.kind} in place: ${faultRecord?.plan ?? ""}`,
      drill.fault.kind,
    );

    // 6. The failover: the runbook once the fault is seen (or at once), probes until the standby serves.
    const recoveryEnd = AbortSignal.timeout(Math.max(1, F + drill.timeouts.recovery * 1000 - Date.now()));
    const flushing = setInterval(() => void state.flush(p), 5000);
    flushing.unref();
    let failoverRun: RunResult | undefined;
    let failoverDone: Promise<RunResult | undefined> = Promise.resolve(undefined);
    const runbookFailed = new AbortController();
    if (d.runbook) {
      const runbook = d.runbook;
      if (drill.startRunbook === "detection") {
        state.say(
          `waiting for the probes to see the fault (at most ${formatDuration(drill.timeouts.detect)})`,
        );
        const detectEnd = AbortSignal.timeout(Math.max(1, F + drill.timeouts.detect * 1000 - Date.now()));
        await p.until(
          () =>
            drill.endpoints.some(
              (e) => recoveryOf(e.name, p.answered(e.name), F, k, "standby").detectedAt !== undefined,
            )
              ? true
              : undefined,
          anySignal([detectEnd, options.interrupt]),
        );
      }
      if (!options.interrupt?.aborted) {
        state.say(`failover: ${runbook.runbook.name} (${runbook.file})`);
        failoverDone = state.runbook("failover", runbook, {}, aws).then(
          (r) => {
            failoverRun = r;
            if (r.run.status !== "succeeded") runbookFailed.abort();
            return r;
          },
          (err: unknown) => {
            state.unfinished.push(`the failover runbook could not run: ${errorMessage(err)}`);
            runbookFailed.abort();
            return undefined;
          },
        );
      }
    }
    state.say(`probing until ${k} answers in a row from ${drill.regions.standby} on every endpoint`);
    await p.until(
      () => (allStreaks(p, drill.endpoints, F, k, "standby") ? true : undefined),
      anySignal([recoveryEnd, options.interrupt, runbookFailed.signal]),
    );
    const failoverWaited = Date.now();
    await failoverDone;
    if (failoverRun && failoverRun.run.status !== "succeeded")
      state.unfinished.push(
        `the failover run ${failoverRun.run.runId} ${failoverRun.run.status}${failoverRun.steps.find((s) => s.status === "failed")?.error ? `: ${failoverRun.steps.find((s) => s.status === "failed")?.error ?? ""}` : ""}`,
      );
    const primaryWrites = writers.flatMap((w) => w.writes);
    const readings = await readCanaries(stores, "standby", primaryWrites);
    const interrupted = options.interrupt?.aborted === true;
    let failover = figures(
      state,
      p.samples(),
      F,
      failoverWaited,
      "standby",
      primaryWrites,
      readings,
      failoverRun ? stepsOf(failoverRun.steps, F) : [],
    );
    if (interrupted && !failover.recoveredAt)
      failover = notJudged(failover, "interrupted before every endpoint answered from the standby");
    for (const e of [...p.samples()].filter((s) => s.at >= F && !s.ok).slice(0, 1))
      await state.mark(
        "first-failure",
        e.at,
        `first failed probe: ${e.endpoint} ${e.error ?? e.status ?? ""}`,
        e.endpoint,
      );
    if (failover.detectSeconds !== null)
      await state.mark(
        "detected",
        F + failover.detectSeconds * 1000,
        `the probes saw the fault after ${failover.detectSeconds} s`,
      );
    const firstStandby = p.samples().find((s) => s.at >= F && s.ok && s.side === "standby");
    if (firstStandby)
      await state.mark(
        "first-standby-success",
        firstStandby.at,
        `first success from ${drill.regions.standby}: ${firstStandby.endpoint}`,
        firstStandby.endpoint,
      );
    if (failover.recoveredAt)
      await state.mark(
        "recovered",
        Date.parse(failover.recoveredAt),
        `every endpoint answered ${k} times in a row ${servedBy(failover, drill.regions.standby)}: RTO ${failover.rto.measuredSeconds ?? "?"} s`,
      );
    await state.event({ t: "phase", phase: "failover", figures: failover });
    state.say(
      `failover measured: RTO ${showTarget(failover.rto)}, RPO ${showTarget(failover.rpo)}, ${failover.lostWrites} lost writes`,
    );

    // 7. The failback: the fault reverted first (never interrupted), then the failback runbook.
    const standbyWriters: CanaryWriter[] = [];
    if (!interrupted && failover.recoveredAt)
      for (const [i, s] of stores.entries())
        if (s.bothWays) {
          const w = new CanaryWriter(s, "standby", writers[i]?.nextSeq ?? 1000, async (upTo) => {
            state.reserved.set(s.name, upTo);
            await state.event({ t: "reserve", canary: s.name, upTo });
          });
          standbyWriters.push(w);
          w.start();
        }
    if (standbyWriters.length)
      await p.until(
        () => (standbyWriters.every((w) => w.writes.length > 0) ? true : undefined),
        AbortSignal.timeout(10_000),
      );
    for (const w of standbyWriters) await w.stop();
    const FB = Date.now();
    await state.mark("failback-start", FB, "failback: the fault is reverted");
    state.say("revert: the fault's undo, from its journal");
    const reverted = await revert(aws, state, faultLoaded);
    let failback: DrillPhase | null = null;
    let stoppedInFailback = false;
    if (
      reverted &&
      !interrupted &&
      (!failoverRun ||
        failoverRun.run.status === "succeeded" ||
        failoverRun.steps.some((s) => s.status === "succeeded"))
    ) {
      const back = failoverRun ? failbackRunbook(d, state, failoverRun) : undefined;
      let backRun: RunResult | undefined;
      if (back) {
        state.say(`failback: ${back.runbook.name} (${back.file})`);
        backRun = await state
          .runbook("failback", back, { undoes: failoverRun?.run.runId ?? "" }, aws, false)
          .catch((err: unknown) => {
            state.unfinished.push(`the failback runbook could not run: ${errorMessage(err)}`);
            return undefined;
          });
        if (backRun && backRun.run.status !== "succeeded")
          state.unfinished.push(
            `the failback run ${backRun.run.runId} ${backRun.run.status}: drctl runbook resume ${backRun.run.runId} --execute`,
          );
      }
      // An interrupt here stops the wait (the fault is already reverted): the failback's figures are partial.
      const failbackEnd = anySignal([AbortSignal.timeout(drill.timeouts.failback * 1000), options.interrupt]);
      // Answers that name no region and never failed cannot show the primary back: the wait ends
      // at K successes all the same (the figure then says it was not measured).
      await p.until(
        () => (allStreaks(p, drill.endpoints, FB, k, "primary", true) ? true : undefined),
        failbackEnd,
      );
      if (options.interrupt?.aborted) stoppedInFailback = true;
      const waited = Date.now();
      const standbyWrites = standbyWriters.flatMap((w) => w.writes);
      const backReadings =
        standbyWriters.length && !stoppedInFailback
          ? await readCanaries(
              stores.filter((s) => s.bothWays),
              "primary",
              standbyWrites,
            )
          : [];
      failback = figures(
        state,
        p.samples(),
        FB,
        waited,
        "primary",
        standbyWrites,
        backReadings,
        backRun ? stepsOf(backRun.steps, FB) : [],
      );
      if (stoppedInFailback)
        failback = notJudged(failback, "interrupted before every endpoint answered from the primary again");
      if (failback.recoveredAt)
        await state.mark(
          "failback-recovered",
          Date.parse(failback.recoveredAt),
          `every endpoint answered ${k} times in a row ${servedBy(failback, drill.regions.primary)} again: ${failback.rto.measuredSeconds ?? "?"} s after the failback began`,
        );
      await state.event({ t: "phase", phase: "failback", figures: failback });
    }
    clearInterval(flushing);
    await p.stop();
    await state.removeMarkers(stores);
    const outcome: DrillResult["outcome"] = interrupted || stoppedInFailback ? "interrupted" : "completed";
    if (stoppedInFailback && !interrupted)
      await state.mark(
        "interrupted",
        Date.now(),
        "interrupted (SIGINT/SIGTERM) while waiting for the primary region to serve again: the fault was reverted, the failback's figures are partial",
      );
    if (interrupted) {
      await state.mark("interrupted", Date.now(), "interrupted (SIGINT/SIGTERM): the fault was reverted");
      if (state.runs.failover)
        state.unfinished.push(
          `the failover run ${state.runs.failover} changed things: drctl drill resume ${id} --execute brings it to its end and fails back`,
        );
    }
    const ended = !interrupted || !state.runs.failover;
    if (reverted && ended) await state.unlock();
    await state.event({ t: "end", outcome: ended ? outcome : "interrupted (resumable)" });
    const result = record(state, startedAt, outcome, failover, failback, p.samples(), reverted);
    return outcomeOf(result, ended);
  } catch (err) {
    // Anything unexpected: the fault must not stay in place.
    for (const w of writers) await w.stop().catch(() => undefined);
    await prober?.stop().catch(() => undefined);
    const steps = await journal.steps(id).catch(() => [] as StepRecord[]);
    if (steps.find((s) => s.stepId === FAULT_STEP)?.intent)
      await revertAndEnd(aws, state, faultLoaded, true).catch(() => undefined);
    throw err;
  } finally {
    lease.stop();
  }
}

async function revertAndEnd(
  aws: AwsClients,
  state: Drill,
  faultLoaded: LoadedRunbook,
  loud: boolean,
): Promise<void> {
  const ok = await revert(aws, state, faultLoaded);
  if (!ok && loud) state.say(`drctl: THE FAULT IS STILL IN PLACE: drctl drill resume ${state.id} --execute`);
}

const showTarget = (t: MeasuredTarget) =>
  t.measuredSeconds === null
    ? "not measured"
    : `${t.atLeast ? "at least " : ""}${formatMeasured(t.measuredSeconds, t.resolutionSeconds).value}${t.targetSeconds !== null ? ` (target ${formatDuration(t.targetSeconds)}: ${t.met ? "met" : "not met"})` : ""}`;

/** The failback runbook of a failover run: the drill's file, or generated from the run's journal. */
function failbackRunbook(d: LoadedDrill, state: Drill, failover: RunResult): LoadedRunbook | undefined {
  if (d.failbackMode === "none") return undefined;
  // A failover that did not finish is undone by what its journal says ran, whatever the file says.
  if (d.failbackMode === "file" && d.failback && failover.run.status === "succeeded") return d.failback;
  if (!d.runbook) return undefined;
  try {
    const { runbook } = generateFailback(d.runbook, failover.run, failover.steps);
    return loadRunbook(d.kinds, writeFailback(state.options.runbookDir, failover.run, runbook));
  } catch (err) {
    if (err instanceof InputError && /changed nothing/.test(err.message)) return undefined;
    throw err;
  }
}

/** Reverts the fault (the generated failback of the drill's run), or resumes a revert a crash stopped. */
async function revert(aws: AwsClients, state: Drill, faultLoaded: LoadedRunbook): Promise<boolean> {
  const { journal, id } = state;
  const events = await journaled(journal, id);
  const existing = events.find(
    (e): e is Extract<Journaled, { t: "run" }> => e.t === "run" && e.phase === "revert",
  );
  let result: RunResult | undefined;
  try {
    if (existing) {
      const run = await journal.run(existing.runId);
      state.runs.revert = existing.runId;
      if (run?.status === "succeeded") result = { run, steps: await journal.steps(run.runId) };
      else if (run) result = await state.resume(run.runId, loadRunbook(faultLoaded.kinds, run.file), aws);
    }
    if (!result) {
      const run = (await journal.run(id)) as RunRecord;
      const steps = await journal.steps(id);
      const { runbook } = generateFailback(faultLoaded, run, steps);
      const file = writeFailback(state.options.runbookDir, run, runbook);
      result = await state.runbook(
        "revert",
        loadRunbook(faultLoaded.kinds, file),
        { undoes: id },
        aws,
        false,
      );
    }
  } catch (err) {
    if (err instanceof InputError && /changed nothing/.test(err.message)) {
      // Nothing succeeded, but a fault step that journaled its intent may have made its call (then
      // failed or was stopped while settling): it may be in place, and only a resume can tell.
      const step = (await journal.steps(id)).find((s) => s.stepId === FAULT_STEP);
      if (step?.intent && step.status !== "succeeded") {
        state.unfinished.push(
          `THE FAULT MAY STILL BE IN PLACE: its step ${step.status} after it was sent${step.error ? ` (${step.error})` : ""}; drctl drill resume ${id} --execute reverts it`,
        );
        state.say(`drctl: THE FAULT MAY STILL BE IN PLACE: drctl drill resume ${id} --execute`);
        return false;
      }
      await state.mark("fault-reverted", Date.now(), "nothing to revert: the fault changed nothing");
      return true;
    }
    state.unfinished.push(
      `THE FAULT COULD NOT BE REVERTED: ${errorMessage(err)}; drctl drill resume ${id} --execute tries again`,
    );
    return false;
  }
  if (result.run.status !== "succeeded") {
    const why = result.steps.find((s) => s.status !== "succeeded")?.error ?? result.run.status;
    state.unfinished.push(
      `THE FAULT IS STILL IN PLACE: its revert (run ${result.run.runId}) ${result.run.status}: ${why}; drctl drill resume ${id} --execute tries again`,
    );
    state.say(`drctl: THE FAULT IS STILL IN PLACE: ${why}`);
    return false;
  }
  await state.mark("fault-reverted", Date.now(), `the fault was reverted (run ${result.run.runId})`);
  return true;
}

async function journaled(journal: Journal, id: string): Promise<Journaled[]> {
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

/**
 * Resumes a drill whose process died: the fault is reverted first (a fault step in doubt is
 * counted as done, never injected again), the runs the drill had started are brought to their
 * end (no step twice: the engine resumes them), it fails back, its markers are removed, and the
 * record says it was interrupted, with what was measured before the crash.
 */
export async function resumeDrill(
  aws: AwsClients,
  journal: Journal,
  drillId: string,
  load: (file: string) => LoadedDrill,
  options: Omit<DrillOptions, "preflight" | "force" | "drillId" | "applications">,
): Promise<DrillOutcome> {
  const run = await journal.run(drillId);
  if (!run) throw new InputError(`no drill ${drillId} in the ${journal.description}`);
  if (!isDrillRun(run))
    throw new InputError(
      `${drillId} is a runbook run, not a drill: drctl runbook resume ${drillId} --execute`,
    );
  const d = load(run.file);
  if (d.hash !== run.hash)
    throw new InputError(
      `the drill file ${run.file} (or a runbook it names) changed since drill ${drillId} began (sha256 ${run.hash.slice(0, 12)} then, ${d.hash.slice(0, 12)} now); restore it to resume`,
    );
  const { drill } = d;
  const events = await journaled(journal, drillId);
  const ended = events.find((e) => e.t === "end" && e.outcome !== "interrupted (resumable)");
  if (ended)
    throw new InputError(
      `drill ${drillId} has ended (${(ended as { outcome: string }).outcome}): nothing to resume`,
    );
  const owner = options.owner ?? processOwner();
  const fenced = fenceJournal(journal, drill.application, owner);
  journal = fenced;
  options = { ...options, interrupt: anySignal([options.interrupt, fenced.lostSignal]) };
  const state = new Drill(d, drillId, journal, owner, {
    ...options,
    preflight: () => Promise.resolve({ findings: [], problems: [], runs: {} }),
    applications: [],
  });
  const runIds = new Set<string>([drillId, ...events.flatMap((e) => (e.t === "run" ? [e.runId] : []))]);
  for (const e of events) {
    if (e.t === "run") state.runs[e.phase === "revert" ? "revert" : e.phase] = e.runId;
    if (e.t === "reserve") state.reserved.set(e.canary, Math.max(state.reserved.get(e.canary) ?? 0, e.upTo));
    if (e.t === "timeline") state.timeline.push(e.event);
    if (e.t === "forced") state.options.force = { by: e.by, why: e.why };
  }
  state.runs.fault = drillId;

  // The lock: taken over from the drill's own runs once no process runs them.
  const leaseMs = options.leaseMs ?? defaultLeaseMs();
  const held = await journal.lockOf(drill.application);
  if (held && held.owner?.token !== owner.token) {
    if (!runIds.has(held.runId))
      throw new LockHeldError(
        `another run holds the lock for application "${drill.application}": ${describeHolder(held)}`,
        held,
      );
    const live = holderLive(held);
    if (live.live)
      throw new LockHeldError(
        `drill ${drillId} is being run by another process: ${describeHolder(held)}; ${live.why}`,
        held,
      );
  }
  await acquireLock(journal, {
    application: drill.application,
    runId: drillId,
    owner,
    leaseMs,
    ...(held && held.runId !== drillId ? { undoes: held.runId } : {}),
  });
  await journal.addEvent(drillId, `resumed by ${owner.by} (pid ${owner.pid} on ${owner.host})`);
  const lease = new Lease(journal, drill.application, owner.token, leaseMs);
  lease.start();
  try {
    await state.mark("resumed", Date.now(), `resumed by ${owner.by}: the fault is reverted first`);
    const faultLoaded = faultRunbook(d);
    const fault = (await journal.steps(drillId)).find((s) => s.stepId === FAULT_STEP);
    const acted = fault !== undefined && (fault.status === "succeeded" || fault.intent !== null);
    state.injected = acted;
    let reverted = true;
    if (acted && fault) {
      if (run.status !== "succeeded") {
        // A fault is reverted, never injected again: one in doubt counts as done.
        if (fault.status !== "succeeded" && fault.intent && !fault.intent.appliedAt)
          await journal.decide(
            drillId,
            FAULT_STEP,
            fault.intent.at,
            "done",
            "drctl drill resume (a fault is reverted, never injected again)",
          );
        await state.resume(drillId, faultLoaded, aws);
      }
      reverted = await revert(aws, state, faultLoaded);
    } else {
      await journal.updateStep(drillId, FAULT_STEP, {
        status: "skipped",
        error: "not run: the drill was interrupted before its fault",
      });
      await journal.updateRun(drillId, { status: "interrupted", finishedAt: new Date().toISOString() });
      await state.mark(
        "interrupted",
        Date.now(),
        "the drill was interrupted before its fault: nothing to revert",
      );
    }
    if (!reverted) {
      return outcomeOf(interruptedRecord(state, run, events, false), false);
    }
    // The failover the drill had started: brought to its end, then failed back.
    if (state.runs.failover && d.runbook) {
      let failover: RunResult | undefined;
      const r = await journal.run(state.runs.failover);
      if (r) {
        failover =
          r.status === "succeeded"
            ? { run: r, steps: await journal.steps(r.runId) }
            : await state.resume(r.runId, d.runbook, aws);
        if (failover.run.status !== "succeeded")
          state.unfinished.push(
            `the failover run ${r.runId} ${failover.run.status}; it is failed back from what it did`,
          );
      }
      if (failover) {
        let back: RunResult | undefined;
        const previous = state.runs.failback ? await journal.run(state.runs.failback) : undefined;
        if (previous)
          back =
            previous.status === "succeeded"
              ? { run: previous, steps: await journal.steps(previous.runId) }
              : await state.resume(previous.runId, loadRunbook(d.kinds, previous.file), aws);
        else {
          const loaded = failbackRunbook(d, state, failover);
          if (loaded)
            back = await state.runbook("failback", loaded, { undoes: failover.run.runId }, aws, false);
        }
        if (back && back.run.status !== "succeeded")
          state.unfinished.push(
            `the failback run ${back.run.runId} ${back.run.status}: drctl runbook resume ${back.run.runId} --execute`,
          );
      }
    }
    const stores = await options.canaries(drillId).catch((err: unknown) => {
      state.unfinished.push(`the canaries could not be opened to remove their markers: ${errorMessage(err)}`);
      return [] as CanaryStore[];
    });
    await state.removeMarkers(stores);
    if (state.unfinished.length === 0) await state.unlock();
    await state.event({ t: "end", outcome: "interrupted" });
    return outcomeOf(interruptedRecord(state, run, events, true), true);
  } finally {
    lease.stop();
  }
}

function interruptedRecord(
  state: Drill,
  run: RunRecord,
  events: Journaled[],
  reverted: boolean,
): DrillResult {
  const { drill } = state;
  const resolution = drill.probe.interval;
  const phase = (name: "failover" | "failback") =>
    events.find((e): e is Extract<Journaled, { t: "phase" }> => e.t === "phase" && e.phase === name)?.figures;
  const samples = events.flatMap((e) => (e.t === "samples" ? e.samples : []));
  const failover =
    phase("failover") ??
    emptyPhase(
      "not measured: the drill was interrupted before the standby served",
      resolution,
      drill.targets.rto,
      drill.targets.rpo,
    );
  const failback = phase("failback") ?? null;
  state.findings.push(
    finding(
      drill.application,
      "drill.interrupted",
      "high",
      "error",
      `drill ${state.id} was interrupted (its process stopped) and resumed: ${reverted ? "the fault was reverted" : "THE FAULT IS STILL IN PLACE"}; figures not measured before the stop are missing`,
      "Run the drill again for a complete measurement.",
    ),
  );
  return record(state, Date.parse(run.startedAt), "interrupted", failover, failback, samples, reverted);
}
