import { diffSets } from "../../scan/compare.js";
import type { Rule } from "../../scan/types.js";
import type { Route53View } from "./normalize.js";

type DnsRule = Rule<Route53View>;

export const route53Rules: DnsRule[] = [
  {
    id: "route53.records",
    resourceType: "route53",
    severity: "medium",
    title: "Records pointing at each load balancer",
    compares:
      "the names and types of alias (A/AAAA) and CNAME records in every hosted zone that point at each load balancer, with the region written as {region}",
    rationale:
      "A name that resolves to the primary but has no standby counterpart stops working when the primary is gone.",
    remediation:
      "Create the record for the standby load balancer (or a failover record set that covers both).",
    check: (p, s) => diffSets((n) => `records[${n}]`, p.names, s.names, "a DNS record"),
  },
  {
    id: "route53.failover-targets",
    resourceType: "route53",
    severity: "critical",
    title: "Failover records point at the right load balancers",
    compares:
      "in each failover record set involving the pair: PRIMARY points at the primary, SECONDARY at the standby",
    rationale:
      "A failover set without a SECONDARY, or with the roles swapped, sends traffic nowhere (or to the failed region) on failover.",
    remediation:
      "Upsert the failover records so PRIMARY aliases the primary load balancer and SECONDARY the standby.",
    check: (p) =>
      p.failover.flatMap((set) => [
        ...(set.primaryRole === "primary"
          ? []
          : [
              {
                path: `failover[${set.name} ${set.type}].PRIMARY`,
                primary: "primary",
                secondary: set.primaryRole,
                status: set.primaryRole === "none" ? ("missing" as const) : ("drift" as const),
                message: `the PRIMARY failover record ${set.name} points at ${set.primaryRole === "none" ? "nothing (it is missing)" : `the ${set.primaryRole}`}, not the primary load balancer`,
              },
            ]),
        ...(set.secondaryRole === "standby"
          ? []
          : [
              {
                path: `failover[${set.name} ${set.type}].SECONDARY`,
                primary: "standby",
                secondary: set.secondaryRole,
                status: set.secondaryRole === "none" ? ("missing" as const) : ("drift" as const),
                message: `the SECONDARY failover record ${set.name} points at ${set.secondaryRole === "none" ? "nothing (it is missing)" : `the ${set.secondaryRole}`}, not the standby load balancer`,
              },
            ]),
      ]),
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
        .filter((set) => set.primaryRole === "primary" && !set.primaryHasHealthCheck)
        .map((set) => ({
          path: `failover[${set.name} ${set.type}].PRIMARY.healthCheckId`,
          primary: null,
          secondary: null,
          message: `the PRIMARY failover record ${set.name} has no health check, so Route 53 will never fail it over`,
        })),
  },
];
