import {
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  ModifyLaunchTemplateCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";

/**
 * The daily golden image of a warm-standby web tier: registered in the primary, an instance baked from it,
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

/**
 * The usual standby launch: the web launch template of `region` reads its image from the SSM
 * parameter /app/latest-ami-id (resolve:ssm:), which starts at `imageId`. A new default version
 * of the template; the Auto Scaling group launches $Latest, which is that version too.
 */
export async function launchFromLatestImageParameter(
  ec2: EC2Client,
  ssm: SSMClient,
  imageId: string,
): Promise<{ version: number }> {
  await ssm.send(
    new PutParameterCommand({
      Name: "/app/latest-ami-id",
      Value: imageId,
      Type: "String",
      DataType: "aws:ec2:image",
      Overwrite: true,
    }),
  );
  const made = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: "web",
      SourceVersion: "$Latest",
      LaunchTemplateData: { ImageId: "resolve:ssm:/app/latest-ami-id" },
    }),
  );
  const version = made.LaunchTemplateVersion?.VersionNumber ?? 0;
  await ec2.send(
    new ModifyLaunchTemplateCommand({ LaunchTemplateName: "web", DefaultVersion: String(version) }),
  );
  return { version };
}

/**
 * Daily images of earlier days, as the lifecycle runbook (examples/images/daily.yaml) would have
 * left them: an image of `instanceId` in the primary tagged app=web, lifecycle=web-daily, and its
 * copy in the standby. Made now: the caller backdates them. Against the emulator, through the
 * harness's proxy (test/harness/moto-workarounds.ts), which tags snapshots as AWS does.
 */
export async function buildDailyImages(
  primary: EC2Client,
  standby: EC2Client,
  primaryRegion: string,
  instanceId: string,
  count: number,
): Promise<{ primaryImageId: string; standbyImageId: string }[]> {
  const tags = [
    { Key: "app", Value: "web" },
    { Key: "lifecycle", Value: "web-daily" },
  ];
  const made: { primaryImageId: string; standbyImageId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const image = await primary.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: `web-daily-earlier-${i + 1}`,
        NoReboot: true,
        TagSpecifications: [
          { ResourceType: "image", Tags: tags },
          { ResourceType: "snapshot", Tags: tags },
        ],
      }),
    );
    const copy = await standby.send(
      new CopyImageCommand({
        SourceImageId: image.ImageId,
        SourceRegion: primaryRegion,
        Name: `web-daily-earlier-${i + 1}`,
        Encrypted: true,
        TagSpecifications: [
          {
            ResourceType: "image",
            Tags: [
              ...tags,
              { Key: "drctl:source-image-id", Value: image.ImageId ?? "" },
              { Key: "drctl:source-region", Value: primaryRegion },
            ],
          },
          { ResourceType: "snapshot", Tags: tags },
        ],
      }),
    );
    made.push({ primaryImageId: image.ImageId ?? "", standbyImageId: copy.ImageId ?? "" });
  }
  return made;
}
