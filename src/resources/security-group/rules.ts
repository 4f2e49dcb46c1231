import { diffSets } from "../../scan/compare.js";
import type { Rule } from "../../scan/types.js";
import type { NormalizedSecurityGroups } from "./normalize.js";

type SgRule = Rule<NormalizedSecurityGroups>;

export const securityGroupRules: SgRule[] = [
  {
    id: "security-group.ingress",
    resourceType: "security-group",
    severity: "high",
    title: "Inbound rules",
    compares:
      "the effective inbound rules of all security groups of each load balancer: protocol, from and to port, IPv4 and IPv6 ranges (the VPC's own range as vpc-cidr), prefix lists by name, referenced groups by name; order and descriptions ignored",
    rationale:
      "Clients the primary admits are refused by the standby, or the standby admits more than intended.",
    remediation:
      "Add the missing rule to (or remove the extra one from) the standby load balancer's security group.",
    check: (p, s) => diffSets((r) => `ingress[${r}]`, p.ingress, s.ingress, "inbound rule"),
  },
  {
    id: "security-group.egress",
    resourceType: "security-group",
    severity: "medium",
    title: "Outbound rules",
    compares: "the effective outbound rules, compared the same way as inbound rules",
    rationale: "The standby load balancer cannot reach its targets or health-check ports.",
    remediation:
      "Add the missing rule to (or remove the extra one from) the standby load balancer's security group.",
    check: (p, s) => diffSets((r) => `egress[${r}]`, p.egress, s.egress, "outbound rule"),
  },
];
