/** The body of a stored run of kind "freshness": how old the newest data in the standby region is, per store. */
import type { Finding, Severity } from "./finding.js";

export const FRESHNESS_SCHEMA_VERSION = 1;

/**
 * ok: exposure within the target; breach: above it; broken: replication stopped, the destination
 * missing, copies failing; unprotected: no copy in any other region; unknown: the exposure cannot
 * be told (no data points, metrics not enabled); error: could not be read.
 */
export const STORE_STATUSES = ["error", "broken", "unprotected", "breach", "unknown", "ok"] as const;
export type StoreStatus = (typeof STORE_STATUSES)[number];

/** A fact a status rests on, as a person checks it: "ReplicaLag max 15 min: 42 s". */
export interface Evidence {
  what: string;
  value: string;
}

export interface StoreResult {
  /** How the standby gets the data: rds-read-replica, dynamodb-global-table, s3-replication, ami-copy, ... */
  kind: string;
  /** The store's name (an instance id, a table, a bucket, an image family). */
  store: string;
  application: string | null;
  primaryArn: string;
  primaryRegion: string;
  /** The standby copy (replica, destination, newest copy); null when there is none. */
  standbyArn: string | null;
  standbyRegion: string | null;
  /** The standby regions read for this store's copies (absent in runs of older drctl versions). */
  checkedRegions?: readonly string[];
  status: StoreStatus;
  /** The age of the newest primary data the standby does not have; null when unknown. */
  exposureSeconds: number | null;
  /** Set when the exposure is a lower bound (a canary that never arrived: at least this). */
  exposureAtLeast?: boolean;
  /** How finely the exposure is known (a metric's period, a canary's poll interval). */
  resolutionSeconds?: number;
  rpoSeconds: number;
  /** What measured it: a metric, the newest copy's creation time, a canary. */
  measuredBy: string;
  /** One sentence a person can act on. */
  message: string;
  evidence: Evidence[];
  /** What to do, when the status is not ok. */
  remediation?: string;
}

/** A standby region a run read, and what named it (a flag, drctl.yaml, a replica AWS records). */
export interface StandbyRegion {
  region: string;
  via: string;
}

export interface FreshnessResult {
  version: typeof FRESHNESS_SCHEMA_VERSION;
  generatedAt: string;
  /** The default target, from drctl.yaml's `rpo`. */
  rpoSeconds: number;
  /** The standby regions read, each with what named it (absent in runs of older drctl versions). */
  standbyRegions?: StandbyRegion[];
  stores: StoreResult[];
  /** Data-protection posture and discovery problems, in the readiness scan's shape. */
  findings: Finding[];
  stats: {
    stores: number;
    durationMs: number;
    calls: Record<string, number>;
    retries: number;
  };
}

/** How bad a status is, for the exit code and ordering: the same scale as findings. */
export const STATUS_SEVERITY: Record<StoreStatus, Severity> = {
  error: "high",
  broken: "critical",
  unprotected: "high",
  breach: "high",
  unknown: "medium",
  ok: "info",
};
