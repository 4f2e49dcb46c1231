import { ACMClient } from "@aws-sdk/client-acm";
import { AttachLoadBalancerTargetGroupsCommand, AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { importCertificate, makeCertificate } from "./certificates.js";
import { buildImages, buildWebTier } from "./compute.js";
import { buildDatabase, type Database } from "./database.js";
import { buildDns, type DnsPair } from "./dns.js";
import { buildLoadBalancerSide, type BuiltSide, type SideSpec } from "./load-balancer.js";
import { buildNetwork, type Network } from "./network.js";
import {
  DEFAULT_WORLD,
  MAX_WORLD_PAIRS,
  pairNames,
  pairType,
  regionTag,
  type NamingStyle,
  type Side,
  type WorldOptions,
} from "./options.js";
import { buildParameters } from "./parameters.js";
import { pool } from "../../src/util/pool.js";
import { plantsFor, type Plant } from "./plants.js";

export interface WorldPair {
  index: number;
  /** The pair's name: its primary load balancer's. */
  name: string;
  standbyName: string;
  /** How the two sides are named (same, role-suffix, region-code, colour, dr-prefix, unrelated). */
  naming: NamingStyle;
  type: "application" | "network";
  primaryArn: string;
  standbyArn: string;
  plants: string[];
}

export interface PlantedDifference {
  pair: string;
  id: string;
  description: string;
  expect: Plant["expect"];
}

/** What was built: enough for a person (and a test) to know what a scan ought to find. */
export interface World {
  options: WorldOptions;
  pairs: WorldPair[];
  plants: PlantedDifference[];
  database: Database;
  images: { primaryImageId: string; standbyImageId: string };
  hostedZoneId: string;
  parameters: string[];
  /** Where runbooks tell people: an SNS topic in the standby region (it must work when the primary does not). */
  topicArn: string;
}

interface RegionBase {
  region: string;
  network: Network;
  certificates: { defaultArn: string; sniArn: string; nearExpirySniArn?: string };
}

async function buildRegionBase(
  aws: AwsClients,
  region: string,
  side: Side,
  pems: ReturnType<typeof makePems>,
  appGroupName = "app",
): Promise<RegionBase> {
  const network = await buildNetwork(
    aws.get(EC2Client, region),
    region,
    side === "primary" ? "10.0" : "10.1",
    appGroupName,
  );
  const acm = aws.get(ACMClient, region);
  const defaultArn = await importCertificate(acm, pems.default, "wildcard");
  const sniArn = await importCertificate(acm, pems.sni, "api");
  const nearExpirySniArn =
    side === "standby" ? await importCertificate(acm, pems.nearExpirySni, "api-renewal-missed") : undefined;
  return {
    region,
    network,
    certificates: { defaultArn, sniArn, ...(nearExpirySniArn ? { nearExpirySniArn } : {}) },
  };
}

function makePems() {
  return {
    default: makeCertificate(
      {
        commonName: "*.example.com",
        subjectAlternativeNames: ["*.example.com", "example.com"],
        validDays: 395,
      },
      1,
    ),
    sni: makeCertificate(
      { commonName: "api.example.org", subjectAlternativeNames: ["api.example.org"], validDays: 395 },
      2,
    ),
    nearExpirySni: makeCertificate(
      { commonName: "api.example.org", subjectAlternativeNames: ["api.example.org"], validDays: 10 },
      3,
    ),
  };
}

/**
 * Builds a typical warm-standby world in the emulator (or any account the clients reach):
 * shared network, certificates, images, web tier, database, parameters, N load-balancer pairs
 * and the DNS in front of them. Returns the manifest, planted differences included.
 */
export async function buildWorld(
  aws: AwsClients,
  partial: Partial<WorldOptions> = {},
  log: (line: string) => void = () => {},
): Promise<World> {
  const options: WorldOptions = { ...DEFAULT_WORLD, ...partial };
  if (!Number.isInteger(options.pairs) || options.pairs < 1 || options.pairs > MAX_WORLD_PAIRS) {
    throw new RangeError(`pairs must be a whole number from 1 to ${MAX_WORLD_PAIRS}, got ${options.pairs}`);
  }
  const { primaryRegion, standbyRegion } = options;
  const pems = makePems();
  log(`building shared network and certificates in ${primaryRegion} and ${standbyRegion}`);
  const [primary, standby] = await Promise.all([
    buildRegionBase(aws, primaryRegion, "primary", pems),
    buildRegionBase(aws, standbyRegion, "standby", pems, `app-${regionTag(standbyRegion)}`),
  ]);
  log("building images, web tier, database and parameters");
  const images = await buildImages(
    aws.get(EC2Client, primaryRegion),
    aws.get(EC2Client, standbyRegion),
    primaryRegion,
    primary.network.subnetIds[0] ?? "",
  );
  const [primaryWeb] = await Promise.all([
    buildWebTier(aws.get(EC2Client, primaryRegion), aws.get(AutoScalingClient, primaryRegion), {
      imageId: images.primaryImageId,
      subnetIds: primary.network.subnetIds,
      securityGroupId: primary.network.appSecurityGroupId,
      desired: 2,
    }),
    buildWebTier(aws.get(EC2Client, standbyRegion), aws.get(AutoScalingClient, standbyRegion), {
      imageId: images.standbyImageId,
      subnetIds: standby.network.subnetIds,
      securityGroupId: standby.network.appSecurityGroupId,
      desired: 0,
    }),
  ]);
  const topic = await aws.get(SNSClient, standbyRegion).send(new CreateTopicCommand({ Name: "dr-oncall" }));
  const database = await buildDatabase(aws.get(RDSClient, primaryRegion), aws.get(RDSClient, standbyRegion));
  const [parameters] = await Promise.all([
    buildParameters(aws.get(SSMClient, primaryRegion), {
      dbEndpoint: database.primaryEndpoint,
      imageId: images.primaryImageId,
      bucket: `app-assets-${primaryRegion}`,
      role: "primary",
    }),
    buildParameters(aws.get(SSMClient, standbyRegion), {
      dbEndpoint: database.replicaEndpoint,
      imageId: images.standbyImageId,
      bucket: `app-assets-${standbyRegion}`,
      role: "standby",
    }),
  ]);

  log(`building ${options.pairs} load-balancer pairs`);
  const indexes = Array.from({ length: options.pairs }, (_, i) => i + 1);
  let done = 0;
  const built = await pool(indexes, options.concurrency, async (index) => {
    const names = pairNames(index, { primary: primaryRegion, standby: standbyRegion }, options.styledSides);
    const name = names.loadBalancer.primary;
    const type = pairType(index);
    const plants = plantsFor(index, type);
    // Plants of one pair touch different settings, but may share the targetGroups map: merge it too.
    const deviation = plants.reduce<Plant["standby"]>(
      (merged, p) => ({
        ...merged,
        ...p.standby,
        targetGroups: { ...merged.targetGroups, ...p.standby.targetGroups },
      }),
      {},
    );
    const side = (base: RegionBase, role: Side, tags: Tag[]): SideSpec => ({
      name: names.loadBalancer[role],
      targetGroupWord: names.targetGroupWord[role],
      type,
      region: base.region,
      network: base.network,
      certificates: base.certificates,
      accessLogBucket: `drctl-demo-logs-${base.region}`,
      tags,
      reverseOrder: role === "standby",
      targetInstanceIds: role === "primary" ? primaryWeb.instanceIds : [],
      variation:
        role === "standby"
          ? {
              ...deviation,
              ...(deviation.nearExpirySni ? { sniCertificateArn: base.certificates.nearExpirySniArn } : {}),
            }
          : {},
    });
    const standbySide = await buildLoadBalancerSide(
      aws.get(EC2Client, standbyRegion),
      aws.get(ElasticLoadBalancingV2Client, standbyRegion),
      side(standby, "standby", [
        { Key: "enable", Value: "true" },
        { Key: "isPrimary", Value: "false" },
        { Key: "app", Value: name },
      ]),
    );
    // People type these tags by hand: every sixth pair has stray spaces and capitals in the values.
    const sloppy = index % 6 === 0;
    const primarySide = await buildLoadBalancerSide(
      aws.get(EC2Client, primaryRegion),
      aws.get(ElasticLoadBalancingV2Client, primaryRegion),
      side(primary, "primary", [
        { Key: "enable", Value: sloppy ? " True" : "true" },
        { Key: "isPrimary", Value: sloppy ? "TRUE " : "true" },
        { Key: "secondaryARN", Value: sloppy ? ` ${standbySide.arn} ` : standbySide.arn },
        { Key: "app", Value: name },
      ]),
    );
    done++;
    if (done % 50 === 0) log(`  ${done}/${options.pairs} pairs`);
    return { index, name, naming: names.style, type, plants, primarySide, standbySide };
  });

  // The web tier serves through the first pair: scaled instances register in its app target group
  // in either region, so a failover can wait until the standby's targets are healthy.
  const first = built.find((b) => b.index === 1);
  if (first) {
    const sides: [string, BuiltSide][] = [
      [primaryRegion, first.primarySide],
      [standbyRegion, first.standbySide],
    ];
    await Promise.all(
      sides.map(([region, side]) =>
        aws.get(AutoScalingClient, region).send(
          new AttachLoadBalancerTargetGroupsCommand({
            AutoScalingGroupName: "web",
            TargetGroupARNs: [side.targetGroupArns.app ?? ""],
          }),
        ),
      ),
    );
  }

  log("building DNS: hosted zone, health checks, alias and failover records");
  const dnsPairs: DnsPair[] = built.map((b) => ({
    name: b.name,
    primary: b.primarySide,
    standby: b.standbySide,
    ...(b.plants.some((p) => p.standby.skipStandbyAlias) ? { skipStandbyAlias: true } : {}),
  }));
  const dns = await buildDns(aws.get(Route53Client, primaryRegion), {
    domain: options.domain,
    primaryRegion,
    standbyRegion,
    pairs: dnsPairs,
  });

  return {
    options,
    pairs: built.map((b) => ({
      index: b.index,
      name: b.name,
      standbyName: b.standbySide.name,
      naming: b.naming,
      type: b.type,
      primaryArn: b.primarySide.arn,
      standbyArn: b.standbySide.arn,
      plants: b.plants.map((p) => p.id),
    })),
    plants: built.flatMap((b) =>
      b.plants.map((p) => ({
        pair: b.name,
        id: p.id,
        description: p.description,
        expect: {
          ...p.expect,
          path: p.expect.path
            .replace("{pair}", b.name)
            .replace("{primaryRegion}", regionTag(primaryRegion))
            .replace("{domain}", options.domain),
        },
      })),
    ),
    database,
    images,
    hostedZoneId: dns.hostedZoneId,
    parameters,
    topicArn: topic.TopicArn ?? "",
  };
}

export type { BuiltSide };

/**
 * What the demo changes between two scans: pair 2's planted idle timeout is fixed and pair 1's
 * standby gets an old TLS policy, so the second scan reports one new and one resolved finding.
 */
export async function changeWorld(world: World, aws: AwsClients): Promise<void> {
  const elb = aws.get(ElasticLoadBalancingV2Client, world.options.standbyRegion);
  const byIndex = (index: number) => world.pairs.find((p) => p.index === index);
  const fixed = byIndex(2);
  if (fixed) {
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: fixed.standbyArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "60" }],
      }),
    );
  }
  const broken = byIndex(1);
  if (broken) {
    const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: broken.standbyArn }));
    const secure = listeners.Listeners?.find((l) => l.Port === 443);
    if (secure)
      await elb.send(
        new ModifyListenerCommand({
          ListenerArn: secure.ListenerArn,
          SslPolicy: "ELBSecurityPolicy-2016-08",
        }),
      );
  }
}
