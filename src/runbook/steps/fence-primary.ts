import { ops } from "../../aws/services.js";
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
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
import { groupArn, readCapacity } from "./autoscaling-set-capacity.js";
import { nameOrAny } from "./grants.js";
import {
  healthCheckArn,
  readCheck,
  route53HealthCheckStep,
  updateCheck,
  type CheckState,
} from "./route53-health-check.js";
import { aws, healthCheckId, json, output } from "../manual.js";

const params = z
  .strictObject({
    /** The old primary's Auto Scaling group: set to 0 so it serves nothing. */
    autoScalingGroup: z
      .string()
      .optional()
      .describe("The old primary's Auto Scaling group: set to 0 instances so it serves nothing."),
    /** A security group of the old primary (its database's or load balancer's): ingress revoked. */
    securityGroup: z
      .strictObject({
        groupId: z.string().regex(/^sg-[0-9a-f]+$/, { message: "expected a security group id sg-..." }),
        /** Only rules on these ports (default: every ingress rule). */
        ports: z.array(z.number().int().min(0).max(65535)).optional(),
        /** Rules to give back (JSON of IpPermissions, as a fence recorded them): a failback unfences. */
        restore: z.string().optional(),
      })
      .optional()
      .describe(
        "A security group of the old primary (its database's or load balancer's): { groupId, ports (only rules on these ports; default every ingress rule), restore (rules a failback gives back) }; its ingress is revoked.",
      ),
    /** The old primary's Route 53 health check (id or the domain it checks): inverted, so DNS never returns to it. */
    healthCheck: z
      .string()
      .optional()
      .describe(
        "The old primary's Route 53 health check (id or the domain it checks): inverted, so DNS never returns to it.",
      ),
  })
  .refine((p) => p.autoScalingGroup ?? p.securityGroup ?? p.healthCheck, {
    message: "expected autoScalingGroup, securityGroup or healthCheck",
  });
type Params = z.infer<typeof params>;

/** What the fence found, part by part; "unreachable" where the old primary's region did not answer. */
interface Before {
  capacity?: { min: number; desired: number; max: number } | "unreachable";
  /** The ingress rules the fence revokes (or, restoring, the group's current rules). */
  rules?: IpPermission[] | "unreachable";
  healthCheck?: CheckState;
}

/** The JMESPath filter of the rules on `ports` (every rule when none), as covers() picks them. */
function portFilter(ports: unknown): string {
  if (!Array.isArray(ports) || ports.length === 0) return "";
  const on = ports.map(
    (n) =>
      `((FromPort==\`null\` || FromPort<=\`${Number(n)}\`) && (ToPort==\`null\` || ToPort>=\`${Number(n)}\`))`,
  );
  return `[?${on.join(" || ")}]`;
}

const covers = (rule: IpPermission, ports: number[] | undefined) =>
  !ports || ports.some((port) => (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535));

async function ingress(ctx: StepContext, groupId: string): Promise<IpPermission[]> {
  const out = await ctx.aws
    .get(EC2Client, ctx.region)
    .send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return out.SecurityGroups?.[0]?.IpPermissions ?? [];
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

/** One ingress rule per permission and range, so "is it still there" can be asked of each. */
export function split(rules: IpPermission[]): IpPermission[] {
  return rules.flatMap((r) => {
    const base = { IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort };
    return [
      ...(r.IpRanges ?? []).map((x) => ({ ...base, IpRanges: [x] })),
      ...(r.Ipv6Ranges ?? []).map((x) => ({ ...base, Ipv6Ranges: [x] })),
      ...(r.PrefixListIds ?? []).map((x) => ({ ...base, PrefixListIds: [x] })),
      ...(r.UserIdGroupPairs ?? []).map((x) => ({ ...base, UserIdGroupPairs: [x] })),
    ];
  });
}
export const ruleKey = (r: IpPermission) =>
  JSON.stringify([
    r.IpProtocol,
    r.FromPort,
    r.ToPort,
    r.IpRanges?.[0]?.CidrIp,
    r.Ipv6Ranges?.[0]?.CidrIpv6,
    r.PrefixListIds?.[0]?.PrefixListId,
    r.UserIdGroupPairs?.[0]?.GroupId,
  ]);

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const b: Before = {};
  if (p.autoScalingGroup) {
    const group = p.autoScalingGroup;
    b.capacity = await whereReachable(ctx, `Auto Scaling group ${group}`, () => readCapacity(ctx, group));
  }
  if (p.securityGroup) {
    const sg = p.securityGroup;
    b.rules = await whereReachable(ctx, `security group ${sg.groupId}`, async () =>
      split((await ingress(ctx, sg.groupId)).filter((r) => sg.restore !== undefined || covers(r, sg.ports))),
    );
  }
  if (p.healthCheck) b.healthCheck = await readCheck(ctx, p.healthCheck);
  return b;
}

