import type {
  Address,
  InternetGateway,
  NatGateway,
  NetworkInterface,
  Route,
  RouteTable,
  Subnet,
  Vpc,
  VpcEndpoint,
} from "@aws-sdk/client-ec2";
import type { Counted, QuotaUsage } from "../quota-check.js";

/** What AWS says of one VPC and what sits in it, each list already narrowed to the VPC. */
export interface VpcNetwork {
  vpc: Vpc;
  subnets: readonly Subnet[];
  routeTables: readonly RouteTable[];
  natGateways: readonly NatGateway[];
  internetGateways: readonly InternetGateway[];
  endpoints: readonly VpcEndpoint[];
  dnsSupport: boolean;
  dnsHostnames: boolean;
}

export const TIERS = ["public", "private"] as const;
export type TierName = (typeof TIERS)[number];

/** The subnets of one tier, by what they hold and reach (never by id or address). */
export interface Tier {
  subnets: number;
  zones: number;
  /** Usable addresses of the tier's subnets (AWS keeps 5 of each subnet). */
  addresses: number;
  /** Addresses still free (AvailableIpAddressCount summed). */
  free: number;
  /** Subnets with no default route through a NAT gateway (or NAT instance): no way out to the internet. */
  withoutNat: number;
  /** Kinds of route targets other than those another rule compares (internet and NAT gateways, gateway endpoints). */
  routeTargets: string[];
}

export interface NormalizedVpc {
  /** The prefix length of the VPC's primary CIDR block (the address itself differs by design). */
  prefixLength: number;
  dnsSupport: boolean;
  dnsHostnames: boolean;
  /** Whether an internet gateway is attached. */
  internetGateway: boolean;
  tiers: Record<TierName, Tier>;
  /** Endpoint service without its region ("s3", "ecr.dkr") -> the endpoint type. */
  endpoints: Record<string, string>;
  /** Endpoints to PrivateLink endpoint services (named by a per-region id, so counted). */
  privateLinkEndpoints: number;
  /** What the VPC holds that a failover moves to the standby: its network interfaces and Elastic IPs. */
  footprint?: VpcFootprint;
  /** The standby region's use of its network interface and Elastic IP quotas (read on the standby only). */
  regionQuotas?: { networkInterfaces: QuotaUsage; elasticIps: QuotaUsage };
}

export interface VpcFootprint {
  networkInterfaces: Counted;
  /** Elastic IPs associated with a network interface in the VPC (NAT gateways' included). */
  elasticIps: Counted;
}

const DEFAULT_ROUTE = "0.0.0.0/0";
const LIVE_NAT = new Set(["available", "pending"]);
const DEAD_ENDPOINT = new Set(["deleted", "deleting", "failed", "rejected", "expired"]);
const REGION_PART = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Route target kinds compared by the route-target rule, in words. */
const OWN_RULE_KINDS = new Set(["internet gateway", "NAT gateway", "gateway endpoint"]);

export function prefixLengthOf(cidr: string | undefined): number {
  const bits = Number(cidr?.split("/")[1]);
  return Number.isInteger(bits) ? bits : 0;
}

/** Usable addresses of an IPv4 subnet: its block less the 5 AWS reserves. */
export function usableAddresses(cidr: string | undefined): number {
  const bits = prefixLengthOf(cidr);
  return bits === 0 ? 0 : Math.max(0, 2 ** (32 - bits) - 5);
}

/** "com.amazonaws.eu-west-1.ecr.dkr" -> "ecr.dkr": the same service in every region. */
export function endpointService(serviceName: string): string {
  return serviceName
    .replace(/^com\.amazonaws\./, "")
    .split(".")
    .filter((part) => !REGION_PART.test(part))
    .join(".");
}

/** What kind of thing a route sends its traffic to, in words; undefined for the VPC's local route. */
export function routeTargetKind(route: Route): string | undefined {
  const gateway = route.GatewayId ?? "";
  if (gateway.startsWith("igw-")) return "internet gateway";
  if (gateway.startsWith("vpce-")) return "gateway endpoint";
  if (gateway.startsWith("vgw-")) return "virtual private gateway";
  if (route.NatGatewayId) return "NAT gateway";
  if (route.TransitGatewayId) return "transit gateway";
  if (route.VpcPeeringConnectionId) return "peering connection";
  if (route.EgressOnlyInternetGatewayId) return "egress-only internet gateway";
  if (route.InstanceId || route.NetworkInterfaceId) return "instance or network interface";
  if (route.LocalGatewayId) return "local gateway";
  if (route.CarrierGatewayId) return "carrier gateway";
  if (route.CoreNetworkArn) return "core network";
  return undefined;
}

