import { oneTwin, type ResourceModule } from "../../scan/module.js";
import type { Collector } from "../../scan/side.js";
import { collectSecurityGroups, SECURITY_GROUP_PERMISSIONS } from "./collect.js";
import type { NormalizedSecurityGroups } from "./normalize.js";
import { securityGroupRules } from "./rules.js";

export const securityGroupsCollector: Collector<NormalizedSecurityGroups> = {
  type: "security-group",
  collect: (side) => collectSecurityGroups(side.cache, side.lb),
};

export const securityGroupModule: ResourceModule<NormalizedSecurityGroups> = {
  type: "security-group",
  title: "Security groups",
  permissions: SECURITY_GROUP_PERMISSIONS,
  rules: securityGroupRules,
  twins: oneTwin(securityGroupsCollector),
};
