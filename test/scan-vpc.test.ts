/**
 * VPC pairs on the emulator: primaries in us-east-1, standbys in eu-west-1 with other CIDR blocks
 * and other names. One pair is identical in meaning; each other pair has one planted difference.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  CreateVpcPeeringConnectionCommand,
  DetachInternetGatewayCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
  type Tag,
} from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;

/** What a test VPC holds; each planted difference changes one of these on one side. */
interface Shape {
  prefix: number;
  /** Zones (letters) of the two private subnets. */
  privateZones: [string, string];
  privateSubnetBits: number;
  nat: boolean;
  /** The internet gateway stays attached (else it is detached after the routes to it are made). */
  igwAttached: boolean;
  endpoints: ("s3" | "ssm")[];
  dnsHostnames: boolean;
  /** Addresses held by network interfaces in the first private subnet. */
  usedAddresses: number;
  /** A private route to a peering connection. */
  peering: boolean;
}

const SHAPE: Shape = {
  prefix: 16,
  privateZones: ["a", "b"],
  privateSubnetBits: 24,
  nat: true,
  igwAttached: true,
  endpoints: ["s3", "ssm"],
  dnsHostnames: true,
  usedAddresses: 0,
  peering: false,
};

const nameTags = (name: string, extra: Tag[] = []) => [
  { ResourceType: "vpc" as const, Tags: [{ Key: "Name", Value: name }, ...extra] },
];

const drTags = (standbyArn: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: standbyArn },
];

const id = (value: string | undefined) => {
  if (!value) throw new Error("the emulator returned no id");
  return value;
};

async function subnet(ec2: EC2Client, vpcId: string, cidr: string, zone: string) {
  const out = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
  );
  return id(out.Subnet?.SubnetId);
}

async function routeTable(ec2: EC2Client, vpcId: string, subnets: string[]) {
  const table = id((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId);
  for (const SubnetId of subnets)
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId }));
  return table;
}

/** A VPC with two public and two private subnets, its gateways and endpoints; returns its ARN. */
async function buildVpc(region: string, base: string, name: string, shape: Shape, tags: Tag[] = []) {
  const ec2 = aws.get(EC2Client, region);
  const vpc = (
    await ec2.send(
      new CreateVpcCommand({
        CidrBlock: `${base}.0.0/${shape.prefix}`,
        TagSpecifications: nameTags(name, tags),
      }),
    )
  ).Vpc;
  const vpcId = id(vpc?.VpcId);
  if (shape.dnsHostnames)
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const publicSubnets = [
    await subnet(ec2, vpcId, `${base}.0.0/24`, `${region}a`),
    await subnet(ec2, vpcId, `${base}.1.0/24`, `${region}b`),
  ];
  const privateSubnets = [
    await subnet(ec2, vpcId, `${base}.2.0/${shape.privateSubnetBits}`, `${region}${shape.privateZones[0]}`),
    await subnet(ec2, vpcId, `${base}.3.0/${shape.privateSubnetBits}`, `${region}${shape.privateZones[1]}`),
  ];
  const igw = id((await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId);
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const publicTable = await routeTable(ec2, vpcId, publicSubnets);
  await ec2.send(
    new CreateRouteCommand({ RouteTableId: publicTable, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
  );
  const privateTable = await routeTable(ec2, vpcId, privateSubnets);
  if (shape.nat) {
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    const nat = await ec2.send(
      new CreateNatGatewayCommand({ SubnetId: publicSubnets[0], AllocationId: eip.AllocationId }),
    );
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: privateTable,
        DestinationCidrBlock: "0.0.0.0/0",
        NatGatewayId: nat.NatGateway?.NatGatewayId,
      }),
    );
  }
  if (shape.endpoints.includes("s3"))
    await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: `com.amazonaws.${region}.s3`,
        VpcEndpointType: "Gateway",
        RouteTableIds: [privateTable],
      }),
    );
  if (shape.endpoints.includes("ssm"))
    await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: `com.amazonaws.${region}.ssm`,
        VpcEndpointType: "Interface",
        SubnetIds: privateSubnets,
      }),
    );
  for (let i = 0; i < shape.usedAddresses; i++)
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: privateSubnets[0] }));
  if (shape.peering) {
    const peer = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }));
    const pcx = await ec2.send(
      new CreateVpcPeeringConnectionCommand({ VpcId: vpcId, PeerVpcId: peer.Vpc?.VpcId }),
    );
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: privateTable,
        DestinationCidrBlock: "10.99.0.0/16",
        VpcPeeringConnectionId: pcx.VpcPeeringConnection?.VpcPeeringConnectionId,
      }),
    );
  }
  if (!shape.igwAttached)
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  return `arn:aws:ec2:${region}:${id(vpc?.OwnerId)}:vpc/${vpcId}`;
}

