/**
 * What ec2.prune-images reads of what uses an image, where the emulator cannot show it: the SDK is
 * stubbed with aws-sdk-client-mock and answers with responses shaped like the EC2 API reference.
 * moto 5.2 turns a Spot Fleet request's LaunchTemplateConfigs into LaunchSpecifications (the
 * template version is lost), makes every image available at once and reports no SourceImageId
 * (so no copy is ever being made), and answers no launch template version as gone.
 */
import { STEP_KINDS } from "../src/catalog.js";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeFleetsCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSnapshotsCommand,
  DescribeSpotFleetRequestsCommand,
  EC2Client,
  EC2ServiceException,
  type DescribeImagesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
  type Image,
  type LaunchTemplateVersion,
} from "@aws-sdk/client-ec2";
import { GetParametersCommand, SSMClient, type GetParametersCommandInput } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { planRunbook } from "../src/runbook/engine.js";
import { loadRunbook } from "../src/runbook/load.js";
import { mockedAws } from "./harness/mocked-aws.js";

const ec2 = mockClient(EC2Client);
const asg = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
let aws: AwsClients;

const DAY = 86_400_000;
/** DescribeImages' Image, as the API reference shows one of the account's own EBS images. */
function ownImage(imageId: string, daysOld: number, extra: Partial<Image> = {}): Image {
  return {
    ImageId: imageId,
    Name: imageId.replace(/^ami-/, "web-"),
    State: "available",
    OwnerId: "123456789012",
    CreationDate: new Date(Date.now() - daysOld * DAY).toISOString(),
    Public: false,
    ImageType: "machine",
    Architecture: "x86_64",
    RootDeviceType: "ebs",
    RootDeviceName: "/dev/xvda",
    VirtualizationType: "hvm",
    BlockDeviceMappings: [
      {
        DeviceName: "/dev/xvda",
        Ebs: { SnapshotId: `snap-${imageId.slice(4)}`, VolumeSize: 8, VolumeType: "gp3", Encrypted: true },
      },
    ],
    Tags: [{ Key: "lifecycle", Value: "web-daily" }],
    ...extra,
  };
}

/** DescribeLaunchTemplateVersions' LaunchTemplateVersion. */
const version = (n: number, imageId: string, isDefault = false): LaunchTemplateVersion => ({
  LaunchTemplateId: "lt-0abc1234def567890",
  LaunchTemplateName: "web-spot",
  VersionNumber: n,
  DefaultVersion: isDefault,
  CreateTime: new Date("2026-11-01T00:00:00Z"),
  CreatedBy: "arn:aws:iam::123456789012:role/deploy",
  LaunchTemplateData: { ImageId: imageId, InstanceType: "m5.large" },
});

const gone = (message: string) =>
  new EC2ServiceException({
    name: "InvalidLaunchTemplateId.VersionNotFound",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message,
  });

function runbookFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-usage-mock-")), "prune.yaml");
  writeFileSync(
    file,
    `version: 1
name: prune
application: web-images
region: us-east-1
config: { standby: us-west-2 }
steps:
  - id: prune
    kind: ec2.prune-images
    params: { tags: { lifecycle: web-daily }, olderThanDays: 7, keep: 1 }
`,
  );
  return file;
}

beforeAll(async () => {
  aws = await mockedAws();
});

afterEach(() => {
  ec2.reset();
  asg.reset();
  ssm.reset();
});

