/**
 * The shared vocabulary of every kind of run (scan today; freshness and drills alike): severities,
 * finding statuses, findings and what a person needs to know about a rule. Discovery, the store,
 * reports and notifications import it from here, never from an engine.
 */

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** drift: both sides exist and differ; missing: no twin; error: could not be read; pass: checked and equal. */
export type Status = "drift" | "missing" | "error" | "pass";

/**
 * What a finding is about: "pair", a readiness-scan type ("listener", "target-group", ...) or a
 * data-store type ("rds", "dynamodb", "s3", ...). Each type is a folder and a registry line, not a
 * member of a list here.
 */
export type ResourceType = string;

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
  /** How to fix it: the rule's remediation. */
  remediation: string;
  /**
   * Set when this difference follows from another finding of the pair (an action forwarding to a
   * group that has no twin): fix the cause and this one goes too. Not counted in the pair's totals.
   */
  consequenceOf?: { ruleId: string; path: string };
  /** Present when a suppression in drctl.yaml hides this finding. */
  suppressed?: { reason: string; expires?: string };
  /**
   * When what this finding rests on was read, if not in this run: an incremental scan carried it
   * over from an earlier read because nothing signalled a change since.
   */
  evidenceAt?: string;
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

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/**
 * A finding that says something could not be read (access denied, throttled to exhaustion, an
 * unreachable endpoint), as opposed to a difference that was read and found. A run with such a
 * finding did not finish: its verdict is "could not finish", never "drift", and nothing it did not
 * read may be called resolved. Every read failure is reported under a rule id ending ".unreadable".
 */
export function isReadFailure(f: Pick<Finding, "status" | "ruleId">): boolean {
  return f.status === "error" && f.ruleId.endsWith(".unreadable");
}

/** A finding of `rule`: its id, type, severity (unless overridden) and remediation come from the rule. */
export function findingOf(
  rule: RuleInfo,
  fields: Omit<Finding, "ruleId" | "resourceType" | "severity" | "remediation"> & { severity?: Severity },
): Finding {
  return {
    ...fields,
    resourceType: rule.resourceType,
    ruleId: rule.id,
    severity: fields.severity ?? rule.severity,
    remediation: rule.remediation,
  };
}
