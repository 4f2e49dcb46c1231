import type { RouteTable } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../core/rule-cases.testing.js";
import {
  endpointService,
  footprintOf,
  normalizeVpc,
  routeTargetKind,
  usableAddresses,
  type VpcNetwork,
} from "./normalize.js";
import { vpcRules } from "./rules.js";

const table = (id: string, subnets: string[], routes: RouteTable["Routes"], main = false): RouteTable => ({
  RouteTableId: id,
  VpcId: "vpc-1",
  Associations: [
    ...(main ? [{ Main: true }] : []),
    ...subnets.map((SubnetId) => ({ SubnetId, Main: false })),
  ],
  Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, ...(routes ?? [])],
});

const subnet = (id: string, zone: string, cidr: string, free: number) => ({
  SubnetId: id,
  VpcId: "vpc-1",
  AvailabilityZone: zone,
  CidrBlock: cidr,
  AvailableIpAddressCount: free,
});

/** Two public subnets through the main table, two private through their own, one private without NAT. */
const network = (over: Partial<VpcNetwork> = {}): VpcNetwork => ({
  vpc: { VpcId: "vpc-1", CidrBlock: "10.0.0.0/16" },
  subnets: [
    subnet("pub-a", "us-east-1a", "10.0.0.0/24", 250),
    subnet("pub-b", "us-east-1b", "10.0.1.0/24", 251),
    subnet("priv-a", "us-east-1a", "10.0.10.0/24", 200),
    subnet("priv-b", "us-east-1b", "10.0.11.0/24", 201),
    subnet("iso-b", "us-east-1b", "10.0.12.0/28", 11),
  ],
  routeTables: [
    table("rtb-main", [], [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "active" }], true),
    table(
      "rtb-priv",
      ["priv-a", "priv-b"],
      [
        { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1", State: "active" },
        { DestinationPrefixListId: "pl-1", GatewayId: "vpce-1", State: "active" },
        { DestinationCidrBlock: "10.9.0.0/16", TransitGatewayId: "tgw-1", State: "active" },
        { DestinationCidrBlock: "10.8.0.0/16", VpcPeeringConnectionId: "pcx-1", State: "blackhole" },
      ],
    ),
    table("rtb-iso", ["iso-b"], []),
  ],
  natGateways: [{ NatGatewayId: "nat-1", State: "available", VpcId: "vpc-1" }],
  internetGateways: [{ InternetGatewayId: "igw-1", Attachments: [{ VpcId: "vpc-1", State: "attached" }] }],
  endpoints: [
    {
      ServiceName: "com.amazonaws.us-east-1.s3",
      VpcEndpointType: "Gateway",
      State: "Available",
      VpcId: "vpc-1",
    },
    { ServiceName: "com.amazonaws.us-east-1.ecr.dkr", VpcEndpointType: "Interface", State: "Available" },
    { ServiceName: "com.amazonaws.us-east-1.ssm", VpcEndpointType: "Interface", State: "Deleted" },
    {
      ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0abc",
      VpcEndpointType: "Interface",
      State: "Available",
    },
  ],
  dnsSupport: true,
  dnsHostnames: false,
  ...over,
});

