import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";

export interface Network {
  vpcId: string;
  vpcCidr: string;
  subnetIds: string[];
  /** The application instances' group; each load balancer's group sends traffic to it. */
  appSecurityGroupId: string;
}

const tag = (resource: "vpc" | "subnet" | "security-group", name: string) => [
  { ResourceType: resource, Tags: [{ Key: "Name", Value: name }] },
];

/**
 * A VPC with subnets in two zones and the application security group (named `appGroupName`:
 * each region's may have its own name, as when teams suffix the region).
 */
export async function buildNetwork(
  ec2: EC2Client,
  region: string,
  cidrPrefix: string,
  appGroupName = "app",
): Promise<Network> {
  const vpcCidr = `${cidrPrefix}.0.0/16`;
  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: vpcCidr,
      AmazonProvidedIpv6CidrBlock: true,
      TagSpecifications: tag("vpc", "drctl-demo"),
    }),
  );
  const vpcId = vpc.Vpc?.VpcId ?? "";
  const subnetIds: string[] = [];
  for (const [i, zone] of ["a", "b"].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `${cidrPrefix}.${i + 1}.0/24`,
        AvailabilityZone: `${region}${zone}`,
        TagSpecifications: tag("subnet", `drctl-demo-${zone}`),
      }),
    );
    subnetIds.push(subnet.Subnet?.SubnetId ?? "");
  }
  const app = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: appGroupName,
      Description: "application instances",
      VpcId: vpcId,
      TagSpecifications: tag("security-group", appGroupName),
    }),
  );
  const appSecurityGroupId = app.GroupId ?? "";
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: appSecurityGroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8081, IpRanges: [{ CidrIp: vpcCidr }] }],
    }),
  );
  return { vpcId, vpcCidr, subnetIds, appSecurityGroupId };
}
