/**
 * The body of a stored run of kind "plan": an application's disaster-recovery plan, made from
 * stored runs and live reads, each fact citing where it comes from. The Markdown and HTML
 * documents are rendered from this; `drctl plan --diff` compares two of them.
 */
import type { Severity } from "./finding.js";

export const PLAN_SCHEMA_VERSION = 1;

/** Where a statement comes from: a stored run, or this plan's own reading of the account. */
export interface Evidence {
  /** A run id (scan, freshness, drill, runbook run) or "live" for what this plan read itself. */
  id: string;
  kind: "scan" | "freshness" | "drill" | "runbook" | "live";
  at: string;
  what: string;
}

/** A figure or status, with the evidence it comes from; `null` value: not measured (see `command`). */
export interface Fact<T> {
  value: T | null;
  /** An Evidence id; absent when not measured. */
  evidence?: string;
  /** How to measure it when it is not measured. */
  command?: string;
  /** A lower bound (the standby never served within the drill). */
  atLeast?: boolean;
  resolutionSeconds?: number;
}

export interface Component {
  tier: "traffic" | "load balancing" | "compute" | "data";
  name: string;
  kind: string;
  primaryArn: string;
  standbyArn: string | null;
  /** pass, drift, error (readiness) or a freshness status; "not measured" without a run. */
  status: Fact<string>;
  detail: string;
}

export interface DataStoreRow {
  store: string;
  kind: string;
  primaryArn: string;
  standbyArn: string | null;
  status: string;
  exposure: Fact<number>;
  rpoSeconds: number;
  measuredBy: string;
  message: string;
  evidence: string;
}

export interface PostureRow {
  ruleId: string;
  severity: Severity;
  subject: string;
  message: string;
  remediation: string;
  evidence: string;
}

export interface AvailabilityRow {
  what: string;
  name: string;
  region: string;
  /** "2 zones", "min 2 / desired 2 / max 4 in 2 zones", "multi-AZ". */
  value: string;
  /** Whether this is as high availability wants it (false is an open risk). */
  ok: boolean;
  evidence: string;
}

export interface ProcedureStep {
  id: string;
  kind: string;
  region: string;
  after: string[];
  /** What the step does, from its kind, with its parameters. */
  does: string;
  /** What it would change today, from a dry run: "current -> target". */
  changes: Fact<string>;
  /** Why a run would refuse it or fail at it today, if it would. */
  problem?: string;
  /** How long it took in the last drill or run. */
  duration: Fact<number>;
  approval: boolean;
  /** The same thing by hand, should drctl not be at hand: AWS CLI commands. */
  manual: string[];
}

export interface Procedure {
  runbook: string | null;
  name: string | null;
  /** Why it is not here: no runbook configured, a file that does not load. */
  missing?: string;
  /**
   * No runbook because the architecture moves traffic by itself (Route 53 health checks, Global
   * Accelerator): how the last drill, run with `runbook: none`, showed it. Not an open risk.
   */
  automatic?: string;
  steps: ProcedureStep[];
  commands: string[];
  /** The whole run's measured time (the last drill's or run's). */
  duration: Fact<number>;
}

export interface Contact {
  name: string;
  role: string | null;
  reach: string[];
}

export interface Risk {
  /** Stable across plans, for the diff: "finding:<rule>:<subject>:<path>", "store:<arn>", "step:<id>". */
  key: string;
  severity: Severity;
  message: string;
  evidence?: string;
  command?: string;
}

export interface PlanResult {
  version: typeof PLAN_SCHEMA_VERSION;
  application: string;
  generatedAt: string;
  owner: string | null;
  strategy: string;
  regions: { primary: string[]; standby: string };
  targets: { rtoSeconds: number | null; rpoSeconds: number };
  /** From the last drill: what clients saw. */
  measured: { rto: Fact<number>; rpo: Fact<number>; lostWrites: Fact<number> };
  components: Component[];
  dataStores: DataStoreRow[];
  posture: PostureRow[];
  availability: AvailabilityRow[];
  failover: Procedure;
  failback: Procedure;
  validation: { checks: string[]; commands: string[] };
  contacts: Contact[];
  risks: Risk[];
  evidence: Evidence[];
  /** What this plan could not read (the document is written; the run is not stored). */
  unread: string[];
}
