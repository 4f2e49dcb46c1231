import type { ResourceModule, Twin } from "../../scan/module.js";
import type { Collector } from "../../scan/side.js";
import type { Difference } from "../../scan/types.js";
import type { RuleInfo } from "../../core/finding.js";
import { listenersCollector } from "../listener/index.js";
import { collectTargetGroups, TARGET_GROUP_PERMISSIONS } from "./collect.js";
import type { NormalizedTargetGroup } from "./normalize.js";
import { targetGroupRules } from "./rules.js";

export const targetGroupsCollector: Collector<Map<string, NormalizedTargetGroup>> = {
  type: "target-group",
  async collect(side) {
    const listeners = await side.get(listenersCollector);
    return collectTargetGroups(
      side.cache,
      side.arn,
      listeners.flatMap((l) => l.targetGroupUses.map((u) => u.arn)),
    );
  },
};

const missingTargetGroup: RuleInfo = {
  id: "target-group.missing",
  resourceType: "target-group",
  severity: "high",
  title: "Target group without a twin",
  compares: "target groups matched first through the listener action or rule that uses them, then by name",
  rationale: "Traffic the primary sends to this group has nowhere equivalent to go on the standby.",
  remediation:
    "Create the target group on the standby with the primary's settings and use it from the same listener action.",
};

export const targetGroupModule: ResourceModule<NormalizedTargetGroup> = {
  type: "target-group",
  title: "Target groups",
  permissions: TARGET_GROUP_PERMISSIONS,
  rules: targetGroupRules,
  missingRule: missingTargetGroup,
  async twins(primary, standby) {
    const [pl, sl, pg, sg] = await Promise.all([
      primary.get(listenersCollector),
      standby.get(listenersCollector),
      primary.get(targetGroupsCollector),
      standby.get(targetGroupsCollector),
    ]);
    const matched = new Map<string, string>(); // primary ARN -> standby ARN
    const taken = new Set<string>();
    const match = (a: string, b: string) => {
      if (matched.has(a) || taken.has(b) || !pg.has(a) || !sg.has(b)) return;
      matched.set(a, b);
      taken.add(b);
    };
    // 1. Through the pair: the group the same listener action or rule uses on each side.
    const standbyUses = new Map(sl.flatMap((l) => l.targetGroupUses.map((u) => [u.key, u.arn] as const)));
    for (const use of pl.flatMap((l) => l.targetGroupUses)) {
      const twin = standbyUses.get(use.key);
      if (twin) match(use.arn, twin);
    }
    // 2. Then by name, for groups no listener uses or whose use has no counterpart.
    const standbyByName = new Map([...sg].map(([arn, tg]) => [tg.name, arn]));
    for (const [arn, tg] of pg) {
      const twin = standbyByName.get(tg.name);
      if (twin) match(arn, twin);
    }
    const twins: Twin<NormalizedTargetGroup>[] = [];
    const unmatched: Difference[] = [];
    for (const [arn, tg] of pg) {
      const twin = matched.get(arn);
      const standbyGroup = twin ? sg.get(twin) : undefined;
      if (standbyGroup)
        twins.push({ label: `targetGroups[${tg.name}]`, primary: tg, secondary: standbyGroup });
      else
        unmatched.push({
          path: `targetGroups[${tg.name}]`,
          primary: tg.name,
          secondary: null,
          status: "missing",
          message: `target group ${tg.name} has no twin on the standby (none used by the same listener action, none with that name)`,
        });
    }
    for (const [arn, tg] of sg) {
      if (!taken.has(arn))
        unmatched.push({
          path: `targetGroups[${tg.name}]`,
          primary: null,
          secondary: tg.name,
          status: "missing",
          message: `the standby's target group ${tg.name} has no twin on the primary`,
        });
    }
    return { twins, unmatched };
  },
};
