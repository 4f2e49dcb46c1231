import {
  DescribeVpcAttributeCommand,
  EC2Client,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  type InternetGateway,
  type NatGateway,
  type RouteTable,
  type Subnet,
  type Vpc,
  type VpcAttributeName,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { normalizeVpc, type NormalizedVpc } from "./normalize.js";

export const VPC_PERMISSIONS = [
  ...TAGGED_PERMISSIONS,
  ...ops(
    "EC2",
    "DescribeVpcs",
    "DescribeVpcAttribute",
    "DescribeSubnets",
    "DescribeRouteTables",
    "DescribeNatGateways",
    "DescribeInternetGateways",
    "DescribeVpcEndpoints",
  ),
];

/** A region-wide EC2 list read once and shared by every VPC pair of the region. */
function ec2List<T>(
  name: string,
  operation: string,
  pages: (client: EC2Client) => AsyncIterable<readonly T[]>,
  key: (item: T) => string,
): RegionList<T> {
  return { name, service: "EC2", operation, pages: (cache) => pages(cache.client(EC2Client)), key };
}

async function* itemsOf<P, T>(paginator: AsyncIterable<P>, items: (page: P) => T[] | undefined) {
  for await (const page of paginator) yield items(page) ?? [];
}

export const SUBNETS = ec2List<Subnet>(
  "vpc-subnets",
  "DescribeSubnets",
  (client) => itemsOf(paginateDescribeSubnets({ client }, { MaxResults: 1000 }), (p) => p.Subnets),
  (s) => s.SubnetId ?? "",
);
export const ROUTE_TABLES = ec2List<RouteTable>(
  "vpc-route-tables",
  "DescribeRouteTables",
  (client) => itemsOf(paginateDescribeRouteTables({ client }, { MaxResults: 100 }), (p) => p.RouteTables),
  (t) => t.RouteTableId ?? "",
);
export const NAT_GATEWAYS = ec2List<NatGateway>(
  "vpc-nat-gateways",
  "DescribeNatGateways",
  (client) => itemsOf(paginateDescribeNatGateways({ client }, { MaxResults: 1000 }), (p) => p.NatGateways),
  (n) => n.NatGatewayId ?? "",
);
export const INTERNET_GATEWAYS = ec2List<InternetGateway>(
  "vpc-internet-gateways",
  "DescribeInternetGateways",
  (client) =>
    itemsOf(paginateDescribeInternetGateways({ client }, { MaxResults: 1000 }), (p) => p.InternetGateways),
  (g) => g.InternetGatewayId ?? "",
);
export const VPC_ENDPOINTS = ec2List<VpcEndpoint>(
  "vpc-endpoints",
  "DescribeVpcEndpoints",
  (client) => itemsOf(paginateDescribeVpcEndpoints({ client }, { MaxResults: 1000 }), (p) => p.VpcEndpoints),
  (e) => e.VpcEndpointId ?? "",
);

async function attribute(cache: RegionCache, vpcId: string, name: VpcAttributeName): Promise<boolean> {
  const out = await cache
    .client(EC2Client)
    .send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: name }));
  return (name === "enableDnsSupport" ? out.EnableDnsSupport : out.EnableDnsHostnames)?.Value ?? false;
}

const inVpc = <T extends { VpcId?: string }>(items: ReadonlyMap<string, T>, vpcId: string) =>
  [...items.values()].filter((i) => i.VpcId === vpcId);

/**
 * One VPC's network: five region-wide lists read once per region (shared by every pair there),
 * and its two DNS attributes, one call each.
 */
export async function collectVpc(cache: RegionCache, vpc: Vpc): Promise<NormalizedVpc> {
  const vpcId = vpc.VpcId ?? "";
  const [subnets, tables, nats, igws, endpoints, dnsSupport, dnsHostnames] = await Promise.all([
    cache.list(SUBNETS),
    cache.list(ROUTE_TABLES),
    cache.list(NAT_GATEWAYS),
    cache.list(INTERNET_GATEWAYS),
    cache.list(VPC_ENDPOINTS),
    attribute(cache, vpcId, "enableDnsSupport"),
    attribute(cache, vpcId, "enableDnsHostnames"),
  ]);
  return normalizeVpc({
    vpc,
    subnets: inVpc(subnets, vpcId),
    routeTables: inVpc(tables, vpcId),
    natGateways: inVpc(nats, vpcId),
    internetGateways: [...igws.values()].filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId)),
    endpoints: inVpc(endpoints, vpcId),
    dnsSupport,
    dnsHostnames,
  });
}
