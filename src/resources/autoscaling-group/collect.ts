/**
 * One side of an Auto Scaling group pair: the group (already described by the pairing), the
 * instance types it launches (its launch template's version, its mixed instances overrides, or
 * its launch configuration), and on the standby side what its region can hold: the vCPUs of
 * those types, the On-Demand vCPU quota they count against, and what already runs there.
 */
import {
  AutoScalingClient,
  DescribeLaunchConfigurationsCommand,
  type AutoScalingGroup,
  type LaunchTemplateSpecification,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  paginateDescribeInstances,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { mapAwsError } from "../../aws/errors.js";
import {
  ATTRIBUTE_BASED,
  launchSourceOf,
  normalizeGroup,
  type NormalizedGroup,
  type StandbyCapacity,
} from "./normalize.js";
import { SERVICE_QUOTA_PERMISSIONS, type QuotaReading } from "../../aws/service-quotas.js";
import { quotaOf, vcpuQuotaIn } from "./quota.js";

export const AUTOSCALING_GROUP_PERMISSIONS = [
  ...ops("AutoScaling", "DescribeTags", "DescribeAutoScalingGroups", "DescribeLaunchConfigurations"),
  ...ops("EC2", "DescribeLaunchTemplateVersions", "DescribeInstanceTypes", "DescribeInstances"),
  ...SERVICE_QUOTA_PERMISSIONS,
];

const TYPES_PER_DESCRIBE = 100;

/** The instance type a launch template version names, read once per region, template and version. */
function templateType(cache: RegionCache, spec: LaunchTemplateSpecification): Promise<string> {
  const version = spec.Version ?? "$Default";
  const key = `launch-template-version:${spec.LaunchTemplateId ?? spec.LaunchTemplateName ?? ""}:${version}`;
  return cache.once(key, async () => {
    try {
      const out = await cache.client(EC2Client).send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(spec.LaunchTemplateId
            ? { LaunchTemplateId: spec.LaunchTemplateId }
            : { LaunchTemplateName: spec.LaunchTemplateName }),
          Versions: [version],
        }),
      );
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      return data?.InstanceType ?? (data?.InstanceRequirements ? ATTRIBUTE_BASED : "");
    } catch (err) {
      throw mapAwsError(err, cache.site("EC2", "DescribeLaunchTemplateVersions"));
    }
  });
}

async function configurationType(cache: RegionCache, name: string): Promise<string> {
  try {
    const out = await cache
      .client(AutoScalingClient)
      .send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [name] }));
    return out.LaunchConfigurations?.[0]?.InstanceType ?? "";
  } catch (err) {
    throw mapAwsError(err, cache.site("AutoScaling", "DescribeLaunchConfigurations"));
  }
}

/** The instance types a group launches ([] when it names none drctl can read). */
export async function instanceTypesOf(cache: RegionCache, group: AutoScalingGroup): Promise<string[]> {
  const source = launchSourceOf(group);
  const type =
    source.kind === "types"
      ? undefined
      : source.kind === "template"
        ? await templateType(cache, source.template)
        : source.kind === "configuration"
          ? await configurationType(cache, source.name)
          : "";
  return source.kind === "types" ? source.types : type ? [type] : [];
}

interface Running {
  type: string;
  onDemand: boolean;
}

/** Every pending or running instance of the region, read once for every pair. */
function runningInstances(cache: RegionCache): Promise<ReadonlyMap<string, Running>> {
  return cache.list({
    name: "ec2-running-instances",
    service: "EC2",
    operation: "DescribeInstances",
    async *pages(c) {
      const filter = { Name: "instance-state-name", Values: ["pending", "running"] };
      for await (const page of paginateDescribeInstances(
        { client: c.client(EC2Client), pageSize: 1000 },
        { Filters: [filter] },
      ))
        yield (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    },
    key: (i) => i.InstanceId ?? "",
    value: (i) => ({ type: i.InstanceType ?? "", onDemand: i.InstanceLifecycle === undefined }),
  });
}

/** vCPUs of each instance type, 100 types a call; standbys of one region mostly ask for the same set. */
function vcpusOf(cache: RegionCache, types: readonly string[]): Promise<Record<string, number>> {
  const real = [...new Set(types)].filter((t) => t !== "" && t !== ATTRIBUTE_BASED).sort();
  return cache.once(`instance-type-vcpus:${real.join(",")}`, () => readVcpus(cache, real));
}

async function readVcpus(cache: RegionCache, real: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < real.length; i += TYPES_PER_DESCRIBE) {
    const page = await cache
      .client(EC2Client)
      .send(
        new DescribeInstanceTypesCommand({
          InstanceTypes: real.slice(i, i + TYPES_PER_DESCRIBE) as _InstanceType[],
        }),
      )
      .catch((err: unknown) => {
        throw mapAwsError(err, cache.site("EC2", "DescribeInstanceTypes"));
      });
    for (const t of page.InstanceTypes ?? [])
      if (t.InstanceType && t.VCpuInfo?.DefaultVCpus !== undefined)
        out[t.InstanceType] = t.VCpuInfo.DefaultVCpus;
  }
  return out;
}

/** vCPUs of On-Demand instances running outside the group, by the quota they count against. */
function runningElsewhereOf(
  running: ReadonlyMap<string, Running>,
  group: AutoScalingGroup,
  vcpus: Record<string, number>,
): Record<string, number> {
  const own = new Set((group.Instances ?? []).map((i) => i.InstanceId));
  const out: Record<string, number> = {};
  for (const [id, instance] of running) {
    const code = quotaOf(instance.type)?.code;
    if (own.has(id) || !instance.onDemand || !code) continue;
    out[code] = (out[code] ?? 0) + (vcpus[instance.type] ?? 0);
  }
  return out;
}

/** What the standby's region can hold; any part that cannot be read says why instead of failing. */
async function standbyCapacity(
  cache: RegionCache,
  group: AutoScalingGroup,
  types: readonly string[],
): Promise<StandbyCapacity> {
  const region = cache.region;
  const running = await runningInstances(cache).then(
    (r) => ({ ok: true as const, r }),
    (err: unknown) => ({ ok: false as const, why: (err as Error).message }),
  );
  try {
    const others = running.ok ? [...running.r.values()].map((r) => r.type) : [];
    const vcpus = await vcpusOf(cache, [...types, ...others]);
    const codes = [...new Set(types.flatMap((t) => quotaOf(t)?.code ?? []))];
    const quotas: Record<string, QuotaReading> = {};
    for (const code of codes) quotas[code] = await vcpuQuotaIn(cache, code);
    return {
      region,
      vcpus,
      quotas,
      ...(running.ok
        ? { runningElsewhere: runningElsewhereOf(running.r, group, vcpus) }
        : { runningUnknown: running.why }),
    };
  } catch (err) {
    return { region, vcpus: {}, quotas: {}, error: (err as Error).message };
  }
}

export async function collectGroup(
  cache: RegionCache,
  group: AutoScalingGroup,
  role: "primary" | "standby",
): Promise<NormalizedGroup> {
  const types = await instanceTypesOf(cache, group);
  const capacity = role === "standby" ? await standbyCapacity(cache, group, types) : undefined;
  return normalizeGroup(group, cache.region, types, capacity);
}
