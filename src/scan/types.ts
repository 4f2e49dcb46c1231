/** The vocabulary of a readiness scan: severities, statuses, findings and rules. */

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** drift: both sides exist and differ; missing: no twin; error: could not be read; pass: checked and equal. */
export type Status = "drift" | "missing" | "error" | "pass";

export type ResourceType =
  "pair" | "load-balancer" | "listener" | "target-group" | "security-group" | "certificate" | "route53";

export interface Finding {
  /** The pair's name (the primary load balancer's name). */
  pair: string;
  primaryArn: string;
  secondaryArn: string | null;
  resourceType: ResourceType;
  ruleId: string;
  severity: Severity;
  status: Status;
  /** Where in the normalized resource, e.g. listeners[443].sslPolicy. */
  path: string;
  primary: unknown;
  secondary: unknown;
  /** One sentence a person can act on. */
  message: string;
  /** Present when a suppression in drctl.yaml hides this finding. */
  suppressed?: { reason: string; expires?: string };
}

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
  strategy: "backup-restore" | "pilot-light" | "warm-standby" | "hot-standby";
  certificateExpiryDays: number;
  now: Date;
}

/** What a person needs to know about a rule; docs/rules.md is generated from these fields. */
export interface RuleInfo {
  id: string;
  resourceType: ResourceType;
  severity: Severity;
  title: string;
  /** What is compared, in a phrase. */
  compares: string;
  /** Why it matters in a failover. */
  rationale: string;
  /** How to fix it. */
  remediation: string;
}

/** A rule: a small typed object holding its check next to its documentation. */
export interface Rule<T> extends RuleInfo {
  check(primary: T, secondary: T, settings: ScanSettings): Difference[];
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}