const liveRoutes = (table: RouteTable | undefined) =>
  (table?.Routes ?? []).filter((r) => r.State !== "blackhole");

/** The route table of each subnet: its explicit association, else the VPC's main table. */
function tableOfSubnet(tables: readonly RouteTable[]): (subnetId: string) => RouteTable | undefined {
  const explicit = new Map<string, RouteTable>();
  let main: RouteTable | undefined;
  for (const table of tables)
    for (const a of table.Associations ?? []) {
      if (a.Main) main = table;
      else if (a.SubnetId) explicit.set(a.SubnetId, table);
    }
  return (id) => explicit.get(id) ?? main;
}

interface SubnetView {
  subnet: Subnet;
  public: boolean;
  nat: boolean;
  kinds: string[];
}

/** Each subnet seen through its route table: public when its default route is an attached internet gateway. */
function viewSubnets(network: VpcNetwork): SubnetView[] {
  const tableOf = tableOfSubnet(network.routeTables);
  const attachedIgws = new Set(
    network.internetGateways
      .filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === network.vpc.VpcId))
      .map((g) => g.InternetGatewayId ?? ""),
  );
  const liveNats = new Set(
    network.natGateways.filter((n) => LIVE_NAT.has(n.State ?? "")).map((n) => n.NatGatewayId ?? ""),
  );
  return network.subnets.map((subnet) => {
    const routes = liveRoutes(tableOf(subnet.SubnetId ?? ""));
    const defaults = routes.filter((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
    return {
      subnet,
      public: defaults.some((r) => attachedIgws.has(r.GatewayId ?? "")),
      nat: defaults.some(
        (r) => liveNats.has(r.NatGatewayId ?? "") || Boolean(r.InstanceId ?? r.NetworkInterfaceId),
      ),
      kinds: routes.flatMap((r) => routeTargetKind(r) ?? []),
    };
  });
}

function tierOf(views: readonly SubnetView[]): Tier {
  return {
    subnets: views.length,
    zones: new Set(views.map((v) => v.subnet.AvailabilityZone ?? "")).size,
    addresses: views.reduce((sum, v) => sum + usableAddresses(v.subnet.CidrBlock), 0),
    free: views.reduce((sum, v) => sum + (v.subnet.AvailableIpAddressCount ?? 0), 0),
    withoutNat: views.filter((v) => !v.nat).length,
    routeTargets: [...new Set(views.flatMap((v) => v.kinds))].filter((k) => !OWN_RULE_KINDS.has(k)).sort(),
  };
}

function endpointsOf(endpoints: readonly VpcEndpoint[]) {
  const live = endpoints.filter((e) => !DEAD_ENDPOINT.has((e.State ?? "").toLowerCase()));
  const byService: Record<string, string> = {};
  let privateLink = 0;
  for (const e of live) {
    const service = endpointService(e.ServiceName ?? "");
    if (/vpce-svc-/.test(service)) privateLink++;
    else byService[service] = e.VpcEndpointType ?? "Gateway";
  }
  return { endpoints: byService, privateLinkEndpoints: privateLink };
}

export function normalizeVpc(network: VpcNetwork): NormalizedVpc {
  const views = viewSubnets(network);
  return {
    prefixLength: prefixLengthOf(network.vpc.CidrBlock),
    dnsSupport: network.dnsSupport,
    dnsHostnames: network.dnsHostnames,
    internetGateway: network.internetGateways.some((g) =>
      (g.Attachments ?? []).some((a) => a.VpcId === network.vpc.VpcId),
    ),
    tiers: {
      public: tierOf(views.filter((v) => v.public)),
      private: tierOf(views.filter((v) => !v.public)),
    },
    ...endpointsOf(network.endpoints),
  };
}

/**
 * The network interfaces of a VPC and the Elastic IPs associated with them, from the region's
 * lists. An Elastic IP names its interface, not its VPC, so it is counted through the interface.
 */
export function footprintOf(
  vpcId: string,
  interfaces: Iterable<NetworkInterface>,
  addresses: Iterable<Address>,
): { networkInterfaces: number; elasticIps: number } {
  const own = new Set<string>();
  for (const eni of interfaces) if (eni.VpcId === vpcId) own.add(eni.NetworkInterfaceId ?? "");
  let elasticIps = 0;
  for (const a of addresses) if (a.NetworkInterfaceId && own.has(a.NetworkInterfaceId)) elasticIps++;
  return { networkInterfaces: own.size, elasticIps };
}
