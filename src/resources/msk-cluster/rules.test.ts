import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { normalizeMskCluster } from "./normalize.js";
import { cases } from "./rules.cases.js";
import { mskClusterRules } from "./rules.js";

runRuleCases(mskClusterRules, cases);

describe("MSK cluster rules", () => {
  it("compares the at-rest KMS key by presence and broker logs by destination kind, never by ARN or name", () => {
    const described = (region: string) =>
      normalizeMskCluster({
        ClusterType: "PROVISIONED",
        State: "ACTIVE",
        Provisioned: {
          NumberOfBrokerNodes: 3,
          BrokerNodeGroupInfo: {
            InstanceType: "kafka.m5.large",
            ClientSubnets: [`subnet-${region}-1`, `subnet-${region}-2`],
          },
          EncryptionInfo: {
            EncryptionAtRest: { DataVolumeKMSKeyId: `arn:aws:kms:${region}:123456789012:key/k` },
          },
          LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: `kafka-${region}` } } },
        },
      });
    const [p, s] = [described("us-east-1"), described("eu-west-1")];
    expect(mskClusterRules.flatMap((r) => r.check(p, s, SETTINGS))).toEqual([]);
    expect(p.encryption).toEqual({ kmsKey: true, clientBroker: "TLS", inCluster: true });
    expect(p.monitoring.brokerLogs).toEqual(["CloudWatch Logs"]);
  });

  it("says which authentication differs in words", () => {
    const c = cases["msk-cluster.authentication"];
    if (!c) throw new Error("no case");
    const rule = mskClusterRules.find((r) => r.id === "msk-cluster.authentication");
    expect(rule?.check(c.fail[0], c.fail[1], SETTINGS).map((d) => d.message)).toEqual([
      "IAM access is off on the standby cluster, on on the primary",
      "SASL/SCRAM access is on on the standby cluster, off on the primary",
    ]);
  });
});
