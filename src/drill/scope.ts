import { ops } from "../aws/services.js";
/**
 * What a drill's fault may touch: resources of the drilled application (drctl.yaml's
 * `applications:` tags or ARNs, the test freshness and the preflight use), in its primary region,
 * never one that another application claims, never one of an application whose lock another
 * run holds. `fault.scope: standby` lets it act in the standby region too; `fault.scope: any`
 * lets it act anywhere and on resources no application claims (a command, a shared resource), with
 * a reason that is journaled and printed. The targets are read from AWS (their ARNs and tags)
 * before anything changes; the judgement is a pure function of what was read.
 */
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient, GetExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { ListTagsForResourceCommand, Route53Client } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../aws/client-factory.js";
import { belongsTo, type Application } from "../config/applications.js";
import { Secrets } from "../runbook/secrets.js";
import type { StepContext } from "../runbook/step.js";
import { readCheck } from "../runbook/steps/route53-health-check.js";
import type { DrillFile } from "./schema.js";

/** A resource a fault acts on, as read from AWS. */
export interface FaultTarget {
  /** How the drill file names it (a group name, an instance id), for messages. */
  name: string;
  /** Its ARN; its region field is empty for a global resource (a Route 53 health check). */
  arn: string;
  tags: Record<string, string>;
}

export type FaultScope = "primary" | "standby" | "any";

const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

const tagsOf = (list: { Key?: string | undefined; Value?: string | undefined }[] | undefined) =>
  Object.fromEntries((list ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

const str = (v: unknown): string => (typeof v === "string" ? v : "");

type Reader = (aws: AwsClients, region: string, params: Record<string, unknown>) => Promise<FaultTarget[]>;

async function autoScalingGroups(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const out = await aws
    .get(AutoScalingClient, region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [str(p.group)] }));
  return (out.AutoScalingGroups ?? []).map((g) => ({
    name: `Auto Scaling group ${g.AutoScalingGroupName ?? str(p.group)}`,
    arn: g.AutoScalingGroupARN ?? "",
    tags: tagsOf(g.Tags),
  }));
}

async function instances(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const ids = Array.isArray(p.instances) ? p.instances.map(str) : undefined;
  const tags = (p.tags ?? {}) as Record<string, unknown>;
  const out = await aws
    .get(EC2Client, region)
    .send(
      new DescribeInstancesCommand(
        ids
          ? { InstanceIds: ids }
          : { Filters: Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [str(v)] })) },
      ),
    );
  return (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? [])
      .filter((i) => !["terminated", "shutting-down"].includes(i.State?.Name ?? ""))
      .map((i) => ({
        name: `instance ${i.InstanceId ?? ""}`,
        arn: `arn:${partitionOf(region)}:ec2:${region}:${r.OwnerId ?? ""}:instance/${i.InstanceId ?? ""}`,
        tags: tagsOf(i.Tags),
      })),
  );
}

async function healthCheck(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const ctx: StepContext = {
    aws,
    region,
    log: () => undefined,
    signal: AbortSignal.timeout(60_000),
    secrets: new Secrets(),
    idempotencyKey: "drill-scope",
  };
  const { id } = await readCheck(ctx, str(p.healthCheck));
  const out = await aws
    .get(Route53Client, "us-east-1")
    .send(new ListTagsForResourceCommand({ ResourceType: "healthcheck", ResourceId: id }));
  return [
    {
      name: `health check ${id}`,
      arn: `arn:${partitionOf(region)}:route53:::healthcheck/${id}`,
      tags: tagsOf(out.ResourceTagSet?.Tags),
    },
  ];
}

async function securityGroup(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const out = await aws
    .get(EC2Client, region)
    .send(new DescribeSecurityGroupsCommand({ GroupIds: [str(p.groupId)] }));
  return (out.SecurityGroups ?? []).map((g) => ({
    name: `security group ${g.GroupId ?? ""}`,
    arn: `arn:${partitionOf(region)}:ec2:${region}:${g.OwnerId ?? ""}:security-group/${g.GroupId ?? ""}`,
    tags: tagsOf(g.Tags),
  }));
}

