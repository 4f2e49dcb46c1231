import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { z } from "zod";
import { waitFor, type StepKind } from "../step.js";

const params = z.strictObject({
  group: z.string().min(1),
  min: z.number().int().min(0),
  desired: z.number().int().min(0),
  max: z.number().int().min(0),
  /** Wait until this many instances are InService (default: desired). */
  waitInService: z.number().int().min(0).optional(),
});

async function describe(asg: AutoScalingClient, group: string) {
  const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const g = out.AutoScalingGroups?.[0];
  if (!g) throw new Error(`Auto Scaling group ${group} not found`);
  return g;
}

/** Sets min, desired and max; its outputs are the previous values, which a failback restores. */
export const autoscalingSetCapacityStep: StepKind<z.infer<typeof params>> = {
  kind: "autoscaling.set-capacity",
  description: "sets an Auto Scaling group's min, desired and max, and waits for InService instances",
  permissions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup"],
  params,
  outputs: ["previousMin", "previousDesired", "previousMax", "inService"],
  inverse: (p, out) => [
    {
      kind: "autoscaling.set-capacity",
      params: {
        group: p.group,
        min: Number(out.previousMin),
        desired: Number(out.previousDesired),
        max: Number(out.previousMax),
      },
    },
  ],
  async plan(ctx, p) {
    const g = await describe(ctx.aws.get(AutoScalingClient, ctx.region), p.group);
    const current = `${p.group} min ${g.MinSize} desired ${g.DesiredCapacity} max ${g.MaxSize}`;
    return {
      current,
      target: `${p.group} min ${p.min} desired ${p.desired} max ${p.max}`,
      changes: g.MinSize !== p.min || g.DesiredCapacity !== p.desired || g.MaxSize !== p.max,
    };
  },
  async execute(ctx, p) {
    const asg = ctx.aws.get(AutoScalingClient, ctx.region);
    const before = await describe(asg, p.group);
    await asg.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: p.group,
        MinSize: p.min,
        DesiredCapacity: p.desired,
        MaxSize: p.max,
      }),
    );
    const want = p.waitInService ?? p.desired;
    const inService = await waitFor(async () => {
      const g = await describe(asg, p.group);
      const n = (g.Instances ?? []).filter((i) => i.LifecycleState === "InService").length;
      return n >= want ? n : undefined;
    }, ctx.signal);
    return {
      previousMin: String(before.MinSize ?? 0),
      previousDesired: String(before.DesiredCapacity ?? 0),
      previousMax: String(before.MaxSize ?? 0),
      inService: String(inService),
    };
  },
};
