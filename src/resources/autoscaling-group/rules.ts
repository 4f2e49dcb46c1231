import { differ, show } from "../../core/compare.js";
import type { Difference, Rule, ScanSettings } from "../../core/rule.js";
import type { Severity } from "../../core/finding.js";
import { onDemandInstances, type NormalizedGroup } from "./normalize.js";
import { quotaOf } from "./quota.js";

type GroupRule = Rule<NormalizedGroup>;

/** The command that raises the standby's maximum size to `max`. */
const raiseMax = (s: NormalizedGroup, max: number) =>
  `aws autoscaling update-auto-scaling-group --auto-scaling-group-name ${s.name} --max-size ${max} --region ${s.region}`;

/** A lower minimum on the standby is the plan in a pilot light or a backup-restore. */
const lowerMinSeverity = (strategy: ScanSettings["strategy"]): Severity | undefined =>
  strategy === "pilot-light" || strategy === "backup-restore" ? "info" : undefined;

/** Every process suspended on one side only; a suspended Launch keeps the standby from scaling out. */
function suspendedDiffs(p: NormalizedGroup, s: NormalizedGroup): Difference[] {
  const [onPrimary, onStandby] = [new Set(p.suspendedProcesses), new Set(s.suspendedProcesses)];
  const standbyOnly = s.suspendedProcesses.filter((x) => !onPrimary.has(x));
  const primaryOnly = p.suspendedProcesses.filter((x) => !onStandby.has(x));
  return [
    ...standbyOnly.map((x) => ({
      path: `suspendedProcesses.${x}`,
      primary: null,
      secondary: x,
      message: `the standby has process ${x} suspended, the primary does not`,
      ...(x === "Launch" ? { severity: "critical" as const } : {}),
    })),
    ...primaryOnly.map((x) => ({
      path: `suspendedProcesses.${x}`,
      primary: x,
      secondary: null,
      message: `the primary has process ${x} suspended, the standby does not`,
    })),
  ];
}

/**
 * The vCPU quota could not be checked: a low finding saying what is unknown, as every quota
 * check that could not be made (src/resources/quota-check.ts), never a pass.
 */
const unchecked = (p: NormalizedGroup, why: string): Difference[] => [
  {
    path: "vcpuQuota",
    primary: p.desiredCapacity,
    secondary: null,
    severity: "low",
    message: `the standby region's On-Demand vCPU quota could not be checked: ${why}`,
  },
];

/**
 * Whether the standby region's On-Demand vCPU quota holds the primary's desired capacity on the
 * standby's instance types (the smallest of them, so the need is a lower bound) plus the On-Demand
 * instances already running there outside the group.
 */
function vcpuQuotaCheck(p: NormalizedGroup, s: NormalizedGroup): Difference[] {
  const c = s.capacity;
  const instances = onDemandInstances(p.desiredCapacity, s.onDemand);
  if (!c || instances === 0) return [];
  if (c.error !== undefined) return unchecked(p, c.error);
  const sized = s.instanceTypes.filter((t) => c.vcpus[t] !== undefined);
  const type = sized.sort((a, b) => (c.vcpus[a] ?? 0) - (c.vcpus[b] ?? 0))[0];
  if (type === undefined)
    return unchecked(p, `the vCPUs of the standby's instance types (${show(s.instanceTypes)}) are not known`);
  const quota = quotaOf(type);
  if (!quota) return unchecked(p, `drctl knows no On-Demand vCPU quota for instance type ${type}`);
  const reading = c.quotas[quota.code];
  if (reading?.value === undefined)
    return unchecked(
      p,
      `quota ${quota.code} could not be read: ${reading?.error ?? "it was not read"}; read it with ` +
        `aws service-quotas get-service-quota --service-code ec2 --quota-code ${quota.code} --region ${c.region}`,
    );
  const vcpus = c.vcpus[type] ?? 0;
  const running = c.runningElsewhere?.[quota.code] ?? 0;
  const need = instances * vcpus + running;
  if (need <= reading.value) return [];
  const already =
    c.runningElsewhere === undefined
      ? `; instances already running there are not counted (${c.runningUnknown ?? "unknown"})`
      : running > 0
        ? `, plus ${running} vCPUs of On-Demand instances already running there`
        : "";
  return [
    {
      path: "vcpuQuota",
      primary: need,
      secondary: reading.value,
      message:
        `taking over the primary's ${instances} On-Demand instances needs at least ${need} vCPUs of ${quota.name} in ${c.region} ` +
        `(${instances} × ${type} at ${vcpus} vCPUs${already}), but the quota ${quota.code} there is ${reading.value}: ` +
        `aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${quota.code} --desired-value ${need} --region ${c.region}`,
    },
  ];
}

