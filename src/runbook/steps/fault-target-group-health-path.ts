import { ops } from "../../aws/services.js";
import { DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../../aws/client-factory.js";
import { tagsOf, textOf, type FaultTarget } from "../targets.js";
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { z } from "zod";
import { aws, targetGroupArn } from "../manual.js";
import { awsErrorCode } from "../../aws/errors.js";
import { NotFoundError, reconcileByTarget, type StepContext, type StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";
import { nameOrAny } from "./grants.js";

const params = z.strictObject({
  /** The target group's ARN or name. */
  targetGroup: z.string().min(1).describe("The target group's ARN or name."),
  /** The health-check path to set: one the application does not serve, so every target turns unhealthy. */
  path: z
    .string()
    .regex(/^\//, { message: "expected a path beginning with /" })
    .default("/drctl-drill-missing")
    .describe(
      "The health-check path to set: one the application does not serve, so every target turns unhealthy.",
    ),
});
type Params = z.infer<typeof params>;

interface Before {
  arn: string;
  path: string;
}

async function readGroup(ctx: StepContext, ref: string): Promise<Before> {
  const elb = ctx.aws.get(ElasticLoadBalancingV2Client, ctx.region);
  try {
    const out = await elb.send(
      new DescribeTargetGroupsCommand(ref.startsWith("arn:") ? { TargetGroupArns: [ref] } : { Names: [ref] }),
    );
    const g = out.TargetGroups?.[0];
    if (g?.TargetGroupArn) return { arn: g.TargetGroupArn, path: g.HealthCheckPath ?? "/" };
  } catch (err) {
    if (awsErrorCode(err) !== "TargetGroupNotFound") throw err;
  }
  throw new NotFoundError(`target group ${ref} not found in ${ctx.region}`);
}

async function setPath(ctx: StepContext, arn: string, path: string): Promise<void> {
  await ctx.aws
    .get(ElasticLoadBalancingV2Client, ctx.region)
    .send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckPath: path }));
}

/** What it acts on, read from AWS before a drill injects it (the drill checks whose these are). */
async function targetGroupTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const elb = aws.get(ElasticLoadBalancingV2Client, region);
  const ref = textOf(p.targetGroup);
  const out = await elb.send(
    new DescribeTargetGroupsCommand(ref.startsWith("arn:") ? { TargetGroupArns: [ref] } : { Names: [ref] }),
  );
  const arns = (out.TargetGroups ?? []).map((g) => g.TargetGroupArn ?? "").filter(Boolean);
  if (arns.length === 0) return [];
  const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
  return arns.map((arn) => ({
    name: `target group ${arn.split("/")[1] ?? ref}`,
    arn,
    tags: tagsOf(tags.TagDescriptions?.find((d) => d.ResourceArn === arn)?.Tags),
  }));
}

const kindOf = (name: string, description: string, fault: boolean): StepKind<Params, Before> => ({
  kind: name,
  description,
  permissions: ops("ELBv2", "DescribeTargetGroups", "DescribeTags", "ModifyTargetGroup"),
  targets: targetGroupTargets,
  params,
  outputs: fault ? ["targetGroupArn", "previousPath", "injectedAt"] : ["targetGroupArn", "previousPath"],
  idempotent: true,
  reconciles: "done when the target group's health-check path is the one set; otherwise sets it again",
  grants: (p, where) => [
    {
      actions: ["elasticloadbalancing:ModifyTargetGroup"],
      resources: [
        typeof p.targetGroup === "string" && p.targetGroup.startsWith("arn:")
          ? p.targetGroup
          : `arn:${where.partition}:elasticloadbalancing:${where.region}:${where.account}:targetgroup/${nameOrAny(p.targetGroup)}/*`,
      ],
    },
  ],
  manual: (p, region) => [
    aws("elbv2", "modify-target-group", region, {
      "target-group-arn": targetGroupArn(p.targetGroup, region),
      "health-check-path": p.path ?? "/drctl-drill-missing",
    }),
  ],
  read: (ctx, p) => readGroup(ctx, p.targetGroup),
  plan: (_ctx, p, before) => ({
    current: `${p.targetGroup}: health check GET ${before.path}`,
    target: `${p.targetGroup}: health check GET ${p.path}`,
    changes: before.path !== p.path,
  }),
  async apply(ctx, p, now) {
    const at = injected();
    if (now.path !== p.path) await setPath(ctx, now.arn, p.path);
    return fault ? at : {};
  },
  settle: (_ctx, _p, before, applied) =>
    Promise.resolve({
      targetGroupArn: before.arn,
      previousPath: before.path,
      ...(fault ? injectedAtOf(applied) : {}),
    }),
  async reconcile(ctx, p, before) {
    const now = await readGroup(ctx, p.targetGroup);
    return reconcileByTarget(
      now.path === p.path,
      before ? now.path === before.path : undefined,
      `${p.targetGroup} health check on ${p.path}`,
    );
  },
  inverse: (p, out) =>
    out.previousPath === undefined
      ? undefined
      : [
          {
            kind: "elbv2.health-check-path",
            params: { targetGroup: out.targetGroupArn ?? p.targetGroup, path: out.previousPath },
          },
        ],
});

/** Points a target group's health check at a path the application does not serve. */
export const faultTargetGroupHealthPathStep = {
  ...kindOf(
    "fault.target-group-health-path",
    "fault: points a target group's health check at a missing path, so every target turns unhealthy",
    true,
  ),
  example: { targetGroup: "web-primary" },
};

/** Sets a target group's health-check path: the undo of fault.target-group-health-path. */
export const elbv2HealthCheckPathStep = {
  ...kindOf(
    "elbv2.health-check-path",
    "sets a target group's health-check path (the undo of fault.target-group-health-path)",
    false,
  ),
  example: { targetGroup: "web-primary", path: "/health" },
};