async function targetGroup(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const elb = aws.get(ElasticLoadBalancingV2Client, region);
  const ref = str(p.targetGroup);
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

/**
 * An FIS template's targets: the resources it names by ARN, and those it selects by tags (then
 * the tags stand for every resource selected; they belong to an application whose tags they
 * include). A target selected otherwise (filters, parameters) cannot be told: undefined.
 */
async function fisTemplate(aws: AwsClients, region: string, p: Record<string, unknown>) {
  const out = await aws
    .get(FisClient, region)
    .send(new GetExperimentTemplateCommand({ id: str(p.template) }));
  const targets = Object.entries(out.experimentTemplate?.targets ?? {});
  const read: FaultTarget[] = [];
  for (const [key, t] of targets) {
    if (t.resourceArns?.length)
      read.push(...t.resourceArns.map((arn) => ({ name: `${key} ${arn}`, arn, tags: {} })));
    else if (t.resourceTags && Object.keys(t.resourceTags).length > 0)
      read.push({
        name: `${key} (${t.resourceType ?? "resources"} tagged ${Object.entries(t.resourceTags)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")})`,
        arn: "",
        tags: t.resourceTags,
      });
    else
      throw new UntoldTargets(
        `the FIS template's target ${key} selects its resources otherwise than by ARN or tags`,
      );
  }
  return read;
}

/** The fault acts on something drctl cannot read (a command, an FIS target chosen by filters). */
export class UntoldTargets extends Error {}

/** The IAM actions that read what a fault acts on (beyond the fault kinds' own). */
export const DRILL_SCOPE_PERMISSIONS = [
  ...ops("AutoScaling", "DescribeAutoScalingGroups"),
  ...ops("EC2", "DescribeInstances", "DescribeSecurityGroups"),
  ...ops("Route53", "GetHealthCheck", "ListHealthChecks", "ListTagsForResource"),
  ...ops("ELBv2", "DescribeTargetGroups", "DescribeTags"),
  ...ops("Fis", "GetExperimentTemplate"),
];

const READERS: Record<string, Reader> = {
  "fault.autoscaling-zero": autoScalingGroups,
  "fault.ec2-stop": instances,
  "fault.route53-health-check": healthCheck,
  "fault.security-group-deny": securityGroup,
  "fault.target-group-health-path": targetGroup,
  "fault.fis-experiment": fisTemplate,
};

/**
 * The resources the fault would act on, read from AWS; undefined when drctl cannot tell (a
 * command's fault, an FIS target chosen by filters), with why.
 */
export async function faultTargets(
  aws: AwsClients,
  drill: DrillFile,
): Promise<{ targets: FaultTarget[] } | { untold: string }> {
  const read = READERS[drill.fault.kind];
  if (!read) return { untold: `drctl cannot tell what a ${drill.fault.kind} acts on` };
  try {
    return { targets: await read(aws, drill.fault.region ?? drill.regions.primary, drill.fault.params) };
  } catch (err) {
    if (err instanceof UntoldTargets) return { untold: err.message };
    throw err;
  }
}

export interface ScopeCheck {
  application: string;
  regions: { primary: string; standby: string };
  /** Where the fault's step acts. */
  faultRegion: string;
  scope: FaultScope;
  applications: readonly Application[];
  targets: { targets: FaultTarget[] } | { untold: string };
  /** The run holding each other application's lock, described ("run run-1 by pid 42 on host ..."). */
  locks: ReadonlyMap<string, string>;
}

const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";

/** The regions a fault of this scope may act in (undefined: any). */
function allowedRegions(c: ScopeCheck): string[] | undefined {
  if (c.scope === "any") return undefined;
  return c.scope === "standby" ? [c.regions.primary, c.regions.standby] : [c.regions.primary];
}

/** How the drilled application is told apart, for a message. */
function howClaimed(c: ScopeCheck): string {
  const app = c.applications.find((a) => a.name === c.application);
  if (!app)
    return `application ${c.application} is not under applications: in drctl.yaml, so no resource is known to be its own`;
  const by = [
    ...(app.tags && Object.keys(app.tags).length
      ? [
          `tags ${Object.entries(app.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}`,
        ]
      : []),
    ...(app.arns?.length ? [`ARNs ${app.arns.join(", ")}`] : []),
  ];
  return `${c.application}'s resources are those with ${by.join(" or ") || "nothing (no tags or arns)"}`;
}

/**
 * Why the fault must not be injected (empty: it may). Every target is judged: the region it is
 * in, the applications that claim it, and the locks of those that are not the drilled one.
 */
export function scopeProblems(c: ScopeCheck): string[] {
  const problems: string[] = [];
  const allowed = allowedRegions(c);
  const outside = (region: string) => allowed !== undefined && region !== "" && !allowed.includes(region);
  const scopeHint =
    c.scope === "primary"
      ? "fault.scope: standby (or any) with a reason lets a drill act elsewhere"
      : "fault.scope: any with a reason lets a drill act anywhere";
  if (outside(c.faultRegion))
    problems.push(
      `the fault acts in ${c.faultRegion}, not in ${c.application}'s primary region ${c.regions.primary}; ${scopeHint}`,
    );
  if ("untold" in c.targets) {
    if (c.scope !== "any")
      problems.push(
        `${c.targets.untold}, so nothing shows it touches only ${c.application}; fault.scope: any with a reason says it does`,
      );
    return problems;
  }
  for (const t of c.targets.targets) {
    const owners = c.applications.filter((a) => belongsTo(a, t.arn, t.tags)).map((a) => a.name);
    const others = owners.filter((o) => o !== c.application);
    const held = others
      .filter((o) => c.locks.has(o))
      .map((o) => `; ${o}'s lock is held by ${c.locks.get(o) ?? "another run"}`)
      .join("");
    const what = `${t.name}${t.arn && !t.name.includes(t.arn) ? ` (${t.arn})` : ""}`;
    if (owners.length > 1)
      problems.push(
        `${what} belongs to applications ${owners.join(" and ")}: a fault on it touches both${held}`,
      );
    else if (others.length === 1)
      problems.push(`${what} belongs to application ${others[0] ?? ""}, not to ${c.application}${held}`);
    else if (owners.length === 0 && c.scope !== "any")
      problems.push(`${what} is not a resource of ${c.application}: ${howClaimed(c)}`);
    const region = regionOfArn(t.arn);
    if (outside(region))
      problems.push(
        `${what} is in ${region}, not in ${c.application}'s primary region ${c.regions.primary}; ${scopeHint}`,
      );
  }
  return problems;
}
