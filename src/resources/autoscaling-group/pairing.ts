/**
 * How Auto Scaling groups pair. The tagging API does not return them, so a region's DR tags are
 * listed with Auto Scaling's own DescribeTags (only the three DR keys, paged), and the groups tagged
 * as primaries are described by name, 100 a call. Groups are addressed by name in their own region
 * and account: an ARN's id part changes when a group is recreated, its name does not.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  paginateDescribeTags,
  type AutoScalingGroup,
} from "@aws-sdk/client-auto-scaling";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { PairKind, Tagged } from "../../pairs/kind.js";
import { TAG } from "../../pairs/tags.js";
import { isTaggedPrimary } from "../../pairs/tagging-api.js";
import { ownsGroup, groupNameOf } from "../owns.js";

const NAMES_PER_DESCRIBE = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

/** The DR tags of every group of a region that has any, by group name. */
async function drTagsByGroup(asg: AutoScalingClient): Promise<Map<string, Record<string, string>>> {
  const byGroup = new Map<string, Record<string, string>>();
  const filter = { Name: "key", Values: [TAG.enable, TAG.isPrimary, TAG.secondaryArn] };
  for await (const page of paginateDescribeTags({ client: asg, pageSize: 100 }, { Filters: [filter] }))
    for (const tag of page.Tags ?? []) {
      if (tag.ResourceType !== "auto-scaling-group" || !tag.ResourceId || !tag.Key) continue;
      const tags = byGroup.get(tag.ResourceId) ?? {};
      tags[tag.Key] = tag.Value ?? "";
      byGroup.set(tag.ResourceId, tags);
    }
  return byGroup;
}

/** Groups by name, 100 a call; an unknown name is simply absent from AWS's answer. */
async function describeByName(asg: AutoScalingClient, names: readonly string[]) {
  const found = new Map<string, AutoScalingGroup>();
  await Promise.all(
    chunks(names, NAMES_PER_DESCRIBE).map(async (batch) => {
      const out = await asg.send(
        new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: batch,
          MaxRecords: NAMES_PER_DESCRIBE,
        }),
      );
      for (const g of out.AutoScalingGroups ?? []) found.set(g.AutoScalingGroupName ?? "", g);
    }),
  );
  return found;
}

async function tagged(aws: AwsClients, region: string) {
  const asg = aws.get(AutoScalingClient, region);
  try {
    const primaries = [...(await drTagsByGroup(asg)).entries()].filter(([, tags]) => isTaggedPrimary(tags));
    if (primaries.length === 0) return { found: [], findings: [] };
    const groups = await describeByName(
      asg,
      primaries.map(([name]) => name),
    );
    const found = primaries.flatMap(([name, tags]): Tagged<AutoScalingGroup>[] => {
      const group = groups.get(name);
      return group ? [{ arn: group.AutoScalingGroupARN ?? "", name, resource: group, tags }] : [];
    });
    return { found, findings: [] };
  } catch (err) {
    throw mapAwsError(err, {
      service: "AutoScaling",
      operation: "DescribeTags/DescribeAutoScalingGroups",
      region,
    });
  }
}

/** Groups by ARN, read by name in their own region and account, 100 names a call. */
async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, AutoScalingGroup | Error>> {
  const result = new Map<string, AutoScalingGroup | Error>();
  const where = new Map<string, Arn[]>();
  for (const arn of arns)
    where.set(`${arn.region}|${arn.account}`, [...(where.get(`${arn.region}|${arn.account}`) ?? []), arn]);
  await Promise.all(
    [...where.values()].map(async (group) => {
      const { region, account } = group[0] as Arn;
      const site = { service: "AutoScaling", operation: "DescribeAutoScalingGroups", region, account };
      try {
        const found = await describeByName(
          aws.get(AutoScalingClient, region, account),
          group.map(groupNameOf),
        );
        for (const arn of group)
          result.set(
            formatArn(arn),
            found.get(groupNameOf(arn)) ??
              new NotFoundError(
                `not found: Auto Scaling group ${groupNameOf(arn)} in ${region}`,
                site,
                "NotFound",
                undefined,
              ),
          );
      } catch (err) {
        const mapped = mapAwsError(err, site);
        for (const arn of group) result.set(formatArn(arn), mapped);
      }
    }),
  );
  return result;
}

export const autoscalingGroupPairing: PairKind<AutoScalingGroup> = {
  type: "autoscaling-group",
  title: "Auto Scaling group",
  owns: ownsGroup,
  tagged,
  describe,
  nameOf: (g) => g.AutoScalingGroupName ?? "",
};

export { ownsGroup, groupNameOf };
