import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RuleInfo } from "../../core/finding.js";
import { ambiguousTwinRule, unmatchedOf, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { matchTwins, type MatchResult, type TwinEvidence } from "../../core/twins.js";
import {
  collectSecurityGroups,
  SECURITY_GROUP_PERMISSIONS,
  type CollectedSecurityGroups,
} from "./collect.js";
import { permissionLabel, type NormalizedSecurityGroups, type Permission } from "./normalize.js";
import { securityGroupRules } from "./rules.js";

export const securityGroupsCollector: Collector<CollectedSecurityGroups, LoadBalancer> = {
  type: "security-group",
  collect: (side) => collectSecurityGroups(side.cache, side.anchor),
};

const missingGroup: RuleInfo = {
  id: "security-group.missing",
  resourceType: "security-group",
  severity: "high",
  title: "Referenced security group without a twin",
  compares:
    "the security groups the load balancer's rules refer to, matched through the rule that names them, then by name, by name without region codes and role words, then by their own rules",
  rationale:
    "A rule that admits or reaches a group the other region has no equivalent of admits or reaches nothing there.",
  remediation:
    "Create the group in the standby region with the primary group's rules, and refer to it from the same rule of the standby load balancer's group.",
};

/** Group references by direction and ports: "egress tcp 8080-8081" -> the groups named there. */
function groupUses(rules: NormalizedSecurityGroups): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (direction: string, perms: Permission[]) => {
    for (const p of perms)
      if (typeof p.peer !== "string" && !("external" in p.peer && p.peer.external)) {
        const key = `${direction} ${p.head}`;
        out.set(key, [...(out.get(key) ?? []), p.peer.id]);
      }
  };
  add("ingress", rules.ingress);
  add("egress", rules.egress);
  return out;
}

export const securityGroupModule: ResourceModule<NormalizedSecurityGroups, LoadBalancer> = {
  type: "security-group",
  title: "Security groups",
  permissions: SECURITY_GROUP_PERMISSIONS,
  rules: securityGroupRules,
  extraRules: [ambiguousTwinRule({ type: "security-group", title: "Security groups" })],
  missingRule: missingGroup,
  async twins(primary, standby, context) {
    const [p, s] = await Promise.all([
      primary.get(securityGroupsCollector),
      standby.get(securityGroupsCollector),
    ]);
    // Through the pair: the load balancers' own groups when each has one, and the group each side's
    // rule of the same direction and ports names, when each side has exactly one such rule.
    const evidence: TwinEvidence[] = [];
    const [pOwn, sOwn] = [p.rules.groups, s.rules.groups];
    if (pOwn.length === 1 && sOwn.length === 1)
      evidence.push({
        primaryId: pOwn[0]?.id ?? "",
        standbyId: sOwn[0]?.id ?? "",
        via: "the load balancer's security group",
      });
    const [pUses, sUses] = [groupUses(p.rules), groupUses(s.rules)];
    for (const [key, ids] of pUses) {
      const twins = sUses.get(key);
      if (ids.length === 1 && twins?.length === 1)
        evidence.push({ primaryId: ids[0] ?? "", standbyId: twins[0] ?? "", via: key });
    }
    const all = matchTwins(p.candidates, s.candidates, evidence, context.names);
    // Only a group the rules refer to needs a twin; the other groups of the VPC were candidates.
    const needed = (role: "primary" | "standby", id: string) =>
      (role === "primary" ? p : s).referenced.has(id);
    const match: MatchResult = {
      links: all.links,
      unmatchedPrimary: all.unmatchedPrimary.filter((c) => needed("primary", c.id)),
      unmatchedStandby: all.unmatchedStandby.filter((c) => needed("standby", c.id)),
      ambiguous: all.ambiguous.filter(
        (a) =>
          a.primary.some((c) => needed("primary", c.id)) || a.standby.some((c) => needed("standby", c.id)),
      ),
    };
    const usedBy = (rules: NormalizedSecurityGroups, id: string) =>
      [
        ...rules.ingress.map((x) => ["inbound", x] as const),
        ...rules.egress.map((x) => ["outbound", x] as const),
      ]
        .filter(([, x]) => typeof x.peer !== "string" && x.peer.id === id)
        .map(([direction, x]) => `${direction} ${permissionLabel(x)}`);
    const unmatched = unmatchedOf(
      match,
      securityGroupModule,
      (name) => `securityGroups[${name}]`,
      "security group",
      (role, id) => {
        const uses = usedBy((role === "primary" ? p : s).rules, id);
        return uses.length ? `named by ${uses.join(", ")}` : "";
      },
    );
    return {
      twins: [{ label: "", primary: p.rules, secondary: s.rules }],
      unmatched,
      links: all.links.filter(
        (l) => needed("primary", l.primary.id) || pOwn.some((g) => g.id === l.primary.id),
      ),
      listed: { primary: p.candidates, standby: s.candidates },
    };
  },
};
