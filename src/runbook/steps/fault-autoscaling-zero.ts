import { ops } from "../../aws/services.js";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import type { AwsClients } from "../../aws/client-factory.js";
import { tagsOf, textOf, type FaultTarget } from "../targets.js";
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { z } from "zod";
import { reconcileByTarget, type StepKind } from "../step.js";
import {
  groupArn,
  readCapacity,
  restoreCapacity,
  showCapacity,
  type Capacity,
} from "./autoscaling-set-capacity.js";
import { injected, injectedAtOf } from "./fault.js";
import { nameOrAny } from "./grants.js";

const params = z.strictObject({
  group: z.string().min(1).describe("The Auto Scaling group's name: set to min 0, desired 0 (max kept)."),
});
type Params = z.infer<typeof params>;
const zero = (c: Capacity) => c.min === 0 && c.desired === 0;

/** What it acts on, read from AWS before a drill injects it (the drill checks whose these are). */
async function autoScalingGroupsTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const out = await aws
    .get(AutoScalingClient, region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [textOf(p.group)] }));
  return (out.AutoScalingGroups ?? []).map((g) => ({
    name: `Auto Scaling group ${g.AutoScalingGroupName ?? textOf(p.group)}`,
    arn: g.AutoScalingGroupARN ?? "",
    tags: tagsOf(g.Tags),
  }));
}

/** Sets an Auto Scaling group to zero instances (min 0, desired 0; max kept): the tier is gone. */
export const faultAutoscalingZeroStep: StepKind<Params, Capacity> = {
  kind: "fault.autoscaling-zero",
  example: { group: "web-primary" },
  description: "fault: sets an Auto Scaling group to zero instances (min 0, desired 0, max kept)",
  permissions: ops("AutoScaling", "DescribeAutoScalingGroups", "UpdateAutoScalingGroup"),
  targets: autoScalingGroupsTargets,
  params,
  outputs: ["previousMin", "previousDesired", "previousMax", "injectedAt"],
  idempotent: true,
  autoScalingGroup: (p) => p.group,
  reconciles: "done when the group is at min 0 desired 0; otherwise sets it again",
  grants: (p, where) => [
    { actions: ["autoscaling:UpdateAutoScalingGroup"], resources: [groupArn(where, nameOrAny(p.group))] },
  ],
  read: (ctx, p) => readCapacity(ctx, p.group),
  plan: (_ctx, p, before) => ({
    current: showCapacity(p.group, before),
    target: showCapacity(p.group, { min: 0, desired: 0, max: before.max }),
    changes: !zero(before),
  }),
  async apply(ctx, p, now) {
    const at = injected();
    if (!zero(now))
      await ctx.aws.get(AutoScalingClient, ctx.region).send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: p.group,
          MinSize: 0,
          DesiredCapacity: 0,
        }),
      );
    return at;
  },
  settle: (_ctx, _p, before, applied) =>
    Promise.resolve({
      previousMin: String(before.min),
      previousDesired: String(before.desired),
      previousMax: String(before.max),
      ...injectedAtOf(applied),
    }),
  async reconcile(ctx, p, before) {
    const now = await readCapacity(ctx, p.group);
    return reconcileByTarget(
      zero(now),
      before ? now.min === before.min && now.desired === before.desired : undefined,
      `${p.group} at zero`,
    );
  },
  inverse: (p, out) => restoreCapacity(p.group, out),
};
