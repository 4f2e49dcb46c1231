import type { ResourceRecordSet } from "@aws-sdk/client-route-53";

export interface RecordRef {
  name: string;
  type: string;
  failover: string | null;
  healthCheckId: string | null;
  /** The alias target's or CNAME's DNS name, normalized. */
  target: string;
}

/** Route 53 returns alias names fully qualified and sometimes with "dualstack."; load balancers do not. */
export function normalizeDnsName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^dualstack\./, "");
}

export function toRecordRef(set: ResourceRecordSet): RecordRef | undefined {
  const target =
    set.AliasTarget?.DNSName ?? (set.Type === "CNAME" ? set.ResourceRecords?.[0]?.Value : undefined);
  if (!target) return undefined;
  return {
    name: normalizeDnsName(set.Name ?? "").replace(/\\052/g, "*"),
    type: set.Type ?? "",
    failover: set.Failover ?? null,
    healthCheckId: set.HealthCheckId ?? null,
    target: normalizeDnsName(target),
  };
}

/**
 * The region of a load balancer's DNS name: name-id.REGION.elb.amazonaws.com (application),
 * name-id.elb.REGION.amazonaws.com (network); undefined for anything else.
 */
export function loadBalancerRegion(dnsName: string): string | undefined {
  const m = /\.(?:elb\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:elb\.)?amazonaws\.com(?:\.cn)?$/.exec(
    normalizeDnsName(dnsName),
  );
  return m?.[1];
}

/** Where a failover record points, read back to a load balancer where drctl could. */
export interface RecordTarget {
  /** The pair's primary or standby, something else, or nothing (the record is missing). */
  role: "primary" | "standby" | "other" | "none";
  dnsName: string | null;
  /** The load balancer that DNS name belongs to, when it is one drctl can read. */
  loadBalancer: string | null;
}

export interface FailoverSet {
  name: string;
  type: string;
  primary: RecordTarget;
  secondary: RecordTarget;
  primaryHasHealthCheck: boolean;
}

/** The failover record sets that involve the pair (the same for both sides of it). */
export interface Route53View {
  failover: FailoverSet[];
}
