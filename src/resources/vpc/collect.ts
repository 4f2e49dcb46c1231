import {
  DescribeAddressesCommand,
  DescribeVpcAttributeCommand,
  EC2Client,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  type Address,
  type InternetGateway,
  type NatGateway,
  type NetworkInterface,
  type RouteTable,
  type Subnet,
  type Vpc,
  type VpcAttributeName,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { QUOTAS, quotaIn, SERVICE_QUOTA_PERMISSIONS } from "../../aws/service-quotas.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import type { Counted, QuotaUsage } from "../quota-check.js";
import { footprintOf, normalizeVpc, type NormalizedVpc, type VpcFootprint } from "./normalize.js";

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
    "DescribeNetworkInterfaces",
    "DescribeAddresses",
  ),
  ...SERVICE_QUOTA_PERMISSIONS,
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

export const NETWORK_INTERFACES = ec2List<NetworkInterface>(
  "ec2-network-interfaces",
  "DescribeNetworkInterfaces",
  (client) =>
    itemsOf(paginateDescribeNetworkInterfaces({ client }, { MaxResults: 1000 }), (p) => p.NetworkInterfaces),
  (n) => n.NetworkInterfaceId ?? "",
);

/** Every Elastic IP of the region: DescribeAddresses answers them all in one call (it has no pages). */
export const ADDRESSES: RegionList<Address> = {
  name: "ec2-addresses",
  service: "EC2",
  operation: "DescribeAddresses",
  async *pages(cache) {
    const out = await cache.client(EC2Client).send(new DescribeAddressesCommand({}));
    yield out.Addresses ?? [];
  },
  key: (a) => a.AllocationId ?? a.PublicIp ?? "",
};

/** A region-wide list, or why it could not be read: a quota check must not fail the VPC's comparison. */
function settled<T>(read: Promise<T>): Promise<{ value: T } | { error: string }> {
  return read.then(
    (value) => ({ value }),
    (err: unknown) => ({ error: (err as Error).message }),
  );
}

type Settled<T> = { value: T } | { error: string };

const countOf = <T>(list: Settled<T>, count: (value: T) => number): Counted =>
  "value" in list ? { count: count(list.value) } : { error: list.error };

/** The VPC's network interfaces and Elastic IPs, from the region's two lists (read once per region). */
function footprint(
  vpcId: string,
  interfaces: Settled<ReadonlyMap<string, NetworkInterface>>,
  addresses: Settled<ReadonlyMap<string, Address>>,
): VpcFootprint {
  if ("error" in interfaces) return { networkInterfaces: interfaces, elasticIps: interfaces };
  if ("error" in addresses) {
    const own = footprintOf(vpcId, interfaces.value.values(), []);
    return { networkInterfaces: { count: own.networkInterfaces }, elasticIps: addresses };
  }
  const own = footprintOf(vpcId, interfaces.value.values(), addresses.value.values());
  return { networkInterfaces: { count: own.networkInterfaces }, elasticIps: { count: own.elasticIps } };
}

/** The standby region's use of its network interface and Elastic IP quotas. */
async function regionQuotas(
  cache: RegionCache,
  interfaces: Settled<ReadonlyMap<string, NetworkInterface>>,
  addresses: Settled<ReadonlyMap<string, Address>>,
): Promise<{ networkInterfaces: QuotaUsage; elasticIps: QuotaUsage }> {
  const [eniQuota, eipQuota] = await Promise.all([
    quotaIn(cache, QUOTAS.networkInterfaces),
    quotaIn(cache, QUOTAS.elasticIps),
  ]);
  const region = cache.region;
  return {
    networkInterfaces: { region, inUse: countOf(interfaces, (m) => m.size), quota: eniQuota },
    elasticIps: { region, inUse: countOf(addresses, (m) => m.size), quota: eipQuota },
  };
}

async function attribute(cache: RegionCache, vpcId: string, name: VpcAttributeName): Promise<boolean> {
  const out = await cache
    .client(EC2Client)
    .send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: name }));
  return (name === "enableDnsSupport" ? out.EnableDnsSupport : out.EnableDnsHostnames)?.Value ?? false;
}

const inVpc = <T extends { VpcId?: string }>(items: ReadonlyMap<string, T>, vpcId: string) =>
  [...items.values()].filter((i) => i.VpcId === vpcId);

/**
 * One VPC's network: seven region-wide lists read once per region (shared by every pair there),
 * its two DNS attributes, one call each, and on the standby the region's network interface and
 * Elastic IP quotas, read once per region.
 */
export async function collectVpc(
  cache: RegionCache,
  vpc: Vpc,
  role: "primary" | "standby",
): Promise<NormalizedVpc> {
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
  const [interfaces, addresses] = await Promise.all([
    settled(cache.list(NETWORK_INTERFACES)),
    settled(cache.list(ADDRESSES)),
  ]);
  const normalized = normalizeVpc({
    vpc,
    subnets: inVpc(subnets, vpcId),
    routeTables: inVpc(tables, vpcId),
    natGateways: inVpc(nats, vpcId),
    internetGateways: [...igws.values()].filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId)),
    endpoints: inVpc(endpoints, vpcId),
    dnsSupport,
    dnsHostnames,
  });
  return {
    ...normalized,
    footprint: footprint(vpcId, interfaces, addresses),
    ...(role === "standby" ? { regionQuotas: await regionQuotas(cache, interfaces, addresses) } : {}),
  };
}
