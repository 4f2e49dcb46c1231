import type { AutoScalingGroup, LaunchTemplateSpecification } from "@aws-sdk/client-auto-scaling";
import type { QuotaReading } from "../../aws/service-quotas.js";

/** Instance types chosen by attributes (InstanceRequirements) rather than named. */
export const ATTRIBUTE_BASED = "(chosen by attributes)";

/** What the standby's region can hold: read on the standby side only, for the vCPU quota rule. */
export interface StandbyCapacity {
  region: string;
  /** vCPUs of each instance type read (the group's, and those running elsewhere in the region). */
  vcpus: Record<string, number>;
  /** The vCPU quota of each quota code the group's instance types count against. */
  quotas: Record<string, QuotaReading>;
  /** vCPUs of On-Demand instances already running in the region outside the group, by quota code. */
  runningElsewhere?: Record<string, number>;
  /** Why what already runs there is not known (then it is not counted). */
  runningUnknown?: string;
  /** Why the capacity could not be read at all (then the quota is not checked). */
  error?: string;
}

export interface NormalizedGroup {
  /** For messages and commands only: names differ between regions and are never compared. */
  name: string;
  region: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  zones: number;
  /** The instance types the group launches, sorted; ATTRIBUTE_BASED when chosen by attributes. */
  instanceTypes: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  capacityRebalance: boolean;
  suspendedProcesses: string[];
  /** How much of the group is On-Demand (a mixed instances policy may run part of it on Spot). */
  onDemand: { base: number; percentAboveBase: number };
  capacity?: StandbyCapacity;
}

/** Where a group's instance types come from, before anything is read. */
export type LaunchSource =
  | { kind: "types"; types: string[] }
  | { kind: "template"; template: LaunchTemplateSpecification }
  | { kind: "configuration"; name: string }
  | { kind: "none" };

/**
 * A mixed instances policy's overrides name the types (or choose them by attributes); without
 * overrides, its launch template does, as does the group's own template or configuration.
 */
export function launchSourceOf(group: AutoScalingGroup): LaunchSource {
  const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
  const overrides = mixed?.Overrides ?? [];
  if (overrides.length > 0) {
    const types = overrides.map((o) => o.InstanceType ?? (o.InstanceRequirements ? ATTRIBUTE_BASED : ""));
    return { kind: "types", types: types.filter((t) => t !== "") };
  }
  const template = mixed?.LaunchTemplateSpecification ?? group.LaunchTemplate;
  if (template) return { kind: "template", template };
  if (group.LaunchConfigurationName) return { kind: "configuration", name: group.LaunchConfigurationName };
  return { kind: "none" };
}

export function normalizeGroup(
  group: AutoScalingGroup,
  region: string,
  instanceTypes: readonly string[],
  capacity?: StandbyCapacity,
): NormalizedGroup {
  const distribution = group.MixedInstancesPolicy?.InstancesDistribution;
  return {
    name: group.AutoScalingGroupName ?? "",
    region,
    minSize: group.MinSize ?? 0,
    maxSize: group.MaxSize ?? 0,
    desiredCapacity: group.DesiredCapacity ?? 0,
    zones: group.AvailabilityZones?.length ?? 0,
    instanceTypes: [...new Set(instanceTypes)].sort(),
    healthCheckType: group.HealthCheckType ?? "EC2",
    healthCheckGracePeriod: group.HealthCheckGracePeriod ?? 0,
    capacityRebalance: group.CapacityRebalance ?? false,
    suspendedProcesses: [...new Set((group.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? ""))]
      .filter((p) => p !== "")
      .sort(),
    onDemand: group.MixedInstancesPolicy
      ? {
          base: distribution?.OnDemandBaseCapacity ?? 0,
          percentAboveBase: distribution?.OnDemandPercentageAboveBaseCapacity ?? 100,
        }
      : { base: 0, percentAboveBase: 100 },
    ...(capacity ? { capacity } : {}),
  };
}

/** How many of `desired` instances run On-Demand (the base first, then the percentage, rounded up). */
export function onDemandInstances(desired: number, onDemand: NormalizedGroup["onDemand"]): number {
  const base = Math.min(desired, onDemand.base);
  return base + Math.ceil(((desired - base) * onDemand.percentAboveBase) / 100);
}
