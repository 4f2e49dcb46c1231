import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedMskCluster } from "./normalize.js";

const cluster = (over: Partial<NormalizedMskCluster> = {}): NormalizedMskCluster => ({
  clusterType: "PROVISIONED",
  state: "ACTIVE",
  kafkaVersion: "3.5.1",
  brokerType: "kafka.m5.large",
  brokers: 3,
  zones: 3,
  storageGiB: 1000,
  encryption: { kmsKey: true, clientBroker: "TLS", inCluster: true },
  authentication: { iam: true, scram: false, tls: false, unauthenticated: false },
  monitoring: {
    level: "PER_BROKER",
    jmxExporter: false,
    nodeExporter: false,
    brokerLogs: ["CloudWatch Logs"],
  },
  ...over,
});

export const cases: RuleCases<NormalizedMskCluster> = {
  "msk-cluster.state": {
    pass: [cluster(), cluster({ state: "CREATING" })],
    fail: [cluster(), cluster({ state: "FAILED" })],
    paths: ["state"],
  },
  "msk-cluster.cluster-type": {
    pass: [cluster(), cluster()],
    fail: [cluster(), cluster({ clusterType: "SERVERLESS" })],
    paths: ["clusterType"],
  },
  "msk-cluster.kafka-version": {
    pass: [cluster(), cluster()],
    fail: [cluster(), cluster({ kafkaVersion: "2.8.1" })],
    paths: ["kafkaVersion"],
  },
  "msk-cluster.broker-type": {
    pass: [cluster(), cluster()],
    fail: [cluster(), cluster({ brokerType: "kafka.t3.small" })],
    paths: ["brokerType"],
  },
  "msk-cluster.broker-count": {
    pass: [cluster(), cluster({ brokers: 6 })],
    fail: [cluster(), cluster({ brokers: 2 })],
    paths: ["brokers"],
  },
  "msk-cluster.storage": {
    pass: [cluster(), cluster()],
    fail: [cluster(), cluster({ storageGiB: 100 })],
    paths: ["storageGiB"],
  },
  "msk-cluster.zones": {
    pass: [cluster(), cluster()],
    fail: [cluster(), cluster({ zones: 2 })],
    paths: ["zones"],
  },
  "msk-cluster.encryption": {
    pass: [cluster(), cluster()],
    fail: [
      cluster(),
      cluster({ encryption: { kmsKey: true, clientBroker: "TLS_PLAINTEXT", inCluster: false } }),
    ],
    paths: ["encryption.clientBroker", "encryption.inCluster"],
  },
  "msk-cluster.authentication": {
    pass: [cluster(), cluster()],
    fail: [
      cluster(),
      cluster({ authentication: { iam: false, scram: true, tls: false, unauthenticated: false } }),
    ],
    paths: ["authentication.iam", "authentication.scram"],
  },
  "msk-cluster.monitoring": {
    pass: [cluster(), cluster()],
    fail: [
      cluster(),
      cluster({ monitoring: { level: "DEFAULT", jmxExporter: false, nodeExporter: false, brokerLogs: [] } }),
    ],
    paths: ["monitoring.level", "monitoring.brokerLogs"],
  },
};
