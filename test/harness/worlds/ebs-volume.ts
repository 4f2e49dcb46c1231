/** EBS volume pairs in other zones with other KMS key ARNs: twins alike in meaning, and a planted difference. */
import { CreateVolumeCommand, EC2Client, type CreateVolumeCommandInput, type Tag } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import {
  callerAccount,
  drTagList,
  required,
  twinNames,
  type BuiltPairs,
  type PairRegions,
} from "./common.js";

/** What a volume is, beside where it is and what it is called. */
export type VolumeShape = Omit<CreateVolumeCommandInput, "AvailabilityZone" | "TagSpecifications">;

export const VOLUME: VolumeShape = {
  VolumeType: "gp3",
  Size: 100,
  Iops: 4000,
  Throughput: 250,
  Encrypted: true,
};

/** Where a volume goes: its account (for the KMS key's and the volume's ARNs), region and zone letter. */
export interface VolumePlace {
  account: string;
  region: string;
  zone: string;
}

/** A volume named `name` (its Name tag) shaped `shape`, encrypted with a key of its region when asked. */
export async function createVolume(
  aws: AwsClients,
  at: VolumePlace,
  name: string,
  shape: VolumeShape,
  tags: Tag[] = [],
): Promise<{ id: string; arn: string }> {
  const key = `arn:aws:kms:${at.region}:${at.account}:key/0f0e0d0c-volume-key`;
  const out = await aws.get(EC2Client, at.region).send(
    new CreateVolumeCommand({
      ...(shape.Encrypted ? { KmsKeyId: key } : {}),
      ...shape,
      AvailabilityZone: `${at.region}${at.zone}`,
      TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "Name", Value: name }, ...tags] }],
    }),
  );
  const id = required(out.VolumeId, `id for volume ${name}`);
  return { id, arn: volumeArn(at, id) };
}

export const volumeArn = (at: { account: string; region: string }, id: string) =>
  `arn:aws:ec2:${at.region}:${at.account}:volume/${id}`;

/** The standby in zone b shaped `standby`, then its tagged primary in zone a shaped `primary`. */
export async function createVolumePair(
  aws: AwsClients,
  r: PairRegions & { account: string },
  names: { primary: string; standby: string },
  shapes: { primary?: VolumeShape; standby?: VolumeShape } = {},
) {
  const { account } = r;
  const standby = await createVolume(
    aws,
    { account, region: r.standbyRegion, zone: "b" },
    names.standby,
    shapes.standby ?? VOLUME,
  );
  const primary = await createVolume(
    aws,
    { account, region: r.primaryRegion, zone: "a" },
    names.primary,
    shapes.primary ?? VOLUME,
    drTagList(standby.arn),
  );
  return { name: names.primary, primaryArn: primary.arn, standbyArn: standby.arn };
}

export async function buildEbsVolumePairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const at = { ...r, account: await callerAccount(aws) };
  const identical = [await createVolumePair(aws, at, twinNames("region-code", "orders-data", r))];
  const planted = [
    {
      ...(await createVolumePair(aws, at, twinNames("casing", "scratch", r), {
        standby: { ...VOLUME, Size: 50 },
      })),
      ruleId: "ebs-volume.size",
    },
  ];
  return { type: "ebs-volume", identical, planted };
}
