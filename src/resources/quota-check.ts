/**
 * Whether the standby's region can hold what a failover adds there, against one service quota:
 * what the region uses now plus what the failover adds, against the applied (or default) quota.
 * Shared by every readiness type that checks a regional quota; the values are read by each
 * type's collector, this only judges them.
 */
import type { QuotaReading } from "../aws/service-quotas.js";
import type { Difference } from "../core/rule.js";

/** How much of something a region or a resource has, or why it could not be counted. */
export interface Counted {
  count?: number;
  error?: string;
}

/** A region's use of one quota: what is in use there and the quota itself. */
export interface QuotaUsage {
  region: string;
  inUse: Counted;
  quota: QuotaReading;
}

/** What a failover adds to a region against one quota, in words for the message. */
export interface QuotaNeed {
  path: string;
  usage: QuotaUsage;
  /** What the failover adds (the primary's share beyond what the standby has already). */
  adds: number;
  /** "network interfaces", "GiB of storage" */
  unit: string;
  /** Where `adds` comes from: "the primary's VPC has 3 more network interfaces than the standby's". */
  because: string;
}

/** The command that asks for the quota to be raised to `value`. */
export function increaseCommand(quota: QuotaReading, value: number, region: string): string {
  return `aws service-quotas request-service-quota-increase --service-code ${quota.service} --quota-code ${quota.code} --desired-value ${value} --region ${region}`;
}

/**
 * A check that could not be made: a low finding saying what is unknown, never a pass. It names
 * the quota and the read to make by hand.
 */
export function uncheckedQuota(path: string, quota: QuotaReading, region: string, why: string): Difference {
  return {
    path,
    primary: null,
    secondary: null,
    severity: "low",
    message:
      `the standby region's quota ${quota.code} (${quota.name}) could not be checked in ${region}: ${why}; ` +
      `read it with aws service-quotas get-service-quota --service-code ${quota.service} --quota-code ${quota.code} --region ${region}`,
  };
}

/**
 * The standby region cannot hold the failover when what it uses now plus what the failover adds
 * exceeds the quota. A failover that adds nothing needs nothing of the quota.
 */
export function quotaDifferences(need: QuotaNeed): Difference[] {
  const { usage, adds } = need;
  if (adds <= 0) return [];
  const quota = usage.quota;
  if (quota.value === undefined)
    return [
      uncheckedQuota(need.path, quota, usage.region, `it could not be read (${quota.error ?? "not read"})`),
    ];
  if (usage.inUse.count === undefined)
    return [
      uncheckedQuota(
        need.path,
        quota,
        usage.region,
        `what the region uses now could not be counted (${usage.inUse.error ?? "not read"})`,
      ),
    ];
  const total = usage.inUse.count + adds;
  if (total <= quota.value) return [];
  return [
    {
      path: need.path,
      primary: total,
      secondary: quota.value,
      message:
        `a failover needs ${total} ${need.unit} in ${usage.region} (${usage.inUse.count} in use there now, plus ${adds}: ${need.because}), ` +
        `but the ${quota.source ?? "applied"} quota ${quota.code} (${quota.name}) there is ${quota.value}: ` +
        increaseCommand(quota, total, usage.region),
    },
  ];
}

/** A count's difference between primary and standby (what a failover adds), or why it is unknown. */
export function addedBy(primary: Counted, standby: Counted): { adds: number } | { error: string } {
  if (primary.count === undefined)
    return { error: `the primary's could not be counted (${primary.error ?? "not read"})` };
  if (standby.count === undefined)
    return { error: `the standby's could not be counted (${standby.error ?? "not read"})` };
  return { adds: Math.max(0, primary.count - standby.count) };
}
