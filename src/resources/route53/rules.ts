import type { Rule } from "../../core/rule.js";
import type { FailoverSet, RecordTarget, Route53View } from "./normalize.js";

type DnsRule = Rule<Route53View>;

/** Where a record points, as a person acts on it: the load balancer by name, with its DNS name. */
function pointsAt(t: RecordTarget): string {
  if (t.role === "none") return "nothing (it is missing)";
  const who =
    t.role === "primary"
      ? `the primary load balancer ${t.loadBalancer ?? ""}`
      : t.role === "standby"
        ? `the standby load balancer ${t.loadBalancer ?? ""}`
        : t.loadBalancer
          ? `load balancer ${t.loadBalancer}, which is not part of this pair`
          : "a name that is no load balancer drctl can read";
  return `${who.trim()} (${t.dnsName ?? ""})`;
}

function wrongTarget(set: FailoverSet, which: "PRIMARY" | "SECONDARY") {
  const [target, expected] =
    which === "PRIMARY" ? ([set.primary, "primary"] as const) : ([set.secondary, "standby"] as const);
  if (target.role === expected) return [];
  return [
    {
      path: `failover[${set.name} ${set.type}].${which}`,
      primary: expected,
      secondary: { role: target.role, dnsName: target.dnsName, loadBalancer: target.loadBalancer },
      status: target.role === "none" ? ("missing" as const) : ("drift" as const),
      message: `the ${which} failover record ${set.name} (${set.type}) points at ${pointsAt(target)}, not at the ${expected} load balancer`,
    },
  ];
}

export const route53Rules: DnsRule[] = [
  {
    id: "route53.failover-targets",
    resourceType: "route53",
    severity: "critical",
    title: "Failover records point at the right load balancers",
    compares:
      "in each failover record set involving the pair: PRIMARY points at the primary, SECONDARY at the standby (a record pointing elsewhere is named with the load balancer it belongs to)",
    rationale:
      "A failover set without a SECONDARY, or with the roles swapped, sends traffic nowhere (or to the failed region) on failover.",
    remediation:
      "Upsert the failover records so PRIMARY aliases the primary load balancer and SECONDARY the standby.",
    check: (p) =>
      p.failover.flatMap((set) => [...wrongTarget(set, "PRIMARY"), ...wrongTarget(set, "SECONDARY")]),
  },
  {
    id: "route53.failover-health-check",
    resourceType: "route53",
    severity: "high",
    title: "PRIMARY failover record has a health check",
    compares: "whether the PRIMARY record of each failover set involving the pair has a HealthCheckId",
    rationale:
      "Without a health check Route 53 never considers the primary unhealthy, so DNS never fails over.",
    remediation:
      "Create a Route 53 health check for the primary endpoint and attach it to the PRIMARY record.",
    check: (p) =>
      p.failover
        .filter((set) => set.primary.role === "primary" && !set.primaryHasHealthCheck)
        .map((set) => ({
          path: `failover[${set.name} ${set.type}].PRIMARY.healthCheckId`,
          primary: null,
          secondary: null,
          message: `the PRIMARY failover record ${set.name} (${set.type}) has no health check, so Route 53 will never fail it over`,
        })),
  },
];
