import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";

/**
 * The daily golden image of the seeds: registered in the primary, an instance baked from it,
 * the image of that instance copied to the standby region.
 */
export async function buildImages(
  primary: EC2Client,
  standby: EC2Client,
  primaryRegion: string,
  subnetId: string,
): Promise<{ primaryImageId: string; standbyImageId: string }> {
  const base = await primary.send(
    new RegisterImageCommand({
      Name: "app-base",
      Architecture: "x86_64",
      RootDeviceName: "/dev/xvda",
      VirtualizationType: "hvm",
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8 } }],
    }),
  );
  const builder = await primary.send(
    new RunInstancesCommand({
      ImageId: base.ImageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: "t3.micro",
      SubnetId: subnetId,
    }),
  );
  const builderId = builder.Instances?.[0]?.InstanceId ?? "";
  const daily = await primary.send(
    new CreateImageCommand({
      InstanceId: builderId,
      Name: "app-daily",
      Description: "daily application image",
    }),
  );
  await primary.send(new TerminateInstancesCommand({ InstanceIds: [builderId] }));
  const copy = await standby.send(
    new CopyImageCommand({
      SourceImageId: daily.ImageId,
      SourceRegion: primaryRegion,
      Name: "app-daily",
      Description: "copy of the daily image",
    }),
  );
  return { primaryImageId: daily.ImageId ?? "", standbyImageId: copy.ImageId ?? "" };
}

/** The web tier: a launch template and an Auto Scaling group of `desired` instances. */
export async function buildWebTier(
  ec2: EC2Client,
  autoscaling: AutoScalingClient,
  options: { imageId: string; subnetIds: string[]; securityGroupId: string; desired: number },
): Promise<{ launchTemplateId: string; instanceIds: string[] }> {
  const lt = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "web",
      LaunchTemplateData: {
        ImageId: options.imageId,
        InstanceType: "t3.micro",
        SecurityGroupIds: [options.securityGroupId],
      },
    }),
  );
  const launchTemplateId = lt.LaunchTemplate?.LaunchTemplateId ?? "";
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: "web",
      LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: "$Latest" },
      MinSize: options.desired,
      MaxSize: 4,
      DesiredCapacity: options.desired,
      VPCZoneIdentifier: options.subnetIds.join(","),
      Tags: [{ Key: "app", Value: "web", PropagateAtLaunch: true }],
    }),
  );
  const group = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }),
  );
  const instanceIds = (group.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId ?? "");
  return { launchTemplateId, instanceIds };
}
