/**
 * The body of a stored run of kind "drill": a real failover test measured as clients saw it.
 * `drctl drill --json` prints it; docs/drill-json.md documents it. Fields are only ever added
 * within a version.
 */
import type { Finding } from "./finding.js";

export const DRILL_SCHEMA_VERSION = 1;

/** A measured figure against its target. Never reported finer than its resolution. */
export interface MeasuredTarget {
  /** null when it could not be measured at all (see `note`). */
  measuredSeconds: number | null;
  /** Set when the figure is a lower bound: the standby never served, a canary never arrived. */
  atLeast?: boolean;
  targetSeconds: number | null;
  /** null when there is no target or nothing was measured. */
  met: boolean | null;
  /** The probe interval (RTO) or the canary poll interval (RPO). */
  resolutionSeconds: number;
  /** How it was measured, or why it could not be ("no region field: RTO by status alone"). */
  note?: string;
}

export type TimelineKind =
  | "baseline"
  | "preflight"
  | "fault"
  | "first-failure"
  | "detected"
  | "step-start"
  | "step-end"
  | "first-standby-success"
  | "recovered"
  | "fault-reverted"
  | "failback-start"
  | "failback-recovered"
  | "interrupted"
  | "resumed";

export interface TimelineEvent {
  at: string;
  kind: TimelineKind;
  /** The step, endpoint or canary it concerns. */
  subject?: string;
  message: string;
}

/** One phase's figures: the failover, or the failback. */
export interface DrillPhase {
  rto: MeasuredTarget;
  rpo: MeasuredTarget;
  /** Acknowledged canary writes before the fault that never appeared on the side that took over. */
  lostWrites: number;
  /** Time to detect: fault start to the first failed probe. */
  detectSeconds: number | null;
  /** Each runbook step's share of the recovery, in order. `startSeconds` (added): from the fault's start. */
  steps: { id: string; kind: string; seconds: number; outcome: string; startSeconds?: number }[];
  /** Added: when the phase began (the fault's start; the failback's start) and when it was recovered. */
  from?: string;
  recoveredAt?: string | null;
  /** Added: each endpoint's own figures (seconds from the phase's start, to the probe interval). */
  endpoints?: {
    name: string;
    detectSeconds: number | null;
    recoverySeconds: number | null;
    byStatusOnly: boolean;
  }[];
  /** Added: each canary's markers written before the phase's start, those missing, its own RPO. */
  canaries?: { name: string; written: number; lost: number; seconds: number | null }[];
}

/** Added: one probe as recorded (times in ms since the epoch). */
export interface DrillSample {
  endpoint: string;
  at: number;
  ms: number;
  ok: boolean;
  status?: number;
  region?: string;
  side: "primary" | "standby" | "other" | "unknown";
  address?: string;
  error?: string;
}

export interface DrillResult {
  version: typeof DRILL_SCHEMA_VERSION;
  /** The drill file's name and the application it drills. */
  drill: string;
  application: string;
  generatedAt: string;
  startedAt: string;
  finishedAt: string;
  /** completed; interrupted (killed or aborted, resumed later or not); refused (preflight said not ready). */
  outcome: "completed" | "interrupted" | "refused";
  /**
   * `reverted`: nothing of the fault is left in place (also true when it was never injected).
   * Added: `injected` (its step was sent: false for a drill refused or stopped before it), and
   * `scope` and `reason` when the drill file let the fault act beyond the primary region of its
   * application (fault.scope: standby or any).
   */
  fault: {
    kind: string;
    subject: string;
    reverted: boolean;
    injected?: boolean;
    scope?: "standby" | "any";
    reason?: string;
  };
  runbook: string | null;
  failover: DrillPhase;
  failback: DrillPhase | null;
  /** Probes by region and outcome: { "us-west-2": { ok: 40, failed: 2 }, "unknown": {...} }. */
  probes: Record<string, Record<string, number>>;
  timeline: TimelineEvent[];
  /** What the preflight scan and freshness found, and anything the drill could not do. */
  findings: Finding[];
  /**
   * The run ids the drill built on: its runbook runs, the preflight scan and freshness runs.
   * Added: `fault` (the journal run that injected the fault; its id is the drill's) and `revert`.
   */
  runs: {
    failover?: string;
    failback?: string;
    scan?: string;
    freshness?: string;
    fault?: string;
    revert?: string;
  };
  /** Added: the drill's id (its fault run's id in the journal), the file it ran, the endpoints' URLs. */
  id?: string;
  file?: string;
  endpoints?: { name: string; url: string }[];
  /** Added: every probe (for the chart); at most the first 20,000. */
  samples?: DrillSample[];
  /** Added: the probe interval and K (successes in a row) the figures were made with. */
  probe?: { intervalSeconds: number; consecutive: number; resolver: string };
  /** Added: the preflight was overridden with --force (journaled): who and why. */
  forced?: { by: string; why: string };
  /** Added: what the drill could not do (a fault not reverted, a run that failed): said loudly. */
  unfinished?: string[];
}