describe("ec2.prune-images: what uses an image (aws-sdk-client-mock, API-shaped)", () => {
  it("a Spot Fleet request's LaunchTemplateConfigs naming a version by number, and a copy being made in the other region, keep their images; a version that is gone names nothing (aws-sdk-client-mock, API-shaped: moto lacks Spot Fleet LaunchTemplateConfigs, pending copies and SourceImageId)", async () => {
    const images = [
      ownImage("ami-0newest00000000001", 1),
      ownImage("ami-0spot0000000000001", 30),
      ownImage("ami-0source00000000001", 31),
      ownImage("ami-0unused00000000001", 32),
    ];
    ec2.on(DescribeImagesCommand).callsFake(async (input: DescribeImagesCommandInput, getClient) => {
      const region = await getClient().config.region();
      const pending = input.Filters?.some((f) => f.Name === "state" && f.Values?.includes("pending"));
      if (!pending) return { Images: region === "us-east-1" ? images : [] };
      // The standby is copying the source: CopyImage reads it until the copy is available.
      return {
        Images:
          region === "us-west-2"
            ? [
                ownImage("ami-0copy000000000001", 0, {
                  State: "pending",
                  SourceImageId: "ami-0source00000000001",
                  SourceImageRegion: "us-east-1",
                  Tags: [],
                }),
              ]
            : [],
      };
    });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(DescribeFleetsCommand).resolves({ Fleets: [] });
    ec2.on(DescribeSpotFleetRequestsCommand).resolves({
      SpotFleetRequestConfigs: [
        {
          SpotFleetRequestId: "sfr-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
          SpotFleetRequestState: "active",
          ActivityStatus: "fulfilled",
          CreateTime: new Date("2026-11-02T00:00:00Z"),
          SpotFleetRequestConfig: {
            IamFleetRole: "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
            TargetCapacity: 2,
            AllocationStrategy: "capacityOptimized",
            LaunchTemplateConfigs: [
              {
                LaunchTemplateSpecification: { LaunchTemplateId: "lt-0abc1234def567890", Version: "3" },
                Overrides: [{ InstanceType: "m5.large" }, { InstanceType: "m5a.large" }],
              },
              // A version deleted since: it launches nothing.
              { LaunchTemplateSpecification: { LaunchTemplateId: "lt-0abc1234def567890", Version: "9" } },
            ],
          },
        },
        {
          // Cancelled: it launches nothing more (its instances, if any, are read as instances).
          SpotFleetRequestId: "sfr-0ffffffff-0000-0000-0000-000000000000",
          SpotFleetRequestState: "cancelled",
          SpotFleetRequestConfig: {
            IamFleetRole: "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role",
            TargetCapacity: 1,
            LaunchSpecifications: [{ ImageId: "ami-0unused00000000001", InstanceType: "m5.large" }],
          },
        },
      ],
    });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake((input: DescribeLaunchTemplateVersionsCommandInput) => {
        const asked = input.Versions ?? [];
        if (!input.LaunchTemplateId)
          return {
            LaunchTemplateVersions: [
              version(1, "ami-0base00000000000001", true),
              version(4, "ami-0base00000000000001"),
            ],
          };
        if (asked.includes("9")) throw gone("The specified launch template version does not exist.");
        return { LaunchTemplateVersions: asked.includes("3") ? [version(3, "ami-0spot0000000000001")] : [] };
      });
    ec2.on(DescribeImageAttributeCommand).callsFake((input: { ImageId: string }) => ({
      ImageId: input.ImageId,
      LaunchPermissions: [],
    }));
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    asg.on(DescribeLaunchConfigurationsCommand).resolves({ LaunchConfigurations: [] });
    ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => ({
      Parameters: [],
      InvalidParameters: input.Names ?? [],
    }));

    const [step] = await planRunbook(aws, loadRunbook(STEP_KINDS, runbookFile()));
    const plan = step?.plan;
    if (!plan || "error" in plan) throw new Error(`expected a plan, found ${JSON.stringify(plan)}`);
    expect(plan.current).toBe(
      "4 images tagged lifecycle=web-daily: 3 kept (2 in use): ami-0newest00000000001 (one of the newest 1); " +
        "ami-0spot0000000000001 (in use by Spot Fleet request sfr-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d (launch template web-spot version 3)); " +
        "ami-0source00000000001 (in use by copy ami-0copy000000000001 being made in us-west-2)",
    );
    expect(plan.target).toBe(
      "deregister ami-0unused00000000001 (web-0unused00000000001, 32 days old, snapshots snap-0unused00000000001)",
    );
    // Versions 3 and 9 asked for together; 9 being gone, each on its own.
    expect(
      ec2
        .commandCalls(DescribeLaunchTemplateVersionsCommand)
        .map((c) => c.args[0].input)
        .filter((i) => i.LaunchTemplateId)
        .map((i) => i.Versions),
    ).toEqual([["3", "9"], ["3"], ["9"]]);
    // Copies being made were asked about in both regions the runbook names.
    expect(
      await Promise.all(
        ec2
          .commandCalls(DescribeImagesCommand)
          .filter((c) => c.args[0].input.Filters?.some((f) => f.Name === "state"))
          .map(async (c) => (c.thisValue as EC2Client).config.region()),
      ),
    ).toEqual(expect.arrayContaining(["us-east-1", "us-west-2"]));
  });
});
