/**
 * Auto Scaling group pairs against the emulator: primaries in us-east-1 tagged with the DR tags,
 * standbys in eu-west-1 named differently, launching from launch templates (one pair from launch
 * configurations, one from a mixed instances policy). The emulator has no Service Quotas, so the
 * main scan reads the standby region's quota from a ServiceQuotasClient stubbed with
 * aws-sdk-client-mock on an API-shaped answer; a second scan reads it from the emulator, which
 * cannot answer, and shows the quota reported as unchecked without failing any group.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  SuspendProcessesCommand,
  type CreateAutoScalingGroupCommandInput,
  type Tag,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  EC2Client,
  RunInstancesCommand,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNetwork, type Network } from "../demo/world/network.js";
import type { AwsClients, AwsClientsOptions } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const EAST = "us-east-1";
const WEST = "eu-west-1";
const AMI = "ami-12c6146b";
/** The standby region's Standard On-Demand vCPU quota the stubbed Service Quotas answers. */
const QUOTA = 8;

let aws: AwsClients;
let result: ScanResult;
let unquoted: ScanResult;
const groupArns: Record<string, string> = {};
const networks: Record<string, Network> = {};
const sq = mockClient(ServiceQuotasClient);
afterAll(() => sq.restore());

const primaryTags = (secondary: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: secondary },
];

/** A group launching from its region's web template (t3.micro), 0..4, none running unless said. */
async function group(region: string, name: string, over: Partial<CreateAutoScalingGroupCommandInput> = {}) {
  const client = aws.get(AutoScalingClient, region);
  const template = region === EAST ? "web-lt-use1" : "web-lt-euw1";
  await client.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      HealthCheckGracePeriod: 300,
      VPCZoneIdentifier: networks[region]?.subnetIds.join(","),
      ...(over.LaunchConfigurationName || over.MixedInstancesPolicy
        ? {}
        : { LaunchTemplate: { LaunchTemplateName: template, Version: "$Latest" } }),
      ...over,
    }),
  );
}

async function template(region: string, name: string, instanceType: _InstanceType) {
  const out = await aws.get(EC2Client, region).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: AMI, InstanceType: instanceType },
    }),
  );
  return out.LaunchTemplate?.LaunchTemplateId ?? "";
}

/** The standbys' ARNs, as AWS wrote them (with the id each group got). */
async function readStandbyArns() {
  const { DescribeAutoScalingGroupsCommand } = await import("@aws-sdk/client-auto-scaling");
  const out = await aws.get(AutoScalingClient, WEST).send(new DescribeAutoScalingGroupsCommand({}));
  for (const g of out.AutoScalingGroups ?? []) {
    const name = g.AutoScalingGroupName ?? "";
    groupArns[name] = g.AutoScalingGroupARN ?? "";
    groupArns.any = g.AutoScalingGroupARN ?? "";
  }
}

/** Calls of the main scan by region: us-east-1 is the primaries' side, eu-west-1 the standbys'. */
const callsByRegion: Record<string, number> = {};

const scan = async (onCall?: AwsClientsOptions["onCall"]) =>
  runScan(await env.clients(onCall ? { onCall } : {}), {
    types: RESOURCE_TYPES,
    primaryRegions: [EAST],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });

let calls: Set<string>;
let quotaReads = 0;

