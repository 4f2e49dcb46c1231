import type { Finding, Severity, Status } from "./finding.js";

/** An accepted difference (drctl.yaml's `suppressions:`): which findings it hides, why, until when. */
export interface Suppression {
  /** A rule id; * matches any text (listener.*). */
  rule: string;
  /** The pair's name or primary ARN, * wildcards allowed; absent: every pair. */
  pair?: string | undefined;
  /** A finding path, * wildcards allowed; absent: every path. */
  path?: string | undefined;
  reason: string;
  /** YYYY-MM-DD; from that day on the finding is reported again. */
  expires?: string | undefined;
}

/** How much of the standby runs before a failover, from the least to the most. */
export const STRATEGIES = ["backup-restore", "pilot-light", "warm-standby", "hot-standby"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The body of a stored run of kind "scan": the readiness of every pair. */
export const SCAN_SCHEMA_VERSION = 1;

export interface PairResult {
  name: string;
  primaryArn: string;
  secondaryArn: string | null;
  /** The worst status among the pair's unsuppressed findings above info: error, missing, drift, or pass. */
  status: Status;
  counts: Record<Severity, number>;
  findings: Finding[];
  /** What was compared with what, and how each twin was found (through the pair, by name, by shape). */
  twins?: PairTwin[];
  /** The pair's resource type ("load-balancer", "sqs-queue"); absent for a pair that could not be paired, and in older runs. */
  type?: string;
  /** The primary's tags as found with it: which application the pair belongs to (absent in older runs). */
  primaryTags?: Record<string, string>;
  /** When and why its resources were read, and what an incremental scan needs next time (absent in older runs). */
  evidence?: PairEvidence;
}

/** How a pair's findings were obtained: read in this run, or carried over from an earlier read. */
export interface PairEvidence {
  read: "read" | "carried-over";
  /** When its resources were read: this run's time, or the earlier run's for a carried-over pair. */
  readAt: string;
  /** Why it was read (new pair, a change AWS reported, the rolling sweep, --full), or why it could be carried over. */
  why: string;
  /** A digest of what its rules compared, both sides: the same configuration gives the same digest. */
  fingerprint: string;
  /** The same, per resource module (load-balancer, listener, target-group, ...). */
  fingerprints: Record<string, string>;
  /** For a pair read in this run: whether its digest equals the one of its previous read. */
  unchanged?: boolean;
  /** ARNs and ids its reads named: a change AWS reports on any of them re-reads the pair. */
  resources: string[];
  /** When its findings can change with nothing signalled (a certificate reaching the expiry threshold). */
  recheckAt?: string;
}

/** What an incremental scan read, carried over and heard from AWS about changes. */
export interface IncrementalSummary {
  /** The stored scan it continued from, if any. */
  since?: string;
  read: number;
  carriedOver: number;
  /** Why pairs were read, counted ("rolling sweep" -> 12). */
  reasons: Record<string, number>;
  signals: {
    source: string;
    region: string;
    account?: string;
    changes: number;
    unavailable?: string;
    notCovered?: string[];
  }[];
  /** Changes that named no resource of any pair (counted, then ignored). */
  unmatchedChanges: number;
  /** Every pair is re-read at least this often (ms). */
  fullEveryMs: number;
}

/** Two resources compared as twins, and how drctl knew they are twins. */
export interface PairTwin {
  /** The resource type (target-group, security-group, listener, ...). */
  type: string;
  primary: { id: string; name: string };
  standby: { id: string; name: string };
  method: "pair" | "name" | "normalized-name" | "shape";
  /** Where both are used (for a match through the pair). */
  via?: string;
}

/** The tagged primaries of one region whose types the scan does not compare, counted by type. */
export interface NotCompared {
  region: string;
  /** "ecs:service" -> how many. */
  types: Record<string, number>;
  /** Why the region's tagged resources could not be listed (then nothing is known of them). */
  error?: string;
}

export interface ScanResult {
  version: typeof SCAN_SCHEMA_VERSION;
  generatedAt: string;
  strategy: Strategy;
  pairs: PairResult[];
  /** Suppressions whose expiry date has passed and that matched a finding again. */
  expiredSuppressions: Suppression[];
  /** Tagged primaries of types no readiness type compares (absent in runs stored by older versions). */
  notCompared?: NotCompared[];
  /**
   * A digest of what the findings depend on besides AWS (strategy, thresholds, rules, drctl's
   * version): an incremental scan carries nothing over from a scan with another (absent in older runs).
   */
  settingsKey?: string;
  /** Present when the scan was incremental: what it read and what it carried over. */
  incremental?: IncrementalSummary;
  stats: {
    pairs: number;
    durationMs: number;
    /** AWS requests by "Service.Operation", retries included. */
    calls: Record<string, number>;
    retries: number;
  };
}
