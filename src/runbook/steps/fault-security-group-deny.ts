import { ops } from "../../aws/services.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { partitionOf, tagsOf, textOf, type FaultTarget } from "../targets.js";
import {
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { NotFoundError, type StepContext, type StepKind } from "../step.js";
import { injected, injectedAtOf } from "./fault.js";
import { split } from "./fence-primary.js";
import { nameOrAny } from "./grants.js";

const params = z.strictObject({
  groupId: z
    .string()
    .regex(/^sg-[0-9a-f]+$/, { message: "expected a security group id sg-..." })
    .describe("The security group's id (sg-...)."),
  /** Only the rules covering these ports (default: every ingress rule). */
  ports: z
    .array(z.number().int().min(0).max(65535))
    .min(1, { message: "expected at least one port (without ports: every ingress rule)" })
    .optional()
    .describe("Only the rules covering these ports (default: every ingress rule)."),
});
type Params = z.infer<typeof params>;

const covers = (rule: IpPermission, ports: number[] | undefined) =>
  !ports || ports.some((port) => (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535));

async function rules(ctx: StepContext, p: Params): Promise<IpPermission[]> {
  const out = await ctx.aws
    .get(EC2Client, ctx.region)
    .send(new DescribeSecurityGroupsCommand({ GroupIds: [p.groupId] }))
    .catch((err: unknown) => {
      if (/InvalidGroup\.NotFound/.test(String((err as { name?: string }).name)))
        throw new NotFoundError(`security group ${p.groupId} not found in ${ctx.region}`);
      throw err;
    });
  const group = out.SecurityGroups?.[0];
  if (!group) throw new NotFoundError(`security group ${p.groupId} not found in ${ctx.region}`);
  return split((group.IpPermissions ?? []).filter((r) => covers(r, p.ports)));
}

const describe = (r: IpPermission) =>
  `${r.IpProtocol === "-1" ? "all" : r.IpProtocol} ${r.FromPort ?? "*"}-${r.ToPort ?? "*"} ${
    r.IpRanges?.[0]?.CidrIp ??
    r.Ipv6Ranges?.[0]?.CidrIpv6 ??
    r.PrefixListIds?.[0]?.PrefixListId ??
    r.UserIdGroupPairs?.[0]?.GroupId ??
    ""
  }`;

/** What it acts on, read from AWS before a drill injects it (the drill checks whose these are). */
async function securityGroupTargets(
  aws: AwsClients,
  region: string,
  p: Record<string, unknown>,
): Promise<FaultTarget[]> {
  const out = await aws
    .get(EC2Client, region)
    .send(new DescribeSecurityGroupsCommand({ GroupIds: [textOf(p.groupId)] }));
  return (out.SecurityGroups ?? []).map((g) => ({
    name: `security group ${g.GroupId ?? ""}`,
    arn: `arn:${partitionOf(region)}:ec2:${region}:${g.OwnerId ?? ""}:security-group/${g.GroupId ?? ""}`,
    tags: tagsOf(g.Tags),
  }));
}

/** Revokes a security group's ingress rules (all, or those on some ports): clients cannot connect. */
export const faultSecurityGroupDenyStep: StepKind<Params, IpPermission[]> = {
  kind: "fault.security-group-deny",
  example: { groupId: "sg-0123456789abcdef0", ports: [5432] },
  description: "fault: revokes a security group's ingress rules (all, or those covering some ports)",
  permissions: ops(
    "EC2",
    "DescribeSecurityGroups",
    "RevokeSecurityGroupIngress",
    "AuthorizeSecurityGroupIngress",
  ),
  targets: securityGroupTargets,
  params,
  outputs: ["revoked", "injectedAt"],
  idempotent: true,
  reconciles: "done when none of the rules it revokes is left; otherwise revokes what is left",
  grants: (p, where) => [
    {
      actions: ["ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"],
      resources: [
        `arn:${where.partition}:ec2:${where.region}:${where.account}:security-group/${nameOrAny(p.groupId)}`,
      ],
    },
  ],
  read: rules,
  plan: (_ctx, p, before) => ({
    current: `${p.groupId}: ${before.length} ingress rules${before.length ? ` (${before.map(describe).join(", ")})` : ""}`,
    target: `${p.groupId}: ${before.length ? `${before.length} revoked` : "nothing to revoke"}${p.ports ? ` (ports ${p.ports.join(",")})` : ""}`,
    changes: before.length > 0,
  }),
  async apply(ctx, p, now) {
    const at = injected();
    if (now.length)
      await ctx.aws
        .get(EC2Client, ctx.region)
        .send(new RevokeSecurityGroupIngressCommand({ GroupId: p.groupId, IpPermissions: now }));
    return at;
  },
  settle: (_ctx, _p, before, applied) =>
    Promise.resolve({ revoked: JSON.stringify(before), ...injectedAtOf(applied) }),
  async reconcile(ctx, p) {
    const left = await rules(ctx, p);
    return left.length === 0
      ? { decision: "done", detail: `${p.groupId} has none of the rules left` }
      : { decision: "redo", detail: `${left.length} rules of ${p.groupId} still there; revoking them` };
  },
  // fence-primary gives revoked rules back, one a call, a rule already there skipped.
  inverse: (p, out, region) =>
    out.revoked === undefined
      ? undefined
      : out.revoked === "[]"
        ? []
        : [
            {
              kind: "fence-primary",
              region,
              params: { securityGroup: { groupId: p.groupId, restore: out.revoked } },
            },
          ],
};
