/**
 * EBS volume pairs on the emulator: primaries in us-east-1, standbys in eu-west-1 named otherwise.
 * One pair is identical in meaning (another KMS key ARN, another zone); each other pair has one
 * planted difference; two primaries name a standby of another type and one that does not exist.
 */
import { CreateVpcCommand, DeleteVolumeCommand, EC2Client, type Tag } from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { drTagList as drTags } from "./harness/worlds/common.js";
import {
  createVolume,
  VOLUME as SHAPE,
  volumeArn,
  type VolumeShape as Shape,
} from "./harness/worlds/ebs-volume.js";

const env = useEmulator();
const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const ACCOUNT = "123456789012";
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;

const volume = async (region: string, zone: string, name: string, shape: Shape, tags: Tag[] = []) =>
  (await createVolume(aws, { account: ACCOUNT, region, zone }, name, shape, tags)).id;

const arnOf = (region: string, id: string) => volumeArn({ account: ACCOUNT, region }, id);

/** Each pair: its name, what differs on each side, and the rule that must report it (none for "same"). */
const PAIRS: { name: string; primary?: Shape; standby?: Shape; rule?: string }[] = [
  { name: "same" },
  {
    name: "type",
    standby: { VolumeType: "gp2", Size: 100, Encrypted: true },
    rule: "ebs-volume.volume-type",
  },
  { name: "size", standby: { ...SHAPE, Size: 50 }, rule: "ebs-volume.size" },
  {
    name: "iops",
    primary: { VolumeType: "io2", Size: 100, Iops: 8000, Encrypted: true },
    standby: { VolumeType: "io2", Size: 100, Iops: 3000, Encrypted: true },
    rule: "ebs-volume.iops",
  },
  { name: "throughput", standby: { ...SHAPE, Throughput: 125 }, rule: "ebs-volume.throughput" },
  { name: "encryption", standby: { ...SHAPE, Encrypted: false }, rule: "ebs-volume.encryption" },
  {
    name: "multiattach",
    primary: { VolumeType: "io2", Size: 100, Iops: 8000, MultiAttachEnabled: true },
    standby: { VolumeType: "io2", Size: 100, Iops: 8000, MultiAttachEnabled: false },
    rule: "ebs-volume.multi-attach",
  },
];

const pairOf = (name: string) => result.pairs.find((p) => p.name === `${name}-use1`);
const ruleIdsOf = (name: string) => pairOf(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

beforeAll(async () => {
  aws = await env.clients();
  for (const pair of PAIRS) {
    const standby = await volume(STANDBY, "b", `${pair.name}-euw1`, pair.standby ?? SHAPE);
    await volume(PRIMARY, "a", `${pair.name}-use1`, pair.primary ?? SHAPE, drTags(arnOf(STANDBY, standby)));
  }
  const vpc = await aws.get(EC2Client, STANDBY).send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
  await volume(
    PRIMARY,
    "a",
    "vpc-use1",
    SHAPE,
    drTags(`arn:aws:ec2:${STANDBY}:${ACCOUNT}:vpc/${vpc.Vpc?.VpcId ?? ""}`),
  );
  // A standby that existed once: its id is a real volume id, the volume is gone.
  const gone = await volume(STANDBY, "a", "ghost-euw1", SHAPE);
  await aws.get(EC2Client, STANDBY).send(new DeleteVolumeCommand({ VolumeId: gone }));
  await volume(PRIMARY, "a", "ghost-use1", SHAPE, drTags(arnOf(STANDBY, gone)));

  const recording = recordAwsCalls();
  try {
    result = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: [PRIMARY],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recording.stop();
  }
  calls = recording.calls;
});

describe("EBS volume pairs", () => {
  it("finds nothing on a pair identical in meaning (other name, zone, region and KMS key ARN)", () => {
    expect(pairOf("same")?.secondaryArn).toMatch(/^arn:aws:ec2:eu-west-1:\d{12}:volume\/vol-/);
    expect(pairOf("same")?.findings).toEqual([]);
    expect(pairOf("same")?.status).toBe("pass");
  });

  it("reports each planted difference once, under its own rule only", () => {
    for (const pair of PAIRS.filter((p) => p.rule))
      expect([pair.name, ruleIdsOf(pair.name)]).toEqual([pair.name, [pair.rule]]);
  });

  it("says both values in words", () => {
    const finding = (name: string) => pairOf(name)?.findings[0];
    expect(finding("type")?.message).toBe("the standby volume is gp2, the primary gp3");
    expect(finding("size")?.message).toBe("the standby volume has 50 GiB, the primary 100 GiB");
    expect(finding("iops")?.message).toBe(
      "the standby volume has 3000 provisioned IOPS, the primary 8000 provisioned IOPS",
    );
    expect(finding("encryption")?.message).toBe("encryption is off on the standby volume, on on the primary");
  });

  it("reports a standby ARN of another type and one that does not exist, and still scans the rest", () => {
    expect(pairOf("vpc")?.findings.map((f) => [f.ruleId, f.resourceType])).toEqual([
      ["pair.secondary-other-kind", "pair"],
    ]);
    expect(pairOf("ghost")?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [...PAIRS.map((p) => p.name), "vpc", "ghost"].map((name) => `${name}-use1`).sort(),
    );
  });

  it("makes only the calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads volumes region-wide: one listing per region, whatever the number of pairs", () => {
    const compared = PAIRS.length;
    const ebsCalls = Object.entries(result.stats.calls).filter(
      ([op]) => op === "EC2.DescribeVolumes" || op.startsWith("ResourceGroupsTaggingAPI."),
    );
    const total = ebsCalls.reduce((sum, [, n]) => sum + n, 0);
    const perPairSide = total / (compared * 2);
    console.log(
      `EBS volume scan: ${compared} pairs compared, ${total} DescribeVolumes and tagging calls (${perPairSide.toFixed(2)} per pair per side):`,
      Object.fromEntries(ebsCalls),
    );
    expect(result.stats.calls["EC2.DescribeVolumes"]).toBe(2);
    expect(perPairSide).toBeLessThan(1);
  });
});
