import { ops } from "../../aws/services.js";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { z } from "zod";
import {
  NotFoundError,
  reconcileByTarget,
  waitFor,
  waiting,
  type StepContext,
  type StepKind,
} from "../step.js";
import { nameOrAny } from "./grants.js";
import { aws, comment } from "../manual.js";

const params = z.strictObject({
  group: z.string().min(1).describe("The Auto Scaling group's name, in the step's region."),
  min: z.number().int().min(0).describe("The minimum size to set."),
  desired: z.number().int().min(0).describe("The desired capacity to set (min <= desired <= max)."),
  max: z.number().int().min(0).describe("The maximum size to set."),
  /** Wait until this many instances are InService (default: desired). */
  waitInService: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Wait until this many instances are InService (default: desired)."),
});
type Params = z.infer<typeof params>;
export interface Capacity {
  min: number;
  desired: number;
  max: number;
}

export async function readCapacity(ctx: StepContext, group: string): Promise<Capacity> {
  const out = await ctx.aws
    .get(AutoScalingClient, ctx.region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const g = out.AutoScalingGroups?.[0];
  if (!g) throw new NotFoundError(`Auto Scaling group ${group} not found in ${ctx.region}`);
  return { min: g.MinSize ?? 0, desired: g.DesiredCapacity ?? 0, max: g.MaxSize ?? 0 };
}

export const showCapacity = (group: string, c: Capacity) =>
  `${group} min ${c.min} desired ${c.desired} max ${c.max}`;
const same = (a: Capacity, b: Capacity) => a.min === b.min && a.desired === b.desired && a.max === b.max;

/** The ARN of Auto Scaling groups named `name` (any id) in a region, for a grant. */
export const groupArn = (where: { partition: string; region: string; account: string }, name: string) =>
  `arn:${where.partition}:autoscaling:${where.region}:${where.account}:autoScalingGroup:*:autoScalingGroupName/${name}`;

/** The undo of a step that recorded a group's previous capacity (previousMin, -Desired, -Max). */
export function restoreCapacity(group: string, out: Record<string, string>) {
  return out.previousMin === undefined
    ? undefined
    : [
        {
          kind: "autoscaling.set-capacity",
          params: {
            group,
            min: Number(out.previousMin),
            desired: Number(out.previousDesired),
            max: Number(out.previousMax),
          },
        },
      ];
}

/** Sets min, desired and max; its outputs are the capacity it found, which a failback restores. */
export const autoscalingSetCapacityStep: StepKind<Params, Capacity> = {
  kind: "autoscaling.set-capacity",
  example: { group: "web-standby", min: 2, desired: 4, max: 8 },
  description: "sets an Auto Scaling group's min, desired and max, and waits for InService instances",
  permissions: ops("AutoScaling", "DescribeAutoScalingGroups", "UpdateAutoScalingGroup"),
  params,
  outputs: ["previousMin", "previousDesired", "previousMax", "inService"],
  idempotent: true,
  autoScalingGroup: (p) => p.group,
  reconciles: "done when the group has the target min, desired and max; otherwise sets them again",
  inverse: (p, out) => restoreCapacity(p.group, out),
  grants: (p, where) => [
    { actions: ["autoscaling:UpdateAutoScalingGroup"], resources: [groupArn(where, nameOrAny(p.group))] },
  ],
  manual: (p, region) => [
    aws("autoscaling", "update-auto-scaling-group", region, {
      "auto-scaling-group-name": p.group,
      "min-size": p.min,
      "desired-capacity": p.desired,
      "max-size": p.max,
    }),
    aws("autoscaling", "describe-auto-scaling-groups", region, {
      "auto-scaling-group-names": p.group,
      query: "AutoScalingGroups[0].Instances[].[InstanceId,LifecycleState,HealthStatus]",
      output: "text",
    }) + comment("repeat until ", p.desired, " are InService and Healthy"),
  ],
  manualOutputs: (p, region) => {
    const field = (query: string, before: boolean) => ({
      command: aws("autoscaling", "describe-auto-scaling-groups", region, {
        "auto-scaling-group-names": p.group,
        query: `AutoScalingGroups[0].${query}`,
        output: "text",
      }),
      before,
    });
    return {
      previousMin: field("MinSize", true),
      previousDesired: field("DesiredCapacity", true),
      previousMax: field("MaxSize", true),
      inService: field('length(Instances[?LifecycleState==`"InService"`])', false),
    };
  },
  read: (ctx, p) => readCapacity(ctx, p.group),
  plan(_ctx, p, before) {
    return {
      current: showCapacity(p.group, before),
      target: showCapacity(p.group, p),
      changes: !same(before, p),
      ...(p.min > p.desired || p.desired > p.max
        ? { fails: `expected min <= desired <= max, got ${showCapacity(p.group, p)}` }
        : {}),
    };
  },
  async apply(ctx, p, now) {
    if (!same(now, p))
      await ctx.aws.get(AutoScalingClient, ctx.region).send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: p.group,
          MinSize: p.min,
          DesiredCapacity: p.desired,
          MaxSize: p.max,
        }),
      );
    return {};
  },
  async settle(ctx, p, before) {
    const asg = ctx.aws.get(AutoScalingClient, ctx.region);
    const want = p.waitInService ?? p.desired;
    const inService = await waitFor(
      async () => {
        const out = await asg.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [p.group] }),
        );
        const n = (out.AutoScalingGroups?.[0]?.Instances ?? []).filter(
          (i) => i.LifecycleState === "InService",
        ).length;
        return n >= want ? n : undefined;
      },
      waiting(ctx, `${want} instance(s) in service in ${p.group}`),
    );
    return {
      previousMin: String(before.min),
      previousDesired: String(before.desired),
      previousMax: String(before.max),
      inService: String(inService),
    };
  },
  async reconcile(ctx, p, before) {
    const now = await readCapacity(ctx, p.group);
    return reconcileByTarget(
      same(now, p),
      before ? same(now, before) : undefined,
      `capacity ${showCapacity(p.group, p)}`,
    );
  },
};
