import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { AUTOSCALING_GROUP_PERMISSIONS, collectGroup } from "./collect.js";
import type { NormalizedGroup } from "./normalize.js";
import { autoscalingGroupRules } from "./rules.js";

export const autoscalingGroupCollector: Collector<NormalizedGroup, AutoScalingGroup> = {
  type: "autoscaling-group",
  collect: (side) => collectGroup(side.cache, side.anchor, side.role),
};

export const autoscalingGroupModule: ResourceModule<NormalizedGroup, AutoScalingGroup> = {
  type: "autoscaling-group",
  title: "Auto Scaling group",
  permissions: AUTOSCALING_GROUP_PERMISSIONS,
  rules: autoscalingGroupRules,
  twins: oneTwin(autoscalingGroupCollector),
};
