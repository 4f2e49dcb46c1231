import { diffSets, differ } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import { addedBy, quotaDifferences, uncheckedQuota } from "../quota-check.js";
import { TIERS, type NormalizedVpc, type Tier, type TierName } from "./normalize.js";

type VpcRule = Rule<NormalizedVpc>;

/** Services a private subnet without a NAT gateway can only reach through an endpoint. */
const ESSENTIAL_SERVICES = new Set(["s3", "ssm", "secretsmanager", "ecr.api", "ecr.dkr"]);

const subnetsWord = (n: number) => `${n} subnet${n === 1 ? "" : "s"}`;
const zonesWord = (n: number) => `${n} Availability Zone${n === 1 ? "" : "s"}`;

const ENDPOINT_TYPE_WORDS: Readonly<Record<string, string>> = {
  Gateway: "a gateway endpoint",
  Interface: "an interface endpoint",
  GatewayLoadBalancer: "a Gateway Load Balancer endpoint",
  Resource: "a resource endpoint",
  ServiceNetwork: "a service network endpoint",
};
const endpointWords = (type: string) => ENDPOINT_TYPE_WORDS[type] ?? `a ${type} endpoint`;

/** Each tier present on either side, with both sides' view of it. */
function eachTier(
  p: NormalizedVpc,
  s: NormalizedVpc,
  check: (tier: TierName, p: Tier, s: Tier) => Difference[],
) {
  return TIERS.flatMap((tier) => check(tier, p.tiers[tier], s.tiers[tier]));
}

/** How much of a private tier reaches the internet through NAT: 2 all, 1 some, 0 none. */
function natReach(tier: Tier): number {
  if (tier.withoutNat === 0) return 2;
  return tier.withoutNat < tier.subnets ? 1 : 0;
}

function natWords(tier: Tier): string {
  const reach = natReach(tier);
  if (reach === 2) return `all ${subnetsWord(tier.subnets)} route to the internet through NAT`;
  if (reach === 1)
    return `${tier.withoutNat} of ${subnetsWord(tier.subnets)} have no route to the internet through NAT`;
  return `none of ${subnetsWord(tier.subnets)} route to the internet through NAT`;
}

function missingEndpoint(service: string, type: string, s: NormalizedVpc): Difference {
  const isolated = s.tiers.private.subnets > 0 && s.tiers.private.withoutNat > 0;
  return {
    path: `endpoints.${service}`,
    primary: type,
    secondary: null,
    message: isolated
      ? `the standby has no VPC endpoint for ${service} (the primary has ${endpointWords(type)}) and ${s.tiers.private.withoutNat} of its ${subnetsWord(s.tiers.private.subnets)} in the private tier have no NAT either: they cannot reach ${service} at all`
      : `the standby has no VPC endpoint for ${service}, the primary has ${endpointWords(type)}: its traffic to ${service} leaves through NAT instead`,
    ...(isolated && ESSENTIAL_SERVICES.has(service) ? { severity: "high" as const } : {}),
  };
}

function endpointDifferences(p: NormalizedVpc, s: NormalizedVpc): Difference[] {
  const out: Difference[] = [];
  for (const [service, type] of Object.entries(p.endpoints).sort()) {
    const other = s.endpoints[service];
    if (other === undefined) out.push(missingEndpoint(service, type, s));
    else if (other !== type)
      out.push({
        path: `endpoints.${service}`,
        primary: type,
        secondary: other,
        message: `the standby's endpoint for ${service} is ${endpointWords(other)}, the primary's ${endpointWords(type)}`,
      });
  }
  for (const [service, type] of Object.entries(s.endpoints).sort())
    if (p.endpoints[service] === undefined)
      out.push({
        path: `endpoints.${service}`,
        primary: null,
        secondary: type,
        severity: "low",
        message: `the standby has ${endpointWords(type)} for ${service} that the primary lacks`,
      });
  return [
    ...out,
    ...differ(
      "privateLinkEndpoints",
      p.privateLinkEndpoints,
      s.privateLinkEndpoints,
      `the standby has ${s.privateLinkEndpoints} endpoints to PrivateLink endpoint services, the primary ${p.privateLinkEndpoints}`,
    ),
  ];
}

/**
 * Whether the standby's region holds, within its quota, what it uses now plus the network
 * interfaces (or Elastic IPs) the primary's VPC has beyond the standby's.
 */
function regionQuotaCheck(which: "networkInterfaces" | "elasticIps", unit: string) {
  const path = `regionQuotas.${which}`;
  return (p: NormalizedVpc, s: NormalizedVpc) => {
    const usage = s.regionQuotas?.[which];
    if (!usage || !p.footprint || !s.footprint) return [];
    const added = addedBy(p.footprint[which], s.footprint[which]);
    if ("error" in added)
      return [
        uncheckedQuota(path, usage.quota, usage.region, `what a failover adds is not known: ${added.error}`),
      ];
    return quotaDifferences({
      path,
      usage,
      adds: added.adds,
      unit,
      because: `the primary's VPC has ${added.adds} more ${unit} than the standby's`,
    });
  };
}

