/**
 * Workarounds for bugs of the emulator (moto 5.2), applied between the SDK and moto by the
 * test proxy. Product code is written for AWS and never sees these.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { FaultProxy, NO_FAULTS } from "./fault-proxy.js";

/**
 * moto's PromoteReadReplica leaves ReadReplicaSourceDBInstanceIdentifier set on the promoted
 * instance; AWS clears it. Remember which instances were promoted and drop the field from their
 * descriptions, as AWS would report them.
 */
export function clearPromotedReplicaSource(): (requestBody: string, responseBody: string) => string {
  const promoted = new Set<string>();
  return (request, response) => {
    const params = new URLSearchParams(request);
    if (params.get("Action") === "PromoteReadReplica") promoted.add(params.get("DBInstanceIdentifier") ?? "");
    if (params.get("Action") !== "DescribeDBInstances" || promoted.size === 0) return response;
    return response.replace(/<DBInstance>[\s\S]*?<\/DBInstance>/g, (block) => {
      const id = /<DBInstanceIdentifier>([^<]*)<\/DBInstanceIdentifier>/.exec(block)?.[1] ?? "";
      return promoted.has(id)
        ? block.replace(
            /<ReadReplicaSourceDBInstanceIdentifier>[^<]*<\/ReadReplicaSourceDBInstanceIdentifier>/,
            "",
          )
        : block;
    });
  };
}

/** A proxy in front of the emulator that applies the workarounds and injects no faults. */
export function workaroundProxy(endpoint: string): Promise<FaultProxy> {
  return FaultProxy.start(endpoint, { ...NO_FAULTS, rewrite: clearPromotedReplicaSource() });
}

/**
 * The emulator publishes no RDS metrics: record a replica's ReplicaLag as CloudWatch would
 * (`minutesAgo` back, inside the window the promote step reads).
 */
export async function recordReplicaLag(
  aws: AwsClients,
  region: string,
  instance: string,
  seconds: number,
  minutesAgo = 1,
): Promise<void> {
  await aws.get(CloudWatchClient, region).send(
    new PutMetricDataCommand({
      Namespace: "AWS/RDS",
      MetricData: [
        {
          MetricName: "ReplicaLag",
          Dimensions: [{ Name: "DBInstanceIdentifier", Value: instance }],
          Value: seconds,
          Unit: "Seconds",
          Timestamp: new Date(Date.now() - minutesAgo * 60_000),
        },
      ],
    }),
  );
}
