/** What the scan engine and its rules share beyond the core vocabulary: differences, settings, rules. */
import type { RuleInfo, Severity } from "./finding.js";
import type { Strategy } from "./scan-result.js";

/** One difference a rule found; the engine turns it into a Finding. */
export interface Difference {
  path: string;
  primary: unknown;
  secondary: unknown;
  message: string;
  status?: "drift" | "missing";
  /** Overrides the rule's severity (e.g. an expired certificate is worse than one expiring). */
  severity?: Severity;
}

/** Scan settings that change what counts as a difference or how bad it is. */
export interface ScanSettings {
  strategy: Strategy;
  certificateExpiryDays: number;
  now: Date;
  /** Data-protection posture (freshness): RDS backup retention expected, in days. */
  backupRetentionDays?: { min: number; max: number };
}

/** A rule: a small typed object holding its check next to its documentation. */
export interface Rule<T> extends RuleInfo {
  check(primary: T, secondary: T, settings: ScanSettings): Difference[];
}
