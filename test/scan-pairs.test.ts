import { EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { beforeAll, describe, expect, it } from "vitest";
import { buildNetwork, type Network } from "../demo/world/network.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runScan } from "../src/scan/engine.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { useEmulator } from "./harness/emulator.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
let scanClients: AwsClients;
const arns: Record<string, string> = {};

async function lb(
  region: string,
  network: Network,
  name: string,
  tags: Tag[],
  type: "application" | "network" = "application",
) {
  const out = await aws.get(ElasticLoadBalancingV2Client, region).send(
    new CreateLoadBalancerCommand({
      Name: name,
      Type: type,
      Subnets: network.subnetIds,
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
  arns[name] = out.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  return arns[name];
}

const primaryTags = (secondary?: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  ...(secondary === undefined ? [] : [{ Key: "secondaryARN", Value: secondary }]),
];

beforeAll(async () => {
  aws = await env.clients();
  const east = await buildNetwork(aws.get(EC2Client, "us-east-1"), "us-east-1", "10.0");
  const west = await buildNetwork(aws.get(EC2Client, "us-west-2"), "us-west-2", "10.1");
  const standby = (name: string, type?: "application" | "network") => lb("us-west-2", west, name, [], type);
  // More load balancers than one page holds (the emulator's pages hold 50), so discovery must page.
  for (let i = 0; i < 55; i++) await lb("us-east-1", east, `filler-${i}`, []);
  // A standby in a third region: its region comes from its ARN, not from a setting.
  const eu = await buildNetwork(aws.get(EC2Client, "eu-west-1"), "eu-west-1", "10.2");
  await lb("eu-west-1", eu, "s-eu", []);
  await standby("s-ok");
  await standby("s-sloppy");
  await standby("s-shared");
  await standby("s-nlb", "network");
  await lb("us-east-1", east, "other-east", []);
  const tg = await aws.get(ElasticLoadBalancingV2Client, "us-west-2").send(
    new CreateTargetGroupCommand({
      Name: "not-a-load-balancer",
      Protocol: "HTTP",
      Port: 80,
      VpcId: west.vpcId,
    }),
  );
  const ghost = arns["s-ok"]?.replace(/\/[0-9a-f]+$/, "/0123456789abcdef") ?? "";

  await lb("us-east-1", east, "p-ok", primaryTags(arns["s-ok"]));
  await lb("us-east-1", east, "p-eu", primaryTags(arns["s-eu"]));
  await lb("us-east-1", east, "p-no-tag", primaryTags());
  await lb("us-east-1", east, "p-empty", primaryTags("   "));
  await lb(
    "us-east-1",
    east,
    "p-malformed",
    primaryTags("arn:aws:elasticloadbalancing:us-west-2:12345:loadbalancer/app/x/1"),
  );
  await lb("us-east-1", east, "p-target-group", primaryTags(tg.TargetGroups?.[0]?.TargetGroupArn));
  await lb("us-east-1", east, "p-not-found", primaryTags(ghost));
  await lb("us-east-1", east, "p-same-region", primaryTags(arns["other-east"]));
  await lb("us-east-1", east, "p-twice-a", primaryTags(arns["s-shared"]));
  await lb("us-east-1", east, "p-twice-b", primaryTags(arns["s-shared"]));
  await lb("us-east-1", east, "p-type", primaryTags(arns["s-nlb"]));
  await lb("us-east-1", east, "p-disabled", [
    { Key: "enable", Value: "false" },
    { Key: "isPrimary", Value: "true" },
    { Key: "secondaryARN", Value: arns["s-ok"] ?? "" },
  ]);
  // Sloppy but valid: spaces around values, capitals in the fixed parts of the ARN.
  const shouting = (arns["s-sloppy"] ?? "").replace(
    "arn:aws:elasticloadbalancing:us-west-2",
    "ARN:AWS:ElasticLoadBalancing:US-WEST-2",
  );
  await lb("us-east-1", east, "p-sloppy", [
    { Key: "enable", Value: " TRUE " },
    { Key: "isPrimary", Value: "True" },
    { Key: "secondaryARN", Value: `  ${shouting} ` },
  ]);
  const self = await lb("us-east-1", east, "p-self", []);
  const { AddTagsCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
  await aws
    .get(ElasticLoadBalancingV2Client, "us-east-1")
    .send(new AddTagsCommand({ ResourceArns: [self], Tags: primaryTags(self) }));

  scanClients = await env.clients();
  result = await runScan(scanClients, {
    types: RESOURCE_TYPES,
    primaryRegions: ["us-east-1"],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
});

const rulesOf = (name: string) =>
  result.pairs.find((p) => p.name === name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

describe("bad pairs become findings, and every other pair is still scanned", () => {
  it.each([
    ["p-no-tag", "pair.secondary-arn-missing", /secondaryARN tag is missing/],
    ["p-empty", "pair.secondary-arn-missing", /secondaryARN tag is empty/],
    ["p-malformed", "pair.secondary-arn-malformed", /invalid account "12345" \(expected 12 digits\)/],
    [
      "p-target-group",
      "pair.secondary-not-load-balancer",
      /names elasticloadbalancing targetgroup not-a-load-balancer/,
    ],
    ["p-not-found", "pair.standby-not-found", /does not exist in us-west-2/],
    ["p-same-region", "pair.same-region", /standby is in us-east-1, the primary's own region/],
    ["p-self", "pair.self-reference", /is its own ARN/],
    ["p-type", "pair.type-mismatch", /is an application load balancer but its standby is a network one/],
  ])("%s: %s", (name, ruleId, message) => {
    const pair = result.pairs.find((p) => p.name === name);
    expect(pair, name).toBeDefined();
    const finding = pair?.findings.find((f) => f.ruleId === ruleId);
    expect(finding?.message).toMatch(message);
    expect(finding?.resourceType).toBe("pair");
    expect(pair?.status).not.toBe("pass");
  });

  it("reports a standby claimed by two primaries on both, and still compares both", () => {
    for (const name of ["p-twice-a", "p-twice-b"]) {
      expect(rulesOf(name)).toContain("pair.standby-claimed-twice");
      expect(result.pairs.find((p) => p.name === name)?.secondaryArn).toBe(arns["s-shared"]);
    }
    expect(
      result.pairs
        .find((p) => p.name === "p-twice-a")
        ?.findings.find((f) => f.ruleId === "pair.standby-claimed-twice")?.message,
    ).toMatch(/also claimed by p-twice-b/);
  });

  it("scans the good pairs, sloppy tag values included, and leaves disabled ones out", () => {
    for (const [name, standby] of [
      ["p-ok", "s-ok"],
      ["p-sloppy", "s-sloppy"],
    ] as const) {
      const pair = result.pairs.find((p) => p.name === name);
      expect(pair?.secondaryArn, name).toBe(arns[standby]);
      expect(pair?.findings.filter((f) => f.resourceType === "pair")).toEqual([]);
      expect(pair?.status).toBe("pass"); // two empty load balancers: nothing differs
    }
    expect(result.pairs.map((p) => p.name)).not.toContain("p-disabled");
    expect(result.pairs).toHaveLength(13);
  });

  it("pages through the primary region's load balancers", () => {
    expect(scanClients.counter.byOperation["ELBv2.DescribeLoadBalancers"]).toBeGreaterThanOrEqual(2);
    // 70 load balancers in us-east-1, tags read 20 ARNs a call
    expect(scanClients.counter.byOperation["ELBv2.DescribeTags"]).toBe(4);
  });

  it("takes pairs from config as well as from tags", async () => {
    const r = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: [],
      configPairs: [{ primary: arns["other-east"] ?? "", secondary: arns["s-ok"] ?? "" }],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
    expect(r.pairs.map((p) => [p.name, p.secondaryArn, p.status])).toEqual([
      ["other-east", arns["s-ok"], "pass"],
    ]);
  });
});