beforeAll(async () => {
  aws = await env.clients();
  networks[EAST] = await buildNetwork(aws.get(EC2Client, EAST), EAST, "10.0");
  networks[WEST] = await buildNetwork(aws.get(EC2Client, WEST), WEST, "10.2");
  await template(EAST, "web-lt-use1", "t3.micro");
  const westLt = await template(WEST, "web-lt-euw1", "t3.micro");
  const eastLt = await template(EAST, "mixed-lt-use1", "t3.micro");
  await template(WEST, "web-lt-m5-euw1", "m5.large");
  for (const [region, name] of [
    [EAST, "web-lc-use1"],
    [WEST, "web-lc-euw1"],
  ] as const)
    await aws.get(AutoScalingClient, region).send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: name,
        ImageId: AMI,
        InstanceType: "t3.micro",
      }),
    );
  // An On-Demand instance already running in the standby region, outside every group: 2 vCPUs.
  await aws.get(EC2Client, WEST).send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: networks[WEST]?.subnetIds[0],
    }),
  );

  const mixed = (id: string) => ({
    MixedInstancesPolicy: {
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateId: id, Version: "$Latest" },
        Overrides: [{ InstanceType: "c5.large" as const }, { InstanceType: "c5.xlarge" as const }],
      },
    },
  });
  // Standbys first, so their ARNs (with the id AWS gave each) can be tagged on the primaries.
  const standbys: [string, Partial<CreateAutoScalingGroupCommandInput>][] = [
    ["web-dr-euw1", {}],
    ["mixed-dr-euw1", mixed(westLt)],
    ["lc-dr-euw1", { LaunchConfigurationName: "web-lc-euw1" }],
    ["cap-dr-euw1", { MaxSize: 2 }],
    ["max-dr-euw1", { MaxSize: 3 }],
    ["min-dr-euw1", {}],
    ["zones-dr-euw1", { VPCZoneIdentifier: networks[WEST]?.subnetIds[0] }],
    ["types-dr-euw1", { LaunchTemplate: { LaunchTemplateName: "web-lt-m5-euw1", Version: "$Latest" } }],
    ["health-dr-euw1", { HealthCheckGracePeriod: 60 }],
    ["rebalance-dr-euw1", {}],
    ["suspended-dr-euw1", {}],
    ["quota-dr-euw1", { MaxSize: 5 }],
  ];
  for (const [name, over] of standbys) await group(WEST, name, over);
  await aws.get(AutoScalingClient, WEST).send(
    new SuspendProcessesCommand({
      AutoScalingGroupName: "suspended-dr-euw1",
      ScalingProcesses: ["AZRebalance"],
    }),
  );
  await readStandbyArns();

  const primaries: [string, string, Partial<CreateAutoScalingGroupCommandInput>][] = [
    ["web-use1", "web-dr-euw1", {}],
    ["mixed-use1", "mixed-dr-euw1", mixed(eastLt)],
    ["lc-use1", "lc-dr-euw1", { LaunchConfigurationName: "web-lc-use1" }],
    ["cap-use1", "cap-dr-euw1", { DesiredCapacity: 3 }],
    ["max-use1", "max-dr-euw1", {}],
    ["min-use1", "min-dr-euw1", { MinSize: 1 }],
    ["zones-use1", "zones-dr-euw1", {}],
    ["types-use1", "types-dr-euw1", {}],
    ["health-use1", "health-dr-euw1", {}],
    ["rebalance-use1", "rebalance-dr-euw1", { CapacityRebalance: true }],
    ["suspended-use1", "suspended-dr-euw1", {}],
    ["quota-use1", "quota-dr-euw1", { DesiredCapacity: 5, MaxSize: 5 }],
  ];
  for (const [name, standby, over] of primaries)
    await group(EAST, name, { DesiredCapacity: 1, Tags: primaryTags(groupArns[standby] ?? ""), ...over });

  // Bad input: a standby ARN naming a launch template, and one naming a group that does not exist.
  const account = /:(\d{12}):/.exec(groupArns.any ?? "")?.[1] ?? "";
  await group(EAST, "other-kind-use1", {
    Tags: primaryTags(`arn:aws:ec2:${WEST}:${account}:launch-template/${westLt}`),
  });
  await group(EAST, "ghost-use1", {
    Tags: primaryTags(
      `arn:aws:autoscaling:${WEST}:${account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/ghost-dr-euw1`,
    ),
  });

  // The standby region's quota, as GetServiceQuota answers it (Service Quotas API reference).
  sq.on(GetServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: "L-1216C47A" }).resolves({
    Quota: {
      ServiceCode: "ec2",
      ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
      QuotaArn: `arn:aws:servicequotas:${WEST}:${account}:ec2/L-1216C47A`,
      QuotaCode: "L-1216C47A",
      QuotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
      Value: QUOTA,
      Unit: "None",
      Adjustable: true,
      GlobalQuota: false,
    },
  });
  const recorder = recordAwsCalls();
  try {
    result = await scan((call) => {
      if (call.attempt === 1) callsByRegion[call.region] = (callsByRegion[call.region] ?? 0) + 1;
    });
  } finally {
    recorder.stop();
  }
  calls = recorder.calls;
  quotaReads = sq.commandCalls(GetServiceQuotaCommand).length;
  sq.restore();
  unquoted = await scan();
}, 240_000);

const pairNamed = (r: ScanResult, name: string) => r.pairs.find((p) => p.name === name);
const live = (r: ScanResult, name: string) =>
  (pairNamed(r, name)?.findings ?? []).filter((f) => f.status !== "pass");

