/**
 * MSK cluster pairs on other subnets, KMS key ARNs and log groups per region: twins alike in
 * meaning, and a planted difference. The emulator writes a cluster's creationTime in a form the
 * SDK refuses: scan them through a proxy applying mskCreationTimeRfc3339 (moto-workarounds.ts).
 */
import { CreateClusterCommand, KafkaClient, type CreateClusterCommandInput } from "@aws-sdk/client-kafka";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { callerAccount, drTags, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export interface MskShape {
  version: string;
  brokerType: string;
  brokers: number;
  subnets: number;
  storage: number;
  clientBroker: "TLS" | "TLS_PLAINTEXT" | "PLAINTEXT";
  iam: boolean;
  monitoring: "DEFAULT" | "PER_BROKER";
}

export const MSK: MskShape = {
  version: "3.5.1",
  brokerType: "kafka.m5.large",
  brokers: 3,
  subnets: 3,
  storage: 1000,
  clientBroker: "TLS",
  iam: true,
  monitoring: "PER_BROKER",
};

function clusterInput(
  at: { account: string; region: string },
  name: string,
  shape: MskShape,
): CreateClusterCommandInput {
  return {
    ClusterName: name,
    KafkaVersion: shape.version,
    NumberOfBrokerNodes: shape.brokers,
    BrokerNodeGroupInfo: {
      InstanceType: shape.brokerType,
      ClientSubnets: Array.from({ length: shape.subnets }, (_, i) => `subnet-${name}-${i}`),
      StorageInfo: { EbsStorageInfo: { VolumeSize: shape.storage } },
    },
    EncryptionInfo: {
      EncryptionAtRest: { DataVolumeKMSKeyId: `arn:aws:kms:${at.region}:${at.account}:key/kafka` },
      EncryptionInTransit: { ClientBroker: shape.clientBroker, InCluster: true },
    },
    ClientAuthentication: { Sasl: { Iam: { Enabled: shape.iam } } },
    EnhancedMonitoring: shape.monitoring,
    LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: `kafka-${at.region}` } } },
  };
}

/** A cluster named `name` shaped `shape` on subnets of its own, tagged `tags`; its ARN. */
export async function createMskCluster(
  aws: AwsClients,
  at: { account: string; region: string },
  name: string,
  shape: MskShape,
  tags: Record<string, string> = { team: "data" },
): Promise<string> {
  const out = await aws
    .get(KafkaClient, at.region)
    .send(new CreateClusterCommand({ ...clusterInput(at, name, shape), Tags: tags }));
  return required(out.ClusterArn, `ARN for MSK cluster ${name}`);
}

/** The standby with `standby` over MSK, then its tagged primary shaped MSK. */
export async function createMskPair(
  aws: AwsClients,
  r: PairRegions & { account: string },
  names: { primary: string; standby: string },
  standby: Partial<MskShape> = {},
) {
  const { account } = r;
  const standbyArn = await createMskCluster(aws, { account, region: r.standbyRegion }, names.standby, {
    ...MSK,
    ...standby,
  });
  const primaryArn = await createMskCluster(
    aws,
    { account, region: r.primaryRegion },
    names.primary,
    MSK,
    drTags(standbyArn),
  );
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildMskClusterPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const at = { ...r, account: await callerAccount(aws) };
  const identical = [await createMskPair(aws, at, twinNames("role", "events", r))];
  const planted = [
    {
      ...(await createMskPair(aws, at, twinNames("casing", "clicks", r), { brokers: 2 })),
      ruleId: "msk-cluster.broker-count",
    },
  ];
  return { type: "msk-cluster", identical, planted };
}