describe("VPC normalization", () => {
  it("sorts subnets into tiers through their route table or the main one, by meaning only", () => {
    expect(normalizeVpc(network())).toEqual({
      prefixLength: 16,
      dnsSupport: true,
      dnsHostnames: false,
      internetGateway: true,
      tiers: {
        public: { subnets: 2, zones: 2, addresses: 502, free: 501, withoutNat: 2, routeTargets: [] },
        private: {
          subnets: 3,
          zones: 2,
          addresses: 513,
          free: 412,
          withoutNat: 1,
          routeTargets: ["transit gateway"],
        },
      },
      endpoints: { s3: "Gateway", "ecr.dkr": "Interface" },
      privateLinkEndpoints: 1,
    });
  });

  it("counts a subnet as public only through an attached internet gateway, and NAT only when it is available", () => {
    const n = normalizeVpc(
      network({
        internetGateways: [{ InternetGatewayId: "igw-1", Attachments: [] }],
        natGateways: [{ NatGatewayId: "nat-1", State: "deleted" }],
      }),
    );
    expect(n.internetGateway).toBe(false);
    expect(n.tiers.public.subnets).toBe(0);
    expect(n.tiers.private).toMatchObject({ subnets: 5, zones: 2, withoutNat: 5 });
  });

  it("names an endpoint's service without its region", () => {
    expect(endpointService("com.amazonaws.us-east-1.s3")).toBe("s3");
    expect(endpointService("com.amazonaws.eu-west-1.s3")).toBe("s3");
    expect(endpointService("com.amazonaws.ap-southeast-2.ecr.api")).toBe("ecr.api");
    expect(endpointService("aws.sagemaker.us-gov-west-1.notebook")).toBe("aws.sagemaker.notebook");
  });

  it("counts the usable addresses of a subnet and names route targets by kind", () => {
    expect(usableAddresses("10.0.0.0/24")).toBe(251);
    expect(usableAddresses("10.0.0.0/28")).toBe(11);
    expect(routeTargetKind({ GatewayId: "local" })).toBeUndefined();
    expect(routeTargetKind({ GatewayId: "vgw-1" })).toBe("virtual private gateway");
    expect(routeTargetKind({ EgressOnlyInternetGatewayId: "eigw-1" })).toBe("egress-only internet gateway");
  });
});

describe("VPC endpoint severity", () => {
  const rule = vpcRules.find((r) => r.id === "vpc.endpoints");
  const primary = normalizeVpc(network());

  it("is high for S3 or ECR missing on a standby whose private subnets lack NAT, medium when NAT is there", () => {
    const noNat = normalizeVpc(network({ endpoints: [], natGateways: [] }));
    const found = rule?.check(primary, noNat, SETTINGS) ?? [];
    expect(found.map((d) => [d.path, d.severity])).toEqual([
      ["endpoints.ecr.dkr", "high"],
      ["endpoints.s3", "high"],
      ["privateLinkEndpoints", undefined],
    ]);
    expect(found[1]?.message).toMatch(/cannot reach s3 at all/);
    const logs = rule?.check({ ...primary, endpoints: { logs: "Interface" } }, noNat, SETTINGS) ?? [];
    expect(logs.map((d) => [d.path, d.severity, d.message])).toEqual([
      [
        "endpoints.logs",
        undefined,
        "the standby has no VPC endpoint for logs (the primary has an interface endpoint) and 3 of its 3 subnets in the private tier have no NAT either: they cannot reach logs at all",
      ],
      ["privateLinkEndpoints", undefined, expect.any(String)],
    ]);
    const withNat = normalizeVpc(
      network({ endpoints: [], subnets: network().subnets.filter((s) => s.SubnetId !== "iso-b") }),
    );
    expect((rule?.check(primary, withNat, SETTINGS) ?? []).map((d) => d.severity)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("what a VPC holds that a failover moves", () => {
  it("counts its network interfaces, and the Elastic IPs associated with them", () => {
    const interfaces = [
      { NetworkInterfaceId: "eni-1", VpcId: "vpc-a" },
      { NetworkInterfaceId: "eni-2", VpcId: "vpc-a" },
      { NetworkInterfaceId: "eni-3", VpcId: "vpc-b" },
    ];
    const addresses = [
      { AllocationId: "eipalloc-1", NetworkInterfaceId: "eni-1" },
      { AllocationId: "eipalloc-2", NetworkInterfaceId: "eni-3" },
      { AllocationId: "eipalloc-3" },
    ];
    expect(footprintOf("vpc-a", interfaces, addresses)).toEqual({ networkInterfaces: 2, elasticIps: 1 });
  });
});
