import { ops } from "../../aws/services.js";
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import { NotFoundError, readsNothing, waitFor, waiting, type StepContext, type StepKind } from "../step.js";
import { aws, comment, targetGroupArn } from "../manual.js";

const params = z.strictObject({
  /** The target group's ARN or name. */
  targetGroup: z.string().min(1).describe("The target group's ARN or name."),
  minHealthy: z.number().int().min(1).default(1).describe("How many healthy targets to wait for."),
});
type Params = z.infer<typeof params>;

async function health(
  ctx: StepContext,
  ref: string,
): Promise<{ arn: string; healthy: number; total: number }> {
  const elb = ctx.aws.get(ElasticLoadBalancingV2Client, ctx.region);
  let arn = ref;
  if (!ref.startsWith("arn:"))
    try {
      arn =
        (await elb.send(new DescribeTargetGroupsCommand({ Names: [ref] }))).TargetGroups?.[0]
          ?.TargetGroupArn ?? "";
    } catch (err) {
      if (awsErrorCode(err) !== "TargetGroupNotFound") throw err;
      arn = "";
    }
  if (!arn) throw new NotFoundError(`target group ${ref} not found in ${ctx.region}`);
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  const all = out.TargetHealthDescriptions ?? [];
  return { arn, healthy: all.filter((t) => t.TargetHealth?.State === "healthy").length, total: all.length };
}

/** How many of a target group's targets are healthy, as a query of describe-target-health. */
const HEALTHY = 'length(TargetHealthDescriptions[?TargetHealth.State==`"healthy"`])';

/** Waits until a target group has at least N healthy targets. */
export const elbv2WaitHealthyStep: StepKind<Params, { healthy: number; total: number }> = {
  kind: "elbv2.wait-healthy",
  example: { targetGroup: "web-standby", minHealthy: 2 },
  description: "waits until a load balancer target group has at least N healthy targets",
  permissions: ops("ELBv2", "DescribeTargetGroups", "DescribeTargetHealth"),
  params,
  outputs: ["healthy", "targetGroupArn"],
  ...readsNothing,
  checksHealth: true,
  manual: (p, region) => [
    aws("elbv2", "describe-target-health", region, {
      "target-group-arn": targetGroupArn(p.targetGroup, region),
      query: HEALTHY,
      output: "text",
    }) + comment("repeat until at least ", p.minHealthy ?? 1, " healthy"),
  ],
  manualOutputs: (p, region) => ({
    targetGroupArn: {
      command: aws("elbv2", "describe-target-groups", region, {
        [typeof p.targetGroup === "string" && p.targetGroup.startsWith("arn:")
          ? "target-group-arns"
          : "names"]: p.targetGroup,
        query: "TargetGroups[0].TargetGroupArn",
        output: "text",
      }),
    },
    healthy: {
      command: aws("elbv2", "describe-target-health", region, {
        "target-group-arn": targetGroupArn(p.targetGroup, region),
        query: HEALTHY,
        output: "text",
      }),
    },
  }),
  read: (ctx, p) => health(ctx, p.targetGroup),
  plan: (_ctx, p, h) => ({
    current: `${p.targetGroup}: ${h.healthy} of ${h.total} targets healthy`,
    target: `${p.targetGroup}: at least ${p.minHealthy} healthy`,
    changes: h.healthy < p.minHealthy,
  }),
  async settle(ctx, p) {
    let seen = "";
    const h = await waitFor(
      async () => {
        const now = await health(ctx, p.targetGroup);
        seen = `${now.healthy} of ${now.total} healthy now`;
        return now.healthy >= p.minHealthy ? now : undefined;
      },
      waiting(ctx, () => `${p.minHealthy} healthy targets in ${p.targetGroup} (${seen})`),
      5000,
    );
    return { healthy: String(h.healthy), targetGroupArn: h.arn };
  },
  inverse: () => [],
};