export const autoscalingGroupRules: GroupRule[] = [
  {
    id: "autoscaling-group.capacity",
    resourceType: "autoscaling-group",
    severity: "high",
    title: "Standby maximum size below the primary's load",
    compares:
      "the standby's MaxSize against the primary's current DesiredCapacity (a standby running fewer instances, or none, is fine; one that cannot grow to the primary's load is not); critical when the standby's maximum is 0",
    rationale:
      "After failover the standby must run what the primary runs now; scaling policies and runbooks cannot go above the maximum size.",
    remediation:
      "Raise the standby's maximum size to at least the primary's desired capacity: aws autoscaling update-auto-scaling-group --auto-scaling-group-name NAME --max-size N.",
    check: (p, s) =>
      s.maxSize >= p.desiredCapacity
        ? []
        : [
            {
              path: "maxSize",
              primary: p.desiredCapacity,
              secondary: s.maxSize,
              ...(s.maxSize === 0 ? { severity: "critical" as const } : {}),
              message: `the standby's maximum size is ${s.maxSize}, below the ${p.desiredCapacity} instances the primary runs now: ${raiseMax(s, p.desiredCapacity)}`,
            },
          ],
  },
  {
    id: "autoscaling-group.vcpu-quota",
    resourceType: "autoscaling-group",
    severity: "high",
    title: "Standby region's On-Demand vCPU quota",
    compares:
      "the standby region's Running On-Demand instances vCPU quota (Service Quotas, ec2 L-1216C47A for the standard families; F, G/VT, Inf, P and X by family) against the vCPUs the standby needs at the primary's desired capacity on its own instance types, plus the On-Demand instances already running there; a quota that cannot be read or an instance type whose vCPUs are not known is a low finding saying so, never a pass",
    rationale:
      "Instances beyond the quota fail to launch (VcpuLimitExceeded) exactly when the standby must take the load; an increase can take days.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value N --region REGION.",
    check: vcpuQuotaCheck,
  },
  {
    id: "autoscaling-group.max-size",
    resourceType: "autoscaling-group",
    severity: "medium",
    title: "Maximum size",
    compares:
      "MaxSize of both groups, when the standby's still covers the primary's current load (below it, the capacity rule reports it)",
    rationale:
      "A standby that cannot grow as far as the primary runs out of headroom at the primary's peak once it carries all traffic.",
    remediation: "Set the standby's maximum size to the primary's (update-auto-scaling-group --max-size).",
    check: (p, s) =>
      s.maxSize < p.desiredCapacity
        ? []
        : differ(
            "maxSize",
            p.maxSize,
            s.maxSize,
            `the standby's maximum size is ${s.maxSize}, the primary's ${p.maxSize}`,
          ),
  },
  {
    id: "autoscaling-group.min-size",
    resourceType: "autoscaling-group",
    severity: "medium",
    title: "Minimum size",
    compares:
      "MinSize of both groups; a lower minimum on the standby is information under `strategy: pilot-light` or `backup-restore`",
    rationale:
      "The minimum is the capacity the group keeps whatever its scaling policies say; a lower one on the standby is less warm capacity when traffic arrives.",
    remediation: "Set the standby's minimum size to the primary's (update-auto-scaling-group --min-size).",
    check: (p, s, settings) => {
      const found = differ(
        "minSize",
        p.minSize,
        s.minSize,
        `the standby's minimum size is ${s.minSize}, the primary's ${p.minSize}`,
      );
      const severity = s.minSize < p.minSize ? lowerMinSeverity(settings.strategy) : undefined;
      return severity ? found.map((d) => ({ ...d, severity })) : found;
    },
  },
  {
    id: "autoscaling-group.zones",
    resourceType: "autoscaling-group",
    severity: "medium",
    title: "Number of Availability Zones",
    compares: "how many Availability Zones each group launches into",
    rationale:
      "A standby in fewer zones survives fewer zone failures and may not find capacity in a busy zone.",
    remediation:
      "Add subnets in more zones to the standby group (update-auto-scaling-group --vpc-zone-identifier).",
    check: (p, s) =>
      differ(
        "zones",
        p.zones,
        s.zones,
        `the standby spans ${s.zones} Availability Zones, the primary ${p.zones}`,
      ),
  },
  {
    id: "autoscaling-group.instance-types",
    resourceType: "autoscaling-group",
    severity: "high",
    title: "Instance types",
    compares:
      "the instance types each group launches: its launch template version's, its mixed instances policy's overrides, or its launch configuration's",
    rationale:
      "Other instance types on the standby carry a different load per instance, so the same count of instances is not the same capacity.",
    remediation:
      "Use the primary's instance types in the standby's launch template (a new version, made the group's) or in its mixed instances overrides.",
    check: (p, s) =>
      differ(
        "instanceTypes",
        p.instanceTypes,
        s.instanceTypes,
        `the standby launches ${show(s.instanceTypes)}, the primary ${show(p.instanceTypes)}`,
      ),
  },
  {
    id: "autoscaling-group.health-check",
    resourceType: "autoscaling-group",
    severity: "medium",
    title: "Health check type and grace period",
    compares: "HealthCheckType (EC2, ELB, VPC_LATTICE, EBS) and HealthCheckGracePeriod",
    rationale:
      "A standby that checks only EC2 status keeps instances the load balancer finds unhealthy; a shorter grace period replaces instances still starting.",
    remediation:
      "Set the primary's values on the standby: update-auto-scaling-group --health-check-type and --health-check-grace-period.",
    check: (p, s) => [
      ...differ(
        "healthCheckType",
        p.healthCheckType,
        s.healthCheckType,
        `the standby's health check type is ${s.healthCheckType}, the primary's ${p.healthCheckType}`,
      ),
      ...differ(
        "healthCheckGracePeriod",
        p.healthCheckGracePeriod,
        s.healthCheckGracePeriod,
        `the standby's health check grace period is ${s.healthCheckGracePeriod} s, the primary's ${p.healthCheckGracePeriod} s`,
      ),
    ],
  },
  {
    id: "autoscaling-group.capacity-rebalance",
    resourceType: "autoscaling-group",
    severity: "low",
    title: "Capacity rebalancing",
    compares: "CapacityRebalance of both groups",
    rationale:
      "Without it a standby running Spot instances loses them at interruption instead of replacing them first.",
    remediation:
      "Set it as on the primary: update-auto-scaling-group --capacity-rebalance (or --no-capacity-rebalance).",
    check: (p, s) =>
      differ(
        "capacityRebalance",
        p.capacityRebalance,
        s.capacityRebalance,
        `capacity rebalancing is ${s.capacityRebalance ? "on" : "off"} on the standby, ${p.capacityRebalance ? "on" : "off"} on the primary`,
      ),
  },
  {
    id: "autoscaling-group.suspended-processes",
    resourceType: "autoscaling-group",
    severity: "medium",
    title: "Suspended processes",
    compares:
      "the scaling processes suspended on each group (Launch, Terminate, HealthCheck, AZRebalance, ...); critical when the standby alone has Launch suspended",
    rationale:
      "A suspended process on the standby alone changes how it scales and heals once it carries the load; with Launch suspended it cannot scale out at all.",
    remediation:
      "Resume the process on the standby (aws autoscaling resume-processes --scaling-processes NAME), or suspend it on both.",
    check: suspendedDiffs,
  },
];
