import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { awsErrorCode, EndpointUnreachableError, mapAwsError } from "../../aws/errors.js";
import type { InverseStep, StepContext, StepKind } from "../step.js";
import { route53HealthCheckStep } from "./route53-health-check.js";

const params = z
  .strictObject({
    /** The old primary's Auto Scaling group: set to 0 so it serves nothing. */
    autoScalingGroup: z.string().optional(),
    /** A security group of the old primary (its database's or load balancer's): ingress revoked. */
    securityGroup: z
      .strictObject({
        groupId: z.string().regex(/^sg-[0-9a-f]+$/, { message: "expected a security group id sg-..." }),
        /** Only rules on these ports (default: every ingress rule). */
        ports: z.array(z.number().int().min(0).max(65535)).optional(),
        /** Rules to give back (JSON of IpPermissions, as a fence recorded them): a failback unfences. */
        restore: z.string().optional(),
      })
      .optional(),
    /** The old primary's Route 53 health check (id or the domain it checks): inverted, so DNS never returns to it. */
    healthCheck: z.string().optional(),
  })
  .refine((p) => p.autoScalingGroup ?? p.securityGroup ?? p.healthCheck, {
    message: "expected autoScalingGroup, securityGroup or healthCheck",
  });
type Params = z.infer<typeof params>;

const covers = (rule: IpPermission, ports: number[] | undefined) =>
  !ports || ports.some((port) => (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535));

async function ingress(ctx: StepContext, groupId: string): Promise<IpPermission[]> {
  const out = await ctx.aws
    .get(EC2Client, ctx.region)
    .send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return out.SecurityGroups?.[0]?.IpPermissions ?? [];
}

