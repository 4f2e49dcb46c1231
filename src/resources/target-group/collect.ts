import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { RegionCache } from "../../scan/region-cache.js";
import { normalizeTargetGroup, type NormalizedTargetGroup } from "./normalize.js";

export const TARGET_GROUP_PERMISSIONS = [
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetHealth",
];

/** A load balancer's target groups, and the ARNs its listeners name that the region does not hold. */
export interface CollectedTargetGroups {
  found: Map<string, NormalizedTargetGroup>;
  notFound: string[];
}

/**
 * The target groups of a load balancer: those the region-wide list says are attached to it, plus
 * any its listeners name. Two calls per group (attributes, registered targets): no batch form.
 * A group a listener names that the region's list does not hold (deleted while the scan ran) is
 * reported, not read.
 */
export async function collectTargetGroups(
  cache: RegionCache,
  loadBalancerArn: string,
  referencedArns: readonly string[],
): Promise<CollectedTargetGroups> {
  const all = await cache.targetGroups();
  const arns = new Set(referencedArns);
  for (const [arn, tg] of all) if (tg.LoadBalancerArns?.includes(loadBalancerArn)) arns.add(arn);
  const elb = cache.elb();
  const notFound = [...arns].filter((arn) => !all.has(arn));
  const found = new Map<string, NormalizedTargetGroup>();
  await Promise.all(
    [...arns]
      .filter((arn) => all.has(arn))
      .map(async (arn) => {
        const tg = all.get(arn) ?? { TargetGroupArn: arn };
        try {
          const [attributes, health] = await Promise.all([
            elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
            elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
          ]);
          found.set(
            arn,
            normalizeTargetGroup(
              tg,
              attributes.Attributes ?? [],
              health.TargetHealthDescriptions?.length ?? 0,
            ),
          );
        } catch (err) {
          // Deleted since the region was listed: reported as not found, the other groups still read.
          if (
            !(mapAwsError(err, cache.site("ELBv2", "DescribeTargetGroupAttributes")) instanceof NotFoundError)
          )
            throw err;
          notFound.push(arn);
        }
      }),
  );
  return { found, notFound: notFound.sort() };
}
