import { diffMaps, differ, show } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { NormalizedMskCluster } from "./normalize.js";

type MskRule = Rule<NormalizedMskCluster>;

const onOff = (on: boolean) => (on ? "on" : "off");
/** States in which a cluster serves clients, or soon will. */
const SERVING = new Set(["ACTIVE", "CREATING", "UPDATING", "REBOOTING_BROKER", "HEALING", "MAINTENANCE"]);

/** A figure the standby must at least match: fewer on the standby is a difference, more is fine. */
function atLeast(
  path: "brokers" | "storageGiB" | "zones",
  what: string,
  p: NormalizedMskCluster,
  s: NormalizedMskCluster,
) {
  const [a, b] = [p[path], s[path]];
  if (a === null || b === null || b >= a) return [];
  return [
    { path, primary: a, secondary: b, message: `the standby cluster has ${b} ${what}, the primary ${a}` },
  ];
}

function settingsDiffer(
  path: string,
  p: Readonly<Record<string, unknown>>,
  s: Readonly<Record<string, unknown>>,
  words: Readonly<Record<string, string>>,
): Difference[] {
  return diffMaps(
    path,
    p,
    s,
    (key, a, b) => `${words[key] ?? key} is ${show(b)} on the standby cluster, ${show(a)} on the primary`,
  );
}

export const mskClusterRules: MskRule[] = [
  {
    id: "msk-cluster.state",
    resourceType: "msk-cluster",
    severity: "critical",
    title: "Standby cluster serving",
    compares:
      "whether the standby's State is one that serves clients (ACTIVE, CREATING, UPDATING, HEALING, MAINTENANCE, REBOOTING_BROKER), not FAILED or DELETING",
    rationale: "A failed or deleting cluster cannot take the primary's producers and consumers.",
    remediation:
      "Recreate the standby cluster (aws kafka create-cluster-v2) and re-establish replication to it (MSK Replicator).",
    check: (p, s) =>
      SERVING.has(s.state)
        ? []
        : [
            {
              path: "state",
              primary: p.state,
              secondary: s.state,
              message: `the standby cluster is ${s.state || "(unknown)"}, the primary ${p.state || "(unknown)"}`,
            },
          ],
  },
  {
    id: "msk-cluster.cluster-type",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Cluster type",
    compares: "ClusterType (PROVISIONED or SERVERLESS)",
    rationale:
      "Serverless and provisioned clusters differ in authentication, limits and throughput: clients tuned for one break on the other.",
    remediation: "Recreate the standby with the primary's cluster type.",
    check: (p, s) =>
      differ(
        "clusterType",
        p.clusterType,
        s.clusterType,
        `the standby cluster is ${s.clusterType}, the primary ${p.clusterType}`,
      ),
  },
  {
    id: "msk-cluster.kafka-version",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Kafka version",
    compares: "the brokers' current Kafka version",
    rationale: "Another Kafka version changes protocol features and client compatibility after failover.",
    remediation: "Upgrade the older cluster (aws kafka update-cluster-kafka-version).",
    check: (p, s) =>
      p.kafkaVersion === null || s.kafkaVersion === null
        ? []
        : differ(
            "kafkaVersion",
            p.kafkaVersion,
            s.kafkaVersion,
            `the standby cluster runs Kafka ${s.kafkaVersion}, the primary ${p.kafkaVersion}`,
          ),
  },
  {
    id: "msk-cluster.broker-type",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Broker instance type",
    compares: "the broker nodes' InstanceType",
    rationale: "Smaller brokers cannot carry the primary's throughput after failover.",
    remediation: "Change the standby's broker type (aws kafka update-broker-type).",
    check: (p, s) =>
      p.brokerType === null || s.brokerType === null
        ? []
        : differ(
            "brokerType",
            p.brokerType,
            s.brokerType,
            `the standby's brokers are ${s.brokerType}, the primary's ${p.brokerType}`,
          ),
  },
  {
    id: "msk-cluster.broker-count",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Number of brokers",
    compares: "NumberOfBrokerNodes: a standby with fewer (more is fine)",
    rationale: "Fewer brokers carry less throughput and fewer partition leaders after failover.",
    remediation: "Add brokers to the standby (aws kafka update-broker-count).",
    check: (p, s) => atLeast("brokers", "brokers", p, s),
  },
  {
    id: "msk-cluster.storage",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Broker storage",
    compares: "each broker's EBS VolumeSize in GiB: a standby with less",
    rationale: "A standby with less storage cannot hold the primary's retention and fills up.",
    remediation: "Grow the standby's broker storage (aws kafka update-broker-storage).",
    check: (p, s) => atLeast("storageGiB", "GiB of storage a broker", p, s),
  },
  {
    id: "msk-cluster.zones",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Availability Zones",
    compares:
      "how many client subnets (one per Availability Zone) the brokers are spread over: a standby in fewer",
    rationale:
      "A standby in fewer zones loses the service again at the next zone failure once it is the primary.",
    remediation:
      "Recreate the standby across as many zones as the primary (the broker subnets cannot be changed in place).",
    check: (p, s) => atLeast("zones", "client subnets (Availability Zones)", p, s),
  },
  {
    id: "msk-cluster.encryption",
    resourceType: "msk-cluster",
    severity: "high",
    title: "Encryption",
    compares:
      "whether a KMS key is named for data at rest (by presence: the key differs per region), the client-broker encryption in transit, and encryption inside the cluster",
    rationale:
      "Clients that speak TLS cannot connect to a PLAINTEXT-only standby, and data the primary protects would travel or sit unprotected.",
    remediation:
      "Set the standby's encryption to the primary's (aws kafka update-security; at-rest keys are set at creation).",
    check: (p, s) =>
      settingsDiffer("encryption", p.encryption, s.encryption, {
        kmsKey: "a KMS key for data at rest",
        clientBroker: "client-broker encryption",
        inCluster: "encryption inside the cluster",
      }),
  },
  {
    id: "msk-cluster.authentication",
    resourceType: "msk-cluster",
    severity: "critical",
    title: "Client authentication",
    compares: "which ways clients may authenticate: IAM, SASL/SCRAM, TLS certificates, unauthenticated",
    rationale:
      "Clients that authenticate in a way the standby does not accept cannot connect at all after failover.",
    remediation:
      "Enable the primary's authentication methods on the standby (aws kafka update-security --client-authentication).",
    check: (p, s) =>
      diffMaps(
        "authentication",
        p.authentication,
        s.authentication,
        (key, a, b) =>
          `${{ iam: "IAM", scram: "SASL/SCRAM", tls: "TLS certificate", unauthenticated: "unauthenticated" }[key] ?? key} access is ${onOff(b === true)} on the standby cluster, ${onOff(a === true)} on the primary`,
      ),
  },
  {
    id: "msk-cluster.monitoring",
    resourceType: "msk-cluster",
    severity: "low",
    title: "Monitoring and broker logs",
    compares:
      "the enhanced monitoring level, the Prometheus exporters, and where broker logs go (by destination kind, never its name)",
    rationale: "After failover the standby must be as visible as the primary was.",
    remediation: "Set the standby's monitoring to the primary's (aws kafka update-monitoring).",
    check: (p, s) =>
      settingsDiffer("monitoring", p.monitoring, s.monitoring, {
        level: "enhanced monitoring",
        jmxExporter: "the JMX exporter",
        nodeExporter: "the node exporter",
        brokerLogs: "broker logging",
      }),
  },
];
