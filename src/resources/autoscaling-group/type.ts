/**
 * The Auto Scaling group as a readiness type: a pair of groups compared on what decides whether
 * the standby can carry the primary's load (its maximum size, instance types, the region's vCPU
 * quota) and on how it scales and heals.
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { ResourceType } from "../module.js";
import { autoscalingGroupModule } from "./index.js";
import { autoscalingGroupPairing } from "./pairing.js";

export const autoscalingGroupType = {
  pairing: autoscalingGroupPairing,
  modules: [autoscalingGroupModule],
  // Its quota checks read region-wide usage that other resources change.
  readsState: true,
} as unknown as ResourceType<AutoScalingGroup>;
