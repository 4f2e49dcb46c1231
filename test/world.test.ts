import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { NotFoundError, mapAwsError } from "../src/aws/errors.js";
import { parseArn } from "../src/aws/arn.js";
import { takeInventory, type Inventory } from "../src/inventory/inventory.js";
import { undeclaredCalls } from "../src/aws/services.js";
import { commandOperations } from "../src/permissions.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let aws: AwsClients;
let world: World;
let inventory: Inventory;
let inventoryCalls: Record<string, number>;

const countOf = (inv: Inventory, region: string, type: string) => {
  const c = inv.regions.find((r) => r.region === region)?.counts.find((x) => x.resourceType === type);
  if (!c || !("count" in c)) throw new Error(`no count of ${type} in ${region}: ${JSON.stringify(c)}`);
  return c.count;
};

beforeAll(async () => {
  aws = await env.clients();
  world = await buildWorld(aws, { pairs: 6 });
  aws.counter.reset();
  inventory = await takeInventory(aws, ["us-east-1", "us-west-2"]);
  inventoryCalls = aws.counter.byOperation;
});

describe("the demo world, read back through drctl's access layer", () => {
  it("has the pairs, mostly ALBs and at least one NLB, with the primary tags", async () => {
    expect(world.pairs).toHaveLength(6);
    expect(world.pairs.filter((p) => p.type === "network").length).toBeGreaterThanOrEqual(1);
    expect(world.pairs.filter((p) => p.type === "application").length).toBeGreaterThan(3);
    const elb = aws.get(ElasticLoadBalancingV2Client, "us-east-1");
    const tags = await elb.send(
      new DescribeTagsCommand({ ResourceArns: world.pairs.map((p) => p.primaryArn) }),
    );
    for (const pair of world.pairs) {
      const described = tags.TagDescriptions?.find((d) => d.ResourceArn === pair.primaryArn)?.Tags ?? [];
      const t: Record<string, string | undefined> = Object.fromEntries(
        described.map((x) => [x.Key ?? "", x.Value]),
      );
      expect(t.enable?.trim().toLowerCase()).toBe("true");
      expect(t.isPrimary?.trim().toLowerCase()).toBe("true");
      expect(t.secondaryARN?.trim()).toBe(pair.standbyArn);
    }
  });

  it("counts every resource type in each region", () => {
    for (const region of ["us-east-1", "us-west-2"]) {
      expect(countOf(inventory, region, "load balancers")).toBe(6);
      expect(countOf(inventory, region, "target groups")).toBe(12);
      expect(countOf(inventory, region, "launch templates")).toBe(1);
      expect(countOf(inventory, region, "Auto Scaling groups")).toBe(1);
      expect(countOf(inventory, region, "RDS instances")).toBe(1);
      expect(countOf(inventory, region, "SSM parameters")).toBe(5);
      // the default VPC moto (like AWS) makes, and the demo's
      expect(countOf(inventory, region, "VPCs")).toBe(2);
    }
    // five ALB groups + app + default, in each region
    expect(countOf(inventory, "us-east-1", "security groups")).toBe(
      countOf(inventory, "us-west-2", "security groups"),
    );
    expect(countOf(inventory, "us-east-1", "EC2 instances")).toBe(2); // the primary web tier runs
    expect(countOf(inventory, "us-west-2", "EC2 instances")).toBe(0); // the standby is at 0
    const global = Object.fromEntries(
      inventory.global.map((c) => [c.resourceType, "count" in c ? c.count : -1]),
    );
    expect(global["Route 53 hosted zones"]).toBe(1);
    // SOA + NS + per pair: two regional aliases and two failover records, less the planted missing alias
    expect(global["Route 53 records"]).toBe(2 + 6 * 4 - 1);
  });

  it("reads with region-wide list calls only: one call per type and region", () => {
    const calls = inventoryCalls;
    expect(calls["ELBv2.DescribeLoadBalancers"]).toBe(2);
    expect(calls["ELBv2.DescribeTargetGroups"]).toBe(2);
    expect(calls["EC2.DescribeSecurityGroups"]).toBe(2);
    expect(calls["Route53.ListResourceRecordSets"]).toBe(1);
  });

  it("declares every IAM action the inventory used", () => {
    expect(undeclaredCalls(Object.keys(inventoryCalls), commandOperations().inventory ?? [])).toEqual([]);
  });

  it("lists the planted differences with what a scan ought to report", () => {
    expect(world.plants.length).toBeGreaterThanOrEqual(6);
    const clean = world.pairs.filter((p) => p.plants.length === 0);
    expect(clean.length).toBeGreaterThanOrEqual(2);
    for (const plant of world.plants) {
      expect(plant.expect.resourceType).not.toBe("");
      expect(world.pairs.find((p) => p.name === plant.pair)?.plants).toContain(plant.id);
    }
  });
});

describe("region isolation", () => {
  it("shows each region only its own load balancers", async () => {
    for (const [region, own, other] of [
      ["us-east-1", "primaryArn", "standbyArn"],
      ["us-west-2", "standbyArn", "primaryArn"],
    ] as const) {
      const listed = await aws
        .get(ElasticLoadBalancingV2Client, region)
        .send(new DescribeLoadBalancersCommand({}));
      const arns = (listed.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn ?? "");
      expect(arns.sort()).toEqual(world.pairs.map((p) => p[own]).sort());
      for (const arn of arns) expect(parseArn(arn).region).toBe(region);
      for (const pair of world.pairs) expect(arns).not.toContain(pair[other]);
    }
  });

  it("cannot describe the standby's load balancer through the primary region", async () => {
    const standbyArn = world.pairs[0]?.standbyArn ?? "";
    const call = aws
      .get(ElasticLoadBalancingV2Client, "us-east-1")
      .send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [standbyArn] }));
    const err = await call.then(
      () => undefined,
      (e: unknown) =>
        mapAwsError(e, { service: "ELBv2", operation: "DescribeLoadBalancers", region: "us-east-1" }),
    );
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it("keeps the read replica in the standby region and the primary database in the primary", async () => {
    const primary = await aws.get(RDSClient, "us-east-1").send(new DescribeDBInstancesCommand({}));
    const standby = await aws.get(RDSClient, "us-west-2").send(new DescribeDBInstancesCommand({}));
    expect(primary.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual(["app-db"]);
    expect(standby.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual(["app-db-replica"]);
    expect(standby.DBInstances?.[0]?.ReadReplicaSourceDBInstanceIdentifier).toBe(world.database.primaryArn);
  });

  it("keeps the standby-only certificate out of the primary region", () => {
    expect(countOf(inventory, "us-west-2", "ACM certificates")).toBe(
      countOf(inventory, "us-east-1", "ACM certificates") + 1,
    );
    expect(countOf(inventory, "us-east-1", "AMIs (own)")).toBe(2); // base + daily
    expect(countOf(inventory, "us-west-2", "AMIs (own)")).toBe(1); // the copy
  });
});
