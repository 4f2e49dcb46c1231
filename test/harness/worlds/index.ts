/**
 * Every type's world builder, and a world holding pairs of every type the scan compares at once.
 * Each builder makes an identical twin pair and pairs each with one planted difference in the
 * regions given, and returns what the scan must find.
 */
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { buildApigatewayStagePairs } from "./apigateway-stage.js";
import { buildAutoscalingGroupPairs } from "./autoscaling-group.js";
import { buildClassicLoadBalancerPairs } from "./classic-load-balancer.js";
import { buildCloudwatchAlarmPairs } from "./cloudwatch-alarm.js";
import type { BuiltPairs, PairRegions } from "./common.js";
import { buildDynamodbTablePairs } from "./dynamodb-table.js";
import { buildEbsVolumePairs } from "./ebs-volume.js";
import { buildLambdaFunctionPairs } from "./lambda-function.js";
import { buildLoadBalancerPairs } from "./load-balancer.js";
import { buildMskClusterPairs } from "./msk-cluster.js";
import { buildRdsClusterPairs } from "./rds-cluster.js";
import { buildRdsInstancePairs } from "./rds-instance.js";
import { buildRoute53HealthCheckPairs } from "./route53-health-check.js";
import { buildSnsTopicPairs } from "./sns-topic.js";
import { buildSqsQueuePairs } from "./sqs-queue.js";
import { buildVpcPairs } from "./vpc.js";

export * from "./common.js";

/**
 * Pairs of every type in `r`, one builder after the other (the emulator serialises most writes
 * anyway). `role`: a Lambda execution role's ARN (createLambdaRole). MSK clusters must be scanned
 * through a proxy applying mskCreationTimeRfc3339 (moto-workarounds.ts).
 */
export const BUILDERS = [
  buildLoadBalancerPairs,
  buildAutoscalingGroupPairs,
  buildCloudwatchAlarmPairs,
  buildRoute53HealthCheckPairs,
  buildSqsQueuePairs,
  buildLambdaFunctionPairs,
  buildRdsInstancePairs,
  buildRdsClusterPairs,
  buildDynamodbTablePairs,
  buildSnsTopicPairs,
  buildVpcPairs,
  buildEbsVolumePairs,
  buildClassicLoadBalancerPairs,
  buildApigatewayStagePairs,
  buildMskClusterPairs,
] as const;

export async function buildEveryTypePairs(
  aws: AwsClients,
  r: PairRegions & { role: string },
): Promise<BuiltPairs[]> {
  const out: BuiltPairs[] = [];
  for (const build of BUILDERS) out.push(await build(aws, r));
  return out;
}
