/**
 * Classic load balancer pairs in other zones with other certificate ARNs: twins alike in meaning,
 * and a planted difference.
 */
import {
  ConfigureHealthCheckCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingClient,
  ModifyLoadBalancerAttributesCommand,
  type HealthCheck,
  type Listener,
  type LoadBalancerAttributes,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { callerAccount, drTagList, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export interface ClassicShape {
  scheme: string;
  /** Zone letters, in the load balancer's region. */
  zones: string[];
  /** Listeners without their certificate, added per region. */
  listeners: Listener[];
  healthCheck: HealthCheck;
  attributes: LoadBalancerAttributes;
}

export const CLASSIC: ClassicShape = {
  scheme: "internet-facing",
  zones: ["a", "b"],
  listeners: [
    { Protocol: "HTTP", LoadBalancerPort: 80, InstanceProtocol: "HTTP", InstancePort: 8080 },
    { Protocol: "HTTPS", LoadBalancerPort: 443, InstanceProtocol: "HTTP", InstancePort: 8080 },
  ],
  healthCheck: {
    Target: "HTTP:8080/health",
    Interval: 15,
    Timeout: 5,
    UnhealthyThreshold: 3,
    HealthyThreshold: 4,
  },
  attributes: {
    CrossZoneLoadBalancing: { Enabled: true },
    ConnectionDraining: { Enabled: true, Timeout: 120 },
    ConnectionSettings: { IdleTimeout: 90 },
  },
};

export const classicArn = (at: { account: string; region: string }, name: string) =>
  `arn:aws:elasticloadbalancing:${at.region}:${at.account}:loadbalancer/${name}`;

/**
 * A classic load balancer shaped `shape`, its HTTPS listeners on an IAM server certificate of its
 * region (the emulator checks that ACM certificates exist, not IAM ones); its ARN.
 */
export async function createClassicLoadBalancer(
  aws: AwsClients,
  at: { account: string; region: string },
  name: string,
  shape: ClassicShape,
  tags: Tag[] = [{ Key: "team", Value: "web" }],
): Promise<string> {
  const certificate = `arn:aws:iam::${at.account}:server-certificate/web-${at.region}`;
  const elb = aws.get(ElasticLoadBalancingClient, at.region);
  await elb.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: name,
      Scheme: shape.scheme,
      AvailabilityZones: shape.zones.map((z) => `${at.region}${z}`),
      Listeners: shape.listeners.map((l) =>
        l.Protocol === "HTTPS" ? { ...l, SSLCertificateId: certificate } : l,
      ),
      Tags: tags,
    }),
  );
  await elb.send(new ConfigureHealthCheckCommand({ LoadBalancerName: name, HealthCheck: shape.healthCheck }));
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerName: name,
      LoadBalancerAttributes: shape.attributes,
    }),
  );
  return classicArn(at, name);
}

/** The standby with `standby` over CLASSIC, then its tagged primary shaped CLASSIC. */
export async function createClassicPair(
  aws: AwsClients,
  r: PairRegions & { account: string },
  names: { primary: string; standby: string },
  standby: Partial<ClassicShape> = {},
) {
  const standbyArn = await createClassicLoadBalancer(
    aws,
    { account: r.account, region: r.standbyRegion },
    names.standby,
    { ...CLASSIC, ...standby },
  );
  const primaryArn = await createClassicLoadBalancer(
    aws,
    { account: r.account, region: r.primaryRegion },
    names.primary,
    CLASSIC,
    drTagList(standbyArn),
  );
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildClassicLoadBalancerPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const at = { ...r, account: await callerAccount(aws) };
  const identical = [await createClassicPair(aws, at, twinNames("region-code", "legacy-web", r))];
  const planted = [
    {
      ...(await createClassicPair(aws, at, twinNames("role", "legacy-api", r), {
        healthCheck: { ...CLASSIC.healthCheck, Target: "TCP:8080" },
      })),
      ruleId: "classic-load-balancer.health-check",
    },
  ];
  return { type: "classic-load-balancer", identical, planted };
}