/** What is still to do against the state `now`: each part that does not hold yet. */
function todo(p: Params, now: Before) {
  const restore = p.securityGroup?.restore
    ? split(JSON.parse(p.securityGroup.restore) as IpPermission[])
    : [];
  const present = new Set(Array.isArray(now.rules) ? now.rules.map(ruleKey) : []);
  return {
    capacity:
      typeof now.capacity === "object" && (now.capacity.min || now.capacity.desired || now.capacity.max),
    revoke: p.securityGroup?.restore ? [] : Array.isArray(now.rules) ? now.rules : [],
    give: Array.isArray(now.rules) ? restore.filter((r) => !present.has(ruleKey(r))) : [],
    check: now.healthCheck !== undefined && !now.healthCheck.inverted,
  };
}
const nothingLeft = (t: ReturnType<typeof todo>) =>
  !t.capacity && t.revoke.length === 0 && t.give.length === 0 && !t.check;

/**
 * Keeps the old primary from taking writes or traffic where it can still be reached: its Auto
 * Scaling group to 0, ingress revoked from a security group, its health check inverted. Never
 * implied by another step; outputs what it found, so a failback puts it back.
 */
export const fencePrimaryStep: StepKind<Params, Before> = {
  kind: "fence-primary",
  example: { autoScalingGroup: "web-primary", healthCheck: "web.us-east-1.example.com" },
  description:
    "fences the old primary where reachable: Auto Scaling group to 0, security-group ingress revoked, health check inverted",
  permissions: [
    ...ops("AutoScaling", "DescribeAutoScalingGroups", "UpdateAutoScalingGroup"),
    ...ops("EC2", "DescribeSecurityGroups", "RevokeSecurityGroupIngress", "AuthorizeSecurityGroupIngress"),
    ...route53HealthCheckStep.permissions,
  ],
  params,
  outputs: ["previousCapacity", "revoked", "healthCheckId", "previousInverted", "unreachable"],
  idempotent: true,
  autoScalingGroup: (p) => p.autoScalingGroup,
  reconciles:
    "done when the group is at 0, the rules are gone (or back) and the health check inverted; otherwise does what is left",
  grants(p, where) {
    const sg = p.securityGroup as { groupId?: unknown } | undefined;
    return [
      ...(p.autoScalingGroup !== undefined
        ? [
            {
              actions: ["autoscaling:UpdateAutoScalingGroup"],
              resources: [groupArn(where, nameOrAny(p.autoScalingGroup))],
            },
          ]
        : []),
      ...(sg
        ? [
            {
              actions: ["ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"],
              resources: [
                `arn:${where.partition}:ec2:${where.region}:${where.account}:security-group/${nameOrAny(sg.groupId)}`,
              ],
            },
          ]
        : []),
      ...(p.healthCheck !== undefined
        ? [
            {
              actions: ["route53:UpdateHealthCheck"],
              resources: [healthCheckArn(where.partition, p.healthCheck)],
            },
          ]
        : []),
    ];
  },
  manual: (p, region) => {
    const g = p.securityGroup as { groupId?: unknown; ports?: unknown; restore?: unknown } | undefined;
    return [
      ...(p.autoScalingGroup
        ? [
            aws("autoscaling", "update-auto-scaling-group", region, {
              "auto-scaling-group-name": p.autoScalingGroup,
              "min-size": 0,
              "desired-capacity": 0,
              "max-size": 0,
            }),
          ]
        : []),
      ...(g?.groupId && g.restore !== undefined
        ? [
            aws("ec2", "authorize-security-group-ingress", region, {
              "group-id": g.groupId,
              "ip-permissions":
                typeof g.restore === "string" ? json(JSON.parse(g.restore) as unknown) : g.restore,
            }),
          ]
        : g?.groupId
          ? [
              aws("ec2", "revoke-security-group-ingress", region, {
                "group-id": g.groupId,
                "ip-permissions": output(
                  aws("ec2", "describe-security-groups", region, {
                    "group-ids": g.groupId,
                    query: `SecurityGroups[0].IpPermissions${portFilter(g.ports)}`,
                    output: "json",
                  }),
                ),
              }),
            ]
          : []),
      ...(p.healthCheck
        ? [
            aws("route53", "update-health-check", region, {
              "health-check-id": healthCheckId(p.healthCheck, region),
              inverted: true,
            }),
          ]
        : []),
    ];
  },
  read,
  plan(_ctx, p, b) {
    const current: string[] = [];
    const target: string[] = [];
    if (p.autoScalingGroup) {
      const c = b.capacity;
      current.push(
        c === "unreachable" || !c
          ? `${p.autoScalingGroup}: ${c ?? "?"}`
          : `${p.autoScalingGroup} min ${c.min} desired ${c.desired} max ${c.max}`,
      );
      target.push(`${p.autoScalingGroup} min 0 desired 0 max 0`);
    }
    if (p.securityGroup) {
      const sg = p.securityGroup;
      const n = Array.isArray(b.rules) ? b.rules.length : "?";
      if (sg.restore) {
        current.push(`${sg.groupId}: ${b.rules === "unreachable" ? "unreachable" : `${n} ingress rules`}`);
        target.push(
          `${sg.groupId}: ${split(JSON.parse(sg.restore) as IpPermission[]).length} rules given back`,
        );
      } else {
        current.push(
          `${sg.groupId}: ${b.rules === "unreachable" ? "unreachable" : `${n} ingress rules to revoke`}`,
        );
        target.push(`${sg.groupId}: ${n} revoked${sg.ports ? ` (ports ${sg.ports.join(",")})` : ""}`);
      }
    }
    if (b.healthCheck) {
      current.push(
        `health check ${b.healthCheck.id}: ${b.healthCheck.inverted ? "inverted" : "not inverted"}`,
      );
      target.push(`health check ${b.healthCheck.id}: inverted`);
    }
    return { current: current.join("; "), target: target.join("; "), changes: !nothingLeft(todo(p, b)) };
  },
  async apply(ctx, p, now) {
    const t = todo(p, now);
    if (t.capacity && p.autoScalingGroup) {
      const group = p.autoScalingGroup;
      await whereReachable(ctx, `Auto Scaling group ${group}`, () =>
        ctx.aws.get(AutoScalingClient, ctx.region).send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            MinSize: 0,
            DesiredCapacity: 0,
            MaxSize: 0,
          }),
        ),
      );
    }
    if (p.securityGroup) {
      const { groupId } = p.securityGroup;
      const ec2 = ctx.aws.get(EC2Client, ctx.region);
      await whereReachable(ctx, `security group ${groupId}`, async () => {
        // One rule a call, so a rule already back or gone (a resumed run) is skipped, not fatal.
        for (const rule of t.give)
          try {
            await ec2.send(
              new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [rule] }),
            );
          } catch (err) {
            if (awsErrorCode(err) !== "InvalidPermission.Duplicate") throw err;
          }
        if (t.revoke.length)
          await ec2.send(
            new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: t.revoke }),
          );
      });
    }
    if (t.check && now.healthCheck && p.healthCheck)
      await updateCheck(ctx, { healthCheck: p.healthCheck, inverted: true }, now.healthCheck);
    return {};
  },
  settle(_ctx, p, b) {
    const out: Record<string, string> = {};
    const unreachable: string[] = [];
    if (b.capacity === "unreachable") unreachable.push(p.autoScalingGroup ?? "");
    else if (b.capacity) out.previousCapacity = JSON.stringify(b.capacity);
    if (b.rules === "unreachable") unreachable.push(p.securityGroup?.groupId ?? "");
    else if (b.rules && !p.securityGroup?.restore) out.revoked = JSON.stringify(b.rules);
    if (b.healthCheck) {
      out.healthCheckId = b.healthCheck.id;
      out.previousInverted = String(b.healthCheck.inverted);
    }
    out.unreachable = unreachable.join(",");
    return Promise.resolve(out);
  },
  async reconcile(ctx, p) {
    const left = todo(p, await read(ctx, p));
    if (nothingLeft(left)) return { decision: "done", detail: "the fence is in place" };
    return { decision: "redo", detail: "the fence is not (fully) in place; applying what is left" };
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
