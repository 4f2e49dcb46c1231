/** VPC pairs with other CIDR blocks per region: twins alike in meaning, and a planted difference. */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** A /16 VPC named `name` with a /24 subnet in zones a and b; its ARN. */
export async function createVpc(
  aws: AwsClients,
  region: string,
  name: string,
  options: { base: string; dnsHostnames: boolean; tags?: { Key: string; Value: string }[] },
): Promise<string> {
  const ec2 = aws.get(EC2Client, region);
  const out = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: `${options.base}.0.0/16`,
      TagSpecifications: [
        { ResourceType: "vpc", Tags: [{ Key: "Name", Value: name }, ...(options.tags ?? [])] },
      ],
    }),
  );
  const vpcId = required(out.Vpc?.VpcId, `id for VPC ${name}`);
  if (options.dnsHostnames)
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  for (const [i, zone] of ["a", "b"].entries())
    await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `${options.base}.${i}.0/24`,
        AvailabilityZone: `${region}${zone}`,
      }),
    );
  const account = required(out.Vpc?.OwnerId, `owner of VPC ${name}`);
  return `arn:aws:ec2:${region}:${account}:vpc/${vpcId}`;
}

export async function buildVpcPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const pair = async (
    names: { primary: string; standby: string },
    bases: [string, string],
    standbyDns: boolean,
  ) => {
    const standbyArn = await createVpc(aws, r.standbyRegion, names.standby, {
      base: bases[1],
      dnsHostnames: standbyDns,
    });
    const primaryArn = await createVpc(aws, r.primaryRegion, names.primary, {
      base: bases[0],
      dnsHostnames: true,
      tags: drTagList(standbyArn),
    });
    return { name: names.primary, primaryArn, standbyArn };
  };
  const identical = [await pair(twinNames("region-code", "core-net", r), ["10.50", "10.60"], true)];
  const planted = [
    { ...(await pair(twinNames("casing", "edge", r), ["10.70", "10.80"], false)), ruleId: "vpc.dns" },
  ];
  return { type: "vpc", identical, planted };
}
