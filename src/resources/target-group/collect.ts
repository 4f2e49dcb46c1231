import { ops } from "../../aws/services.js";
import {
  ElasticLoadBalancingV2Client,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { TARGET_GROUPS } from "./list.js";
import { normalizeTargetGroup, type NormalizedTargetGroup } from "./normalize.js";

export const TARGET_GROUP_PERMISSIONS = ops(
  "ELBv2",
  "DescribeTargetGroups",
  "DescribeTargetGroupAttributes",
  "DescribeTargetHealth",
);

/** A load balancer's target groups, and the ARNs its listeners name that the region does not hold. */
export interface CollectedTargetGroups {
  found: Map<string, NormalizedTargetGroup>;
  notFound: string[];
}

/**
 * The target groups of a load balancer: those the region-wide list says are attached to it, plus
 * any its listeners name. A group a listener names that the region's list does not hold (deleted
 * while the scan ran) is reported, not read.
 */
export async function collectTargetGroups(
  cache: RegionCache,
  loadBalancerArn: string,
  referencedArns: readonly string[],
): Promise<CollectedTargetGroups> {
  const all = await cache.list(TARGET_GROUPS);
  const arns = new Set(referencedArns);
  for (const [arn, tg] of all) if (tg.LoadBalancerArns?.includes(loadBalancerArn)) arns.add(arn);
  const notFound = [...arns].filter((arn) => !all.has(arn));
  const found = new Map<string, NormalizedTargetGroup>();
  await Promise.all(
    [...arns].map(async (arn) => {
      const listed = all.get(arn);
      if (!listed) return;
      const read = await readTargetGroup(cache, listed);
      if (read) found.set(arn, read);
      else notFound.push(arn);
    }),
  );
  return { found, notFound: notFound.sort() };
}

/**
 * One group's attributes and registered targets (two calls: no batch form); undefined when it
 * was deleted since the region was listed.
 */
export async function readTargetGroup(
  cache: RegionCache,
  tg: TargetGroup,
): Promise<NormalizedTargetGroup | undefined> {
  const elb = cache.client(ElasticLoadBalancingV2Client);
  const arn = tg.TargetGroupArn ?? "";
  try {
    const [attributes, health] = await Promise.all([
      elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    ]);
    return normalizeTargetGroup(
      tg,
      attributes.Attributes ?? [],
      health.TargetHealthDescriptions?.length ?? 0,
    );
  } catch (err) {
    if (mapAwsError(err, cache.site("ELBv2", "DescribeTargetGroupAttributes")) instanceof NotFoundError)
      return undefined;
    throw err;
  }
}