/** Each pair: its name, what differs on each side, and the rule that must report it (none for "same"). */
const PAIRS: { name: string; primary?: Partial<Shape>; standby?: Partial<Shape>; rule?: string }[] = [
  { name: "same" },
  { name: "cidr", standby: { prefix: 20 }, rule: "vpc.cidr-prefix" },
  { name: "zones", standby: { privateZones: ["a", "a"] }, rule: "vpc.zones" },
  {
    name: "free",
    primary: { usedAddresses: 30 },
    standby: { privateSubnetBits: 28 },
    rule: "vpc.free-addresses",
  },
  { name: "nat", standby: { nat: false }, rule: "vpc.nat" },
  { name: "igw", standby: { igwAttached: false }, rule: "vpc.internet-gateway" },
  { name: "s3", standby: { endpoints: ["ssm"] }, rule: "vpc.endpoints" },
  // The known pitfall: isolated private subnets on both sides, and the standby has no S3 endpoint.
  {
    name: "isolated-s3",
    primary: { nat: false },
    standby: { nat: false, endpoints: ["ssm"] },
    rule: "vpc.endpoints",
  },
  { name: "dns", standby: { dnsHostnames: false }, rule: "vpc.dns" },
  { name: "peering", primary: { peering: true }, rule: "vpc.route-targets" },
];

