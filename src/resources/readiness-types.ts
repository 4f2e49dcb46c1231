/**
 * Every type the readiness scan pairs, in the catalogue's order, each loaded on demand (see
 * lazy-type.ts): what a scan knows of a type before its first AWS call is written here; its
 * pairing and modules are imported when they are needed. A test checks each entry against the
 * type itself (its name, title, ARNs, how its primaries are found, its modules).
 */
import { PAIR_RULES } from "../pairs/rules.js";
import { lazyType, type TypeDescriptor } from "./lazy-type.js";
import type { ScanType } from "./module.js";
import {
  ownsAlarm,
  ownsApiStage,
  ownsClassicLoadBalancer,
  ownsDbCluster,
  ownsDbInstance,
  ownsFunction,
  ownsGroup,
  ownsHealthCheck,
  ownsLoadBalancer,
  ownsMskCluster,
  ownsQueue,
  ownsTable,
  ownsTopic,
  ownsVolume,
  ownsVpc,
} from "./owns.js";

const fromTaggingApi = { tagged: "tagging-api", recorded: false } as const;
const ownListing = { tagged: "own", recorded: false } as const;

/** A type's descriptor, typed for a list of types of different resources. */
const typed = <R>(d: TypeDescriptor<R>) => d as unknown as TypeDescriptor<never>;

/** What a scan knows of each type before loading it. */
export const READINESS_TYPE_DESCRIPTORS: readonly TypeDescriptor<never>[] = [
  typed({
    type: "load-balancer",
    title: "Load balancer",
    owns: ownsLoadBalancer,
    ...ownListing,
    otherKindRule: PAIR_RULES.notALoadBalancer,
    pairing: async () => (await import("./load-balancer/pairing.js")).loadBalancerPairing,
    modules: async () => (await import("./load-balancer/type.js")).loadBalancerType.modules,
  }),
  typed({
    type: "autoscaling-group",
    // Its quota checks read region-wide usage that other resources change.
    readsState: true,
    title: "Auto Scaling group",
    owns: ownsGroup,
    ...ownListing,
    pairing: async () => (await import("./autoscaling-group/pairing.js")).autoscalingGroupPairing,
    modules: async () => (await import("./autoscaling-group/type.js")).autoscalingGroupType.modules,
  }),
  typed({
    type: "cloudwatch-alarm",
    readsState: true,
    title: "CloudWatch alarm",
    owns: ownsAlarm,
    ...fromTaggingApi,
    pairing: async () => (await import("./cloudwatch-alarm/pairing.js")).cloudwatchAlarmPairing,
    modules: async () => (await import("./cloudwatch-alarm/type.js")).cloudwatchAlarmType.modules,
  }),
  typed({
    type: "route53-health-check",
    title: "Route 53 health check",
    owns: ownsHealthCheck,
    ...ownListing,
    pairing: async () => (await import("./route53-health-check/pairing.js")).healthCheckPairing,
    modules: async () => (await import("./route53-health-check/type.js")).route53HealthCheckType.modules,
  }),
  typed({
    type: "sqs-queue",
    title: "SQS queue",
    owns: ownsQueue,
    ...fromTaggingApi,
    pairing: async () => (await import("./sqs-queue/pairing.js")).sqsQueuePairing,
    modules: async () => (await import("./sqs-queue/type.js")).sqsQueueType.modules,
  }),
  typed({
    type: "lambda-function",
    // Its quota checks read region-wide usage that other resources change.
    readsState: true,
    title: "Lambda function",
    owns: ownsFunction,
    ...fromTaggingApi,
    pairing: async () => (await import("./lambda-function/pairing.js")).lambdaFunctionPairing,
    modules: async () => (await import("./lambda-function/type.js")).lambdaFunctionType.modules,
  }),
  typed({
    type: "rds-instance",
    // Its quota checks read region-wide usage that other resources change.
    readsState: true,
    title: "DB instance",
    owns: ownsDbInstance,
    ...fromTaggingApi,
    recorded: true,
    pairing: async () => (await import("./rds-instance/pairing.js")).rdsInstancePairing,
    modules: async () => (await import("./rds-instance/type.js")).rdsInstanceType.modules,
  }),
  typed({
    type: "rds-cluster",
    // Its quota checks read region-wide usage that other resources change.
    readsState: true,
    title: "DB cluster",
    owns: ownsDbCluster,
    ...fromTaggingApi,
    recorded: true,
    pairing: async () => (await import("./rds-cluster/pairing.js")).rdsClusterPairing,
    modules: async () => (await import("./rds-cluster/type.js")).rdsClusterType.modules,
  }),
  typed({
    type: "dynamodb-table",
    title: "DynamoDB table",
    owns: ownsTable,
    ...fromTaggingApi,
    recorded: true,
    pairing: async () => (await import("./dynamodb-table/pairing.js")).dynamodbTablePairing,
    modules: async () => (await import("./dynamodb-table/type.js")).dynamodbTableType.modules,
  }),
  typed({
    type: "sns-topic",
    title: "SNS topic",
    owns: ownsTopic,
    ...fromTaggingApi,
    pairing: async () => (await import("./sns-topic/pairing.js")).snsTopicPairing,
    modules: async () => (await import("./sns-topic/type.js")).snsTopicType.modules,
  }),
  typed({
    type: "vpc",
    // Its quota checks read region-wide usage that other resources change.
    readsState: true,
    title: "VPC",
    owns: ownsVpc,
    ...fromTaggingApi,
    pairing: async () => (await import("./vpc/pairing.js")).vpcPairing,
    modules: async () => (await import("./vpc/type.js")).vpcType.modules,
  }),
  typed({
    type: "ebs-volume",
    title: "EBS volume",
    owns: ownsVolume,
    ...fromTaggingApi,
    pairing: async () => (await import("./ebs-volume/pairing.js")).ebsVolumePairing,
    modules: async () => (await import("./ebs-volume/type.js")).ebsVolumeType.modules,
  }),
  typed({
    type: "classic-load-balancer",
    title: "Classic load balancer",
    owns: ownsClassicLoadBalancer,
    ...fromTaggingApi,
    pairing: async () => (await import("./classic-load-balancer/pairing.js")).classicLoadBalancerPairing,
    modules: async () => (await import("./classic-load-balancer/type.js")).classicLoadBalancerType.modules,
  }),
  typed({
    type: "apigateway-stage",
    title: "API Gateway stage",
    owns: ownsApiStage,
    ...ownListing,
    pairing: async () => (await import("./apigateway-stage/pairing.js")).apigatewayStagePairing,
    modules: async () => (await import("./apigateway-stage/type.js")).apigatewayStageType.modules,
  }),
  typed({
    type: "msk-cluster",
    title: "MSK cluster",
    owns: ownsMskCluster,
    ...fromTaggingApi,
    pairing: async () => (await import("./msk-cluster/pairing.js")).mskClusterPairing,
    modules: async () => (await import("./msk-cluster/type.js")).mskClusterType.modules,
  }),
];

/** Every type the readiness scan pairs, each loading its pairing and modules when it needs them. */
export const READINESS_TYPES: readonly ScanType<never>[] = READINESS_TYPE_DESCRIPTORS.map((d) => lazyType(d));
