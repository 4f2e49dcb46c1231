import { canonical } from "../../core/compare.js";
import { refName } from "../../core/refs.js";
import type { Difference, Rule } from "../../core/rule.js";
import { permissionLabel, type NormalizedSecurityGroups, type Permission } from "./normalize.js";

type SgRule = Rule<NormalizedSecurityGroups>;

/** "tcp 443-443 from ::/0", "tcp 8080-8081 to security group app-usw2 (twin of app)". */
function sentence(p: Permission, direction: "from" | "to"): string {
  const peer = typeof p.peer === "string" ? p.peer : `security group ${refName(p.peer)}`;
  return `${p.head} ${direction} ${peer}`;
}

/** Rules on one side only; a group reference is the same rule on both sides when it names twins. */
function diffRules(label: "ingress" | "egress", a: Permission[], b: Permission[]): Difference[] {
  const [what, direction] =
    label === "ingress" ? (["inbound", "from"] as const) : (["outbound", "to"] as const);
  const keys = (list: Permission[]) => new Map(list.map((p) => [canonical(p), p]));
  const [left, right] = [keys(a), keys(b)];
  const out: Difference[] = [];
  for (const [key, p] of left)
    if (!right.has(key))
      out.push({
        path: `${label}[${permissionLabel(p)}]`,
        primary: p,
        secondary: null,
        message: `the standby lacks the ${what} rule ${sentence(p, direction)} that the primary has`,
      });
  for (const [key, p] of right)
    if (!left.has(key))
      out.push({
        path: `${label}[${permissionLabel(p)}]`,
        primary: null,
        secondary: p,
        message: `the standby has the ${what} rule ${sentence(p, direction)} that the primary lacks`,
      });
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

export const securityGroupRules: SgRule[] = [
  {
    id: "security-group.ingress",
    resourceType: "security-group",
    severity: "high",
    title: "Inbound rules",
    compares:
      "the effective inbound rules of all security groups of each load balancer: protocol, from and to port, IPv4 and IPv6 ranges (the VPC's own range as vpc-cidr), prefix lists by name, referenced groups as twins through the pair; order and descriptions ignored",
    rationale:
      "Clients the primary admits are refused by the standby, or the standby admits more than intended.",
    remediation:
      "Add the missing rule to (or remove the extra one from) the standby load balancer's security group.",
    check: (p, s) => diffRules("ingress", p.ingress, s.ingress),
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
    check: (p, s) => diffRules("egress", p.egress, s.egress),
  },
];
