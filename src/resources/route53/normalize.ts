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

/** The ways a region is written in DNS names: us-east-1, useast1, use1. */
export function regionTokens(region: string): string[] {
  const [area = "", direction = "", number = ""] = region.split("-");
  return [region, `${area}${direction}${number}`, `${area}${direction[0] ?? ""}${number}`];
}

/** A record name with its region written as {region}, so web.use1.example.com and web.usw2.example.com are twins. */
export function regionNeutralName(name: string, region: string): string {
  let out = name;
  for (const token of regionTokens(region))
    out = out.replace(new RegExp(`(^|[.-])${token}(?=$|[.-])`, "g"), "$1{region}");
  return out;
}

export interface FailoverSet {
  name: string;
  type: string;
  /** Which load balancer of the pair each role points at. */
  primaryRole: "primary" | "standby" | "other" | "none";
  secondaryRole: "primary" | "standby" | "other" | "none";
  primaryHasHealthCheck: boolean;
}

/** The records of one side of a pair, and the failover record sets that involve the pair. */
export interface Route53View {
  names: string[];
  failover: FailoverSet[];
}