const pairOf = (name: string) => result.pairs.find((p) => p.name === `${name}-use1`);
const ruleIdsOf = (name: string) => pairOf(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

beforeAll(async () => {
  aws = await env.clients();
  for (const [i, pair] of PAIRS.entries()) {
    const standby = await buildVpc(STANDBY, `10.${100 + i}`, `${pair.name}-euw1`, {
      ...SHAPE,
      ...pair.standby,
    });
    await buildVpc(PRIMARY, `10.${i}`, `${pair.name}-use1`, { ...SHAPE, ...pair.primary }, drTags(standby));
  }
  const ec2 = aws.get(EC2Client, STANDBY);
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.200.0.0/16" }))).Vpc;
  const standbySubnet = await subnet(ec2, id(other?.VpcId), "10.200.0.0/24", `${STANDBY}a`);
  const account = id(other?.OwnerId);
  await buildVpc(
    PRIMARY,
    "10.50",
    "subnet-use1",
    SHAPE,
    drTags(`arn:aws:ec2:${STANDBY}:${account}:subnet/${standbySubnet}`),
  );
  await buildVpc(
    PRIMARY,
    "10.51",
    "ghost-use1",
    SHAPE,
    drTags(`arn:aws:ec2:${STANDBY}:${account}:vpc/vpc-0123456789abcdef0`),
  );

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

describe("VPC pairs", () => {
  it("finds nothing on a pair identical in meaning (other CIDR block, other name, other region)", () => {
    expect(pairOf("same")?.secondaryArn).toMatch(/^arn:aws:ec2:eu-west-1:\d{12}:vpc\/vpc-/);
    expect(pairOf("same")?.findings).toEqual([]);
    expect(pairOf("same")?.status).toBe("pass");
  });

  it.each(PAIRS.filter((p) => p.rule).map((p) => [p.name, p.rule ?? ""]))(
    "%s: reported once under %s",
    (name, rule) => {
      expect(ruleIdsOf(name).filter((r) => r === rule)).toEqual([rule]);
    },
  );

  it("reports each planted difference under its own rule only, where the difference is one thing", () => {
    // The primary's NAT gateway holds an Elastic IP the standby would need, and the emulator answers
    // no Elastic IP quota: a low finding says so (test/scan-quotas.test.ts checks the quota itself).
    const quota = (name: string) => (name === "nat" ? ["vpc.elastic-ip-quota"] : []);
    for (const name of ["cidr", "zones", "free", "nat", "s3", "isolated-s3", "dns", "peering"])
      expect([name, ruleIdsOf(name)]).toEqual([
        name,
        [PAIRS.find((p) => p.name === name)?.rule, ...quota(name)],
      ]);
  });

  it("says why in words, and rates a missing S3 endpoint high where the private subnets have no NAT", () => {
    const message = (name: string, rule: string) => pairOf(name)?.findings.find((f) => f.ruleId === rule);
    expect(message("cidr", "vpc.cidr-prefix")?.message).toBe("the standby VPC is a /20, the primary a /16");
    expect(message("zones", "vpc.zones")?.message).toMatch(
      /private subnets span 1 Availability Zone, the primary's 2/,
    );
    expect(message("free", "vpc.free-addresses")?.message).toMatch(
      /the standby's private subnets have \d+ free addresses, the primary's use \d+: the failed-over fleet will not fit/,
    );
    expect(message("nat", "vpc.nat")?.message).toMatch(
      /on the standby none of 2 subnets route to the internet through NAT/,
    );
    expect(message("s3", "vpc.endpoints")).toMatchObject({ path: "endpoints.s3", severity: "medium" });
    expect(message("isolated-s3", "vpc.endpoints")).toMatchObject({ path: "endpoints.s3", severity: "high" });
    expect(message("isolated-s3", "vpc.endpoints")?.message).toMatch(/cannot reach s3 at all/);
    expect(message("igw", "vpc.internet-gateway")).toMatchObject({ severity: "critical" });
    expect(message("peering", "vpc.route-targets")?.path).toBe(
      "tiers.private.routeTargets.peering connection",
    );
  });

  it("reports a standby ARN of another type and one that does not exist, and still scans the rest", () => {
    expect(pairOf("subnet")?.findings.map((f) => [f.ruleId, f.resourceType])).toEqual([
      ["pair.secondary-other-kind", "pair"],
    ]);
    expect(pairOf("ghost")?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [...PAIRS.map((p) => p.name), "subnet", "ghost"].map((name) => `${name}-use1`).sort(),
    );
  });

  it("makes only the calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads the network region-wide: few calls per pair and side", () => {
    const compared = PAIRS.length;
    const vpcCalls = Object.entries(result.stats.calls).filter(
      ([op]) => op.startsWith("EC2.") || op.startsWith("ResourceGroupsTaggingAPI."),
    );
    const total = vpcCalls.reduce((sum, [, n]) => sum + n, 0);
    const perPairSide = total / (compared * 2);
    console.log(
      `VPC scan: ${compared} pairs compared, ${total} EC2 and tagging calls (${perPairSide.toFixed(2)} per pair per side):`,
      Object.fromEntries(vpcCalls),
    );
    // Per side: two DNS attributes; per region: five lists and one DescribeVpcs; one tag listing.
    expect(result.stats.calls["EC2.DescribeVpcAttribute"]).toBe(compared * 2 * 2);
    expect(result.stats.calls["EC2.DescribeSubnets"]).toBe(2);
    expect(perPairSide).toBeLessThan(4);
  });
});