async function capacity(ctx: StepContext, group: string) {
  const out = await ctx.aws
    .get(AutoScalingClient, ctx.region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const g = out.AutoScalingGroups?.[0];
  if (!g) throw new Error(`Auto Scaling group ${group} not found in ${ctx.region}`);
  return { min: g.MinSize ?? 0, desired: g.DesiredCapacity ?? 0, max: g.MaxSize ?? 0 };
}

/** A region that cannot be reached cannot take traffic either: the fence is recorded as not applied, and the run goes on. */
async function whereReachable<T>(
  ctx: StepContext,
  what: string,
  act: () => Promise<T>,
): Promise<T | "unreachable"> {
  try {
    return await act();
  } catch (err) {
    const mapped = mapAwsError(err, { service: "fence", operation: what, region: ctx.region });
    if (!(mapped instanceof EndpointUnreachableError)) throw err;
    ctx.log(
      `WARNING: ${what} not fenced, ${ctx.region} is unreachable: ${mapped.message}; fence it when it returns`,
    );
    return "unreachable";
  }
}

/**
 * Keeps the old primary from taking writes or traffic where it can still be reached: its Auto
 * Scaling group to 0, ingress revoked from a security group, its health check inverted. Never
 * implied by another step; outputs what it changed, so a failback puts it back.
 */
export const fencePrimaryStep: StepKind<Params> = {
  kind: "fence-primary",
  description:
    "fences the old primary where reachable: Auto Scaling group to 0, security-group ingress revoked, health check inverted",
  permissions: [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:UpdateAutoScalingGroup",
    "ec2:DescribeSecurityGroups",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupIngress",
    ...route53HealthCheckStep.permissions,
  ],
  params,
  outputs: ["previousCapacity", "revoked", "healthCheckId", "previousInverted", "unreachable"],
  async plan(ctx, p) {
    const current: string[] = [];
    const target: string[] = [];
    let changes = false;
    if (p.autoScalingGroup) {
      const c = await capacity(ctx, p.autoScalingGroup);
      current.push(`${p.autoScalingGroup} min ${c.min} desired ${c.desired} max ${c.max}`);
      target.push(`${p.autoScalingGroup} min 0 desired 0 max 0`);
      changes ||= c.max > 0;
    }
    if (p.securityGroup) {
      const sg = p.securityGroup;
      const rules = await ingress(ctx, sg.groupId);
      if (sg.restore) {
        const back = JSON.parse(sg.restore) as IpPermission[];
        current.push(`${sg.groupId}: ${rules.length} ingress rules`);
        target.push(`${sg.groupId}: ${back.length} rules given back`);
        changes ||= back.length > 0;
      } else {
        const hit = rules.filter((r) => covers(r, sg.ports));
        current.push(`${sg.groupId}: ${rules.length} ingress rules`);
        target.push(
          `${sg.groupId}: ${hit.length} revoked${sg.ports ? ` (ports ${sg.ports.join(",")})` : ""}`,
        );
        changes ||= hit.length > 0;
      }
    }
    if (p.healthCheck) {
      const h = await route53HealthCheckStep.plan(ctx, { healthCheck: p.healthCheck, inverted: true });
      current.push(h.current);
      target.push(h.target);
      changes ||= h.changes;
    }
    return { current: current.join("; "), target: target.join("; "), changes };
  },
  async execute(ctx, p) {
    const out: Record<string, string> = { unreachable: "" };
    const unreachable: string[] = [];
    if (p.autoScalingGroup) {
      const group = p.autoScalingGroup;
      const before = await whereReachable(ctx, `Auto Scaling group ${group}`, async () => {
        const c = await capacity(ctx, group);
        await ctx.aws.get(AutoScalingClient, ctx.region).send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            MinSize: 0,
            DesiredCapacity: 0,
            MaxSize: 0,
          }),
        );
        return c;
      });
      if (before === "unreachable") unreachable.push(group);
      else out.previousCapacity = JSON.stringify(before);
    }
    if (p.securityGroup) {
      const sg = p.securityGroup;
      const ec2 = ctx.aws.get(EC2Client, ctx.region);
      const revoked = await whereReachable(ctx, `security group ${sg.groupId}`, async () => {
        if (sg.restore) {
          // One rule a call, so a rule already back (a resumed run) is skipped, not fatal.
          for (const rule of JSON.parse(sg.restore) as IpPermission[]) {
            try {
              await ec2.send(
                new AuthorizeSecurityGroupIngressCommand({ GroupId: sg.groupId, IpPermissions: [rule] }),
              );
            } catch (err) {
              if (awsErrorCode(err) !== "InvalidPermission.Duplicate") throw err;
            }
          }
          return [];
        }
        const hit = (await ingress(ctx, sg.groupId)).filter((r) => covers(r, sg.ports));
        if (hit.length)
          await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg.groupId, IpPermissions: hit }));
        return hit;
      });
      if (revoked === "unreachable") unreachable.push(sg.groupId);
      else if (!sg.restore) out.revoked = JSON.stringify(revoked);
    }
    if (p.healthCheck) {
      const check = p.healthCheck;
      const h = await route53HealthCheckStep.execute(ctx, { healthCheck: check, inverted: true });
      out.healthCheckId = h.healthCheckId ?? "";
      out.previousInverted = h.previousInverted ?? "false";
    }
    out.unreachable = unreachable.join(",");
    return out;
  },
  inverse(p, out, region) {
    const undo: InverseStep[] = [];
    if (p.autoScalingGroup && out.previousCapacity) {
      const c = JSON.parse(out.previousCapacity) as { min: number; desired: number; max: number };
      undo.push({
        suffix: "capacity",
        kind: "autoscaling.set-capacity",
        region,
        params: { group: p.autoScalingGroup, ...c },
      });
    }
    if (p.securityGroup && out.revoked && out.revoked !== "[]")
      undo.push({
        suffix: "ingress",
        kind: "fence-primary",
        region,
        params: { securityGroup: { groupId: p.securityGroup.groupId, restore: out.revoked } },
      });
    if (out.healthCheckId)
      undo.push({
        suffix: "health-check",
        kind: "route53.health-check",
        params: { healthCheck: out.healthCheckId, inverted: out.previousInverted === "true" },
      });
    return undo;
  },
};