export const vpcRules: VpcRule[] = [
  {
    id: "vpc.network-interface-quota",
    resourceType: "vpc",
    severity: "high",
    title: "Standby region's network interface quota",
    compares:
      "the standby region's network interfaces in use (DescribeNetworkInterfaces) plus those the primary's VPC has beyond the standby's, against the Network interfaces per Region quota (Service Quotas, vpc L-DF5E4CA3, applied else default); a quota that cannot be read is a low finding saying so",
    rationale:
      "Instances, load balancers, NAT gateways and VPC Lambda functions each need network interfaces; past the quota they fail to start exactly when the standby takes the load, and an increase can take days.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-DF5E4CA3 --desired-value N --region REGION (N: the total the finding names).",
    check: regionQuotaCheck("networkInterfaces", "network interfaces"),
  },
  {
    id: "vpc.elastic-ip-quota",
    resourceType: "vpc",
    severity: "high",
    title: "Standby region's Elastic IP quota",
    compares:
      "the standby region's Elastic IPs allocated (DescribeAddresses) plus those associated in the primary's VPC beyond the standby's, against the EC2-VPC Elastic IPs quota (Service Quotas, ec2 L-0263D0A3, applied else default); a quota that cannot be read is a low finding saying so",
    rationale:
      "NAT gateways and public endpoints that need an Elastic IP cannot be created in the standby past the quota, so its private subnets lose their way out or its public addresses are missing after failover.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value N --region REGION (N: the total the finding names).",
    check: regionQuotaCheck("elasticIps", "Elastic IPs"),
  },
  {
    id: "vpc.cidr-prefix",
    resourceType: "vpc",
    severity: "medium",
    title: "Size of the VPC's CIDR block",
    compares:
      "the prefix length of each VPC's primary IPv4 CIDR block (never the address, which differs by design)",
    rationale:
      "A smaller standby network leaves less room for the subnets and addresses the fleet needs after failover.",
    remediation:
      "Add a secondary CIDR block to the standby VPC (aws ec2 associate-vpc-cidr-block) or rebuild it with the primary's prefix length.",
    check: (p, s) =>
      differ(
        "prefixLength",
        p.prefixLength,
        s.prefixLength,
        `the standby VPC is a /${s.prefixLength}, the primary a /${p.prefixLength}`,
      ),
  },
  {
    id: "vpc.subnets",
    resourceType: "vpc",
    severity: "medium",
    title: "Subnets per tier",
    compares:
      "how many public subnets (default route to an attached internet gateway, through their own or the main route table) and private subnets each VPC has",
    rationale:
      "Load balancers, groups and databases are placed by tier; a tier with fewer subnets changes where the standby can run them.",
    remediation:
      "Create the missing subnets in the standby VPC (aws ec2 create-subnet) and associate them with the tier's route table.",
    check: (p, s) =>
      eachTier(p, s, (tier, pt, st) =>
        differ(
          `tiers.${tier}.subnets`,
          pt.subnets,
          st.subnets,
          `the standby has ${subnetsWord(st.subnets)} in its ${tier} tier, the primary ${pt.subnets}`,
        ),
      ),
  },
  {
    id: "vpc.zones",
    resourceType: "vpc",
    severity: "high",
    title: "Availability Zones per tier",
    compares: "how many Availability Zones the public and the private subnets of each VPC span",
    rationale:
      "A standby whose tier spans fewer zones survives fewer zone failures and cannot spread the fleet as the primary does once it carries all traffic.",
    remediation:
      "Create subnets of the tier in the missing zones of the standby VPC (aws ec2 create-subnet --availability-zone ...).",
    check: (p, s) =>
      eachTier(p, s, (tier, pt, st) =>
        differ(
          `tiers.${tier}.zones`,
          pt.zones,
          st.zones,
          `the standby's ${tier} subnets span ${zonesWord(st.zones)}, the primary's ${pt.zones}`,
        ).map((d) => (st.zones > pt.zones ? { ...d, severity: "low" as const } : d)),
      ),
  },
  {
    id: "vpc.free-addresses",
    resourceType: "vpc",
    severity: "high",
    title: "Free addresses for the failed-over fleet",
    compares:
      "per tier, the standby's free IPv4 addresses (AvailableIpAddressCount summed) against the addresses the primary's subnets of that tier use",
    rationale:
      "When the standby takes the primary's load its fleet needs as many addresses as the primary uses; without them instances and interfaces fail to launch.",
    remediation:
      "Add subnets (or a secondary CIDR block and subnets in it) to the standby's tier, or free addresses held by unused interfaces there.",
    check: (p, s) =>
      eachTier(p, s, (tier, pt, st) => {
        const used = pt.addresses - pt.free;
        if (st.free >= used) return [];
        return [
          {
            path: `tiers.${tier}.free`,
            primary: used,
            secondary: st.free,
            message: `the standby's ${tier} subnets have ${st.free} free addresses, the primary's use ${used}: the failed-over fleet will not fit`,
          },
        ];
      }),
  },
  {
    id: "vpc.nat",
    resourceType: "vpc",
    severity: "high",
    title: "Private subnets' way out (NAT)",
    compares:
      "whether the private subnets of each VPC have a default route through a NAT gateway that is available (or a NAT instance): all, some or none of them",
    rationale:
      "Instances in a private subnet without NAT reach neither the internet nor AWS services without an endpoint: package installs, registries and APIs time out after failover.",
    remediation:
      "Create a NAT gateway in a public subnet of the standby (aws ec2 create-nat-gateway) and add 0.0.0.0/0 through it to the private route tables (aws ec2 create-route --nat-gateway-id ...).",
    check: (p, s) => {
      const [pt, st] = [p.tiers.private, s.tiers.private];
      if (pt.subnets === 0 || st.subnets === 0 || natReach(st) >= natReach(pt)) return [];
      return [
        {
          path: "tiers.private.nat",
          primary: pt.subnets - pt.withoutNat,
          secondary: st.subnets - st.withoutNat,
          message: `on the standby ${natWords(st)}; on the primary ${natWords(pt)}`,
        },
      ];
    },
  },
  {
    id: "vpc.internet-gateway",
    resourceType: "vpc",
    severity: "critical",
    title: "Internet gateway",
    compares: "whether an internet gateway is attached to each VPC",
    rationale:
      "Without an internet gateway the standby has no public subnets: an internet-facing load balancer there receives nothing.",
    remediation:
      "Create and attach one to the standby VPC (aws ec2 create-internet-gateway, aws ec2 attach-internet-gateway) and route 0.0.0.0/0 of the public route table to it.",
    check: (p, s) =>
      differ(
        "internetGateway",
        p.internetGateway,
        s.internetGateway,
        s.internetGateway
          ? "the standby has an internet gateway attached, the primary has none"
          : "the standby has no internet gateway attached, the primary has one",
      ).map((d) => (s.internetGateway ? { ...d, severity: "low" as const } : d)),
  },
  {
    id: "vpc.endpoints",
    resourceType: "vpc",
    severity: "medium",
    title: "VPC endpoints by service",
    compares:
      "the services each VPC has an endpoint for, without their region (com.amazonaws.us-east-1.s3 and com.amazonaws.eu-west-1.s3 are both s3), with their type; endpoints to PrivateLink endpoint services by count",
    rationale:
      "A standby without the primary's endpoint for S3, SSM, Secrets Manager or ECR sends that traffic through NAT, or, with no NAT, cannot reach the service at all: instances fail to start, pull images or read secrets after failover (high then).",
    remediation:
      "Create the endpoint in the standby VPC: aws ec2 create-vpc-endpoint --region STANDBY_REGION --vpc-id STANDBY_VPC_ID --service-name com.amazonaws.STANDBY_REGION.SERVICE, with --vpc-endpoint-type Gateway --route-table-ids (the private route tables) for s3 and dynamodb, or --vpc-endpoint-type Interface --subnet-ids (the private subnets) --security-group-ids ... --private-dns-enabled for the others.",
    check: endpointDifferences,
  },
  {
    id: "vpc.dns",
    resourceType: "vpc",
    severity: "high",
    title: "DNS support and DNS hostnames",
    compares: "the VPC attributes enableDnsSupport and enableDnsHostnames",
    rationale:
      "Without DNS support instances cannot resolve names through the VPC's resolver; without DNS hostnames the private DNS names of interface endpoints and private hosted zones do not resolve.",
    remediation:
      "aws ec2 modify-vpc-attribute --vpc-id STANDBY_VPC_ID --enable-dns-support '{\"Value\":true}' (and --enable-dns-hostnames likewise, one attribute a call) to match the primary.",
    check: (p, s) => [
      ...differ(
        "dnsSupport",
        p.dnsSupport,
        s.dnsSupport,
        `DNS support is ${s.dnsSupport ? "on" : "off"} on the standby, ${p.dnsSupport ? "on" : "off"} on the primary`,
      ),
      ...differ(
        "dnsHostnames",
        p.dnsHostnames,
        s.dnsHostnames,
        `DNS hostnames are ${s.dnsHostnames ? "on" : "off"} on the standby, ${p.dnsHostnames ? "on" : "off"} on the primary`,
      ),
    ],
  },
  {
    id: "vpc.route-targets",
    resourceType: "vpc",
    severity: "medium",
    title: "Kinds of route targets per tier",
    compares:
      "per tier, the kinds of targets its route tables reach: transit gateway, peering connection, virtual private gateway, egress-only internet gateway, instance or network interface, local, carrier gateway, core network (internet and NAT gateways and gateway endpoints have their own rules)",
    rationale:
      "A standby tier without the primary's route to a transit gateway, a peering or a VPN cannot reach the databases, on-premises systems or shared services the workload calls.",
    remediation:
      "Create the missing attachment (transit gateway attachment, peering connection, VPN gateway) for the standby VPC and add the route to the tier's route tables (aws ec2 create-route).",
    check: (p, s) =>
      eachTier(p, s, (tier, pt, st) =>
        diffSets(
          (kind) => `tiers.${tier}.routeTargets.${kind}`,
          pt.routeTargets,
          st.routeTargets,
          `a route of its ${tier} subnets to a`,
        ),
      ),
  },
];
