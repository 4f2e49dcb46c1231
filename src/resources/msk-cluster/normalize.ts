import type { Cluster } from "@aws-sdk/client-kafka";

/** What the rules compare of one MSK cluster: meaning, never ARNs, names, subnets or log groups. */
export interface NormalizedMskCluster {
  /** PROVISIONED or SERVERLESS. */
  clusterType: string;
  state: string;
  kafkaVersion: string | null;
  brokerType: string | null;
  brokers: number | null;
  /** Client subnets: one per Availability Zone the brokers are spread over. */
  zones: number;
  storageGiB: number | null;
  encryption: { kmsKey: boolean; clientBroker: string; inCluster: boolean };
  /** Each way clients may authenticate, on or off. */
  authentication: { iam: boolean; scram: boolean; tls: boolean; unauthenticated: boolean };
  monitoring: { level: string; jmxExporter: boolean; nodeExporter: boolean; brokerLogs: string[] };
}

function provisioned(c: Cluster) {
  const p = c.Provisioned;
  const auth = p?.ClientAuthentication;
  const serverlessIam = c.Serverless?.ClientAuthentication?.Sasl?.Iam?.Enabled;
  const prometheus = p?.OpenMonitoring?.Prometheus;
  const logs = p?.LoggingInfo?.BrokerLogs;
  return {
    kafkaVersion: p?.CurrentBrokerSoftwareInfo?.KafkaVersion ?? null,
    brokerType: p?.BrokerNodeGroupInfo?.InstanceType ?? null,
    brokers: p?.NumberOfBrokerNodes ?? null,
    zones: (p?.BrokerNodeGroupInfo?.ClientSubnets ?? c.Serverless?.VpcConfigs?.[0]?.SubnetIds ?? []).length,
    storageGiB: p?.BrokerNodeGroupInfo?.StorageInfo?.EbsStorageInfo?.VolumeSize ?? null,
    encryption: {
      kmsKey: Boolean(p?.EncryptionInfo?.EncryptionAtRest?.DataVolumeKMSKeyId),
      // AWS's defaults when the cluster was created without saying: TLS only, and TLS inside the cluster.
      clientBroker: p?.EncryptionInfo?.EncryptionInTransit?.ClientBroker ?? "TLS",
      inCluster: p?.EncryptionInfo?.EncryptionInTransit?.InCluster ?? true,
    },
    authentication: {
      iam: auth?.Sasl?.Iam?.Enabled ?? serverlessIam ?? false,
      scram: auth?.Sasl?.Scram?.Enabled ?? false,
      tls: auth?.Tls?.Enabled ?? Boolean(auth?.Tls?.CertificateAuthorityArnList?.length),
      unauthenticated: auth?.Unauthenticated?.Enabled ?? false,
    },
    monitoring: {
      level: p?.EnhancedMonitoring ?? "DEFAULT",
      jmxExporter: prometheus?.JmxExporter?.EnabledInBroker ?? false,
      nodeExporter: prometheus?.NodeExporter?.EnabledInBroker ?? false,
      brokerLogs: [
        ...(logs?.CloudWatchLogs?.Enabled ? ["CloudWatch Logs"] : []),
        ...(logs?.Firehose?.Enabled ? ["Firehose"] : []),
        ...(logs?.S3?.Enabled ? ["S3"] : []),
      ],
    },
  };
}

export function normalizeMskCluster(c: Cluster): NormalizedMskCluster {
  return { clusterType: c.ClusterType ?? "PROVISIONED", state: c.State ?? "", ...provisioned(c) };
}
