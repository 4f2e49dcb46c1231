import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../../scan/region-cache.js";
import { normalizeTargetGroup, type NormalizedTargetGroup } from "./normalize.js";

export const TARGET_GROUP_PERMISSIONS = [
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetGroupAttributes",
  "elasticloadbalancing:DescribeTargetHealth",
];

/**
 * The target groups of a load balancer: those the region-wide list says are attached to it, plus
 * any its listeners name. Two calls per group (attributes, registered targets): no batch form.
 */
export async function collectTargetGroups(
  cache: RegionCache,
  loadBalancerArn: string,
  referencedArns: readonly string[],
): Promise<Map<string, NormalizedTargetGroup>> {
  const all = await cache.targetGroups();
  const arns = new Set(referencedArns);
  for (const [arn, tg] of all) if (tg.LoadBalancerArns?.includes(loadBalancerArn)) arns.add(arn);
  const elb = cache.elb();
  const entries = await Promise.all(
    [...arns].map(async (arn) => {
      const tg = all.get(arn) ?? { TargetGroupArn: arn };
      const [attributes, health] = await Promise.all([
        elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
        elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
      ]);
      return [
        arn,
        normalizeTargetGroup(tg, attributes.Attributes ?? [], health.TargetHealthDescriptions?.length ?? 0),
      ] as const;
    }),
  );
  return new Map(entries);
}