describe("Auto Scaling group pairs", () => {
  it.each(["web-use1", "mixed-use1", "lc-use1"])(
    "%s and its differently named standby: no findings",
    (name) => {
      expect(pairNamed(result, name)?.secondaryArn).toMatch(/autoScalingGroupName\/\w+-dr-euw1$/);
      expect(live(result, name)).toEqual([]);
      expect(pairNamed(result, name)?.status).toBe("pass");
    },
  );

  it.each([
    [
      "cap-use1",
      "autoscaling-group.capacity",
      /maximum size is 2, below the 3 instances the primary runs now: aws autoscaling update-auto-scaling-group --auto-scaling-group-name cap-dr-euw1 --max-size 3 --region eu-west-1/,
    ],
    ["max-use1", "autoscaling-group.max-size", /maximum size is 3, the primary's 4/],
    ["min-use1", "autoscaling-group.min-size", /minimum size is 0, the primary's 1/],
    ["zones-use1", "autoscaling-group.zones", /spans 1 Availability Zones, the primary 2/],
    ["types-use1", "autoscaling-group.instance-types", /launches m5.large, the primary t3.micro/],
    ["health-use1", "autoscaling-group.health-check", /grace period is 60 s, the primary's 300 s/],
    ["rebalance-use1", "autoscaling-group.capacity-rebalance", /off on the standby, on on the primary/],
    ["suspended-use1", "autoscaling-group.suspended-processes", /standby has process AZRebalance suspended/],
    [
      "quota-use1",
      "autoscaling-group.vcpu-quota",
      /needs at least 12 vCPUs .* plus 2 vCPUs of On-Demand instances already running there\), but the quota L-1216C47A there is 8: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value 12 --region eu-west-1/,
    ],
  ])("%s: its one planted difference, once, under %s", (name, ruleId, message) => {
    const found = live(result, name);
    expect(found.map((f) => f.ruleId)).toEqual([ruleId]);
    expect(found[0]?.message).toMatch(message);
    expect(found[0]?.resourceType).toBe("autoscaling-group");
  });

  it("a standby ARN of another type, and one naming no group, are pair findings; the rest is scanned", () => {
    expect(live(result, "other-kind-use1").map((f) => f.ruleId)).toEqual(["pair.secondary-other-kind"]);
    expect(live(result, "ghost-use1").map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(live(result, "ghost-use1")[0]?.message).toMatch(/does not exist in eu-west-1/);
    expect(result.pairs).toHaveLength(14);
  });

  it("makes only the AWS calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads each quota once per region, and a bounded number of calls per pair", () => {
    const compared = result.pairs.filter((p) => p.findings.every((f) => f.resourceType !== "pair")).length;
    const byService = (prefix: string) =>
      Object.entries(result.stats.calls)
        .filter(([op]) => op.startsWith(prefix))
        .reduce((sum, [, n]) => sum + n, 0);
    const perPair = (region: string) => ((callsByRegion[region] ?? 0) / compared).toFixed(2);
    console.log(
      `${compared} pairs compared; calls: ${JSON.stringify(result.stats.calls)}; ` +
        `per pair: AutoScaling ${(byService("AutoScaling.") / compared).toFixed(2)}, EC2 ${(byService("EC2.") / compared).toFixed(2)}; ` +
        `per pair and side (discovery included): primary ${perPair(EAST)}, standby ${perPair(WEST)}; ` +
        `Service Quotas GetServiceQuota (stubbed, so not in the scan's count) ${quotaReads}`,
    );
    expect(quotaReads).toBe(1); // one standby region, one quota code
    // Per pair, at most a launch template version per side, and the standby's instance types.
    expect(byService("AutoScaling.") + byService("EC2.")).toBeLessThanOrEqual(3 * compared + 10);
    // Each side: at most one launch template read a pair, and a few region-wide reads.
    expect(callsByRegion[EAST]).toBeLessThanOrEqual(compared + 6);
    expect(callsByRegion[WEST]).toBeLessThanOrEqual(2 * compared + 6);
  });
});

describe("a quota that cannot be read (the emulator has no Service Quotas)", () => {
  it("is a low finding saying what is unknown, as every unchecked quota: never a pass, and nothing else changes", () => {
    const web = live(unquoted, "web-use1");
    expect(web.map((f) => [f.ruleId, f.severity])).toEqual([["autoscaling-group.vcpu-quota", "low"]]);
    expect(web[0]?.message).toMatch(
      /On-Demand vCPU quota could not be checked: quota L-1216C47A could not be read/,
    );
    // A pair whose quota was not measured is not said to pass; it drifts at low, saying why.
    expect(pairNamed(unquoted, "web-use1")?.status).toBe("drift");
    expect(live(unquoted, "quota-use1").map((f) => [f.ruleId, f.severity])).toEqual([
      ["autoscaling-group.vcpu-quota", "low"],
    ]);
    expect(live(unquoted, "quota-use1")[0]?.message).toMatch(/could not be checked/);
    // Every other finding of every pair is what it was with the quota read.
    for (const p of result.pairs) {
      const others = (r: typeof result, name: string) =>
        live(r, name)
          .filter((f) => f.ruleId !== "autoscaling-group.vcpu-quota")
          .map((f) => [f.ruleId, f.path]);
      expect(others(unquoted, p.name), p.name).toEqual(others(result, p.name));
    }
  });
});
