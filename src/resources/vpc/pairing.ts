/**
 * How VPCs pair: tagged primaries come from the tagging API's region-wide listing (shared by every
 * type), and VPCs are read by ARN with one DescribeVpcs per region and account, filtered by id
 * (a filter, unlike VpcIds, does not fail the whole call for one VPC that does not exist).
 */
import { EC2Client, paginateDescribeVpcs, type Vpc } from "@aws-sdk/client-ec2";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { ownsVpc } from "../owns.js";

/** EC2 accepts at most 200 values in one filter. */
const IDS_PER_CALL = 200;

export const vpcName = (vpc: Vpc): string =>
  vpc.Tags?.find((t) => t.Key === "Name")?.Value ?? vpc.VpcId ?? "";

async function describeGroup(aws: AwsClients, group: readonly Arn[], result: Map<string, Vpc | Error>) {
  const { region, account } = group[0] as Arn;
  const site = { service: "EC2", operation: "DescribeVpcs", region, account };
  const found = new Map<string, Vpc>();
  try {
    const client = aws.get(EC2Client, region, account);
    const filter = { Name: "vpc-id", Values: [...new Set(group.map((a) => a.resourceId))] };
    for await (const page of paginateDescribeVpcs({ client }, { Filters: [filter] }))
      for (const vpc of page.Vpcs ?? []) found.set(vpc.VpcId ?? "", vpc);
  } catch (err) {
    const mapped = mapAwsError(err, site);
    for (const arn of group) result.set(formatArn(arn), mapped);
    return;
  }
  for (const arn of group)
    result.set(
      formatArn(arn),
      found.get(arn.resourceId) ??
        new NotFoundError(
          `not found: VPC ${arn.resourceId} in ${region}`,
          site,
          "InvalidVpcID.NotFound",
          undefined,
        ),
    );
}

/** VPCs by ARN, in their own regions and accounts: one call per region and account (200 ids a call). */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, Vpc | Error>> {
  const result = new Map<string, Vpc | Error>();
  const groups = new Map<string, Arn[]>();
  for (const arn of arns) {
    const key = `${arn.region}|${arn.account}`;
    const group = groups.get(key) ?? [];
    if (group.length === 0) groups.set(key, group);
    group.push(arn);
  }
  const batches = [...groups.values()].flatMap((group) =>
    Array.from({ length: Math.ceil(group.length / IDS_PER_CALL) }, (_, i) =>
      group.slice(i * IDS_PER_CALL, (i + 1) * IDS_PER_CALL),
    ),
  );
  await Promise.all(batches.map((batch) => describeGroup(aws, batch, result)));
  return result;
}

const base = { type: "vpc", title: "VPC", owns: ownsVpc, describe, nameOf: vpcName };

export const vpcPairing: PairKind<Vpc> = { ...base, tagged: taggedThroughTaggingApi(base) };

export { ownsVpc };
