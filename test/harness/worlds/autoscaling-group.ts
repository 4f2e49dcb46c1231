/**
 * Auto Scaling group pairs launching from their own region's launch template, in a network of
 * their own region; a planted difference. The standby region's vCPU quota is read from Service
 * Quotas, which the emulator lacks: a test that wants no finding on the identical twins answers it
 * (see the scan-every-type test), else each pair carries an information finding that it could
 * not be checked.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  type CreateAutoScalingGroupCommandInput,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { buildNetwork } from "../../../demo/world/network.js";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { regionTag } from "../../../demo/world/options.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export const AMI = "ami-12c6146b";

/** A launch template of t3.micro instances, named after the region. */
async function launchTemplate(aws: AwsClients, region: string): Promise<string> {
  const name = `web-lt-${regionTag(region)}`;
  await aws.get(EC2Client, region).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: AMI, InstanceType: "t3.micro" },
    }),
  );
  return name;
}

/** A group of 0..4 from `template` in `subnets`, `over` changed; its ARN. */
export async function createGroup(
  aws: AwsClients,
  region: string,
  name: string,
  where: { template: string; subnets: string[] },
  over: Partial<CreateAutoScalingGroupCommandInput> = {},
): Promise<string> {
  const client = aws.get(AutoScalingClient, region);
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      HealthCheckGracePeriod: 300,
      VPCZoneIdentifier: where.subnets.join(","),
      LaunchTemplate: { LaunchTemplateName: where.template, Version: "$Latest" },
      ...over,
    }),
  );
  const out = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return required(out.AutoScalingGroups?.[0]?.AutoScalingGroupARN, `ARN for group ${name}`);
}

async function side(aws: AwsClients, region: string, cidrPrefix: string) {
  const network = await buildNetwork(aws.get(EC2Client, region), region, cidrPrefix);
  return { template: await launchTemplate(aws, region), subnets: network.subnetIds };
}

export async function buildAutoscalingGroupPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const primary = await side(aws, r.primaryRegion, "10.30");
  const standby = await side(aws, r.standbyRegion, "10.40");
  const pair = async (
    names: { primary: string; standby: string },
    change: Partial<CreateAutoScalingGroupCommandInput>,
  ) => {
    const standbyArn = await createGroup(aws, r.standbyRegion, names.standby, standby, change);
    const primaryArn = await createGroup(aws, r.primaryRegion, names.primary, primary, {
      DesiredCapacity: 1,
      Tags: drTagList(standbyArn),
    });
    return { name: names.primary, primaryArn, standbyArn };
  };
  const identical = [await pair(twinNames("role", "web", r), {})];
  const planted = [
    {
      ...(await pair(twinNames("region-code", "workers", r), { MaxSize: 3 })),
      ruleId: "autoscaling-group.max-size",
    },
  ];
  return { type: "autoscaling-group", identical, planted };
}
