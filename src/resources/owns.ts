/**
 * Which ARNs each readiness type owns: pure tests on a parsed ARN, kept apart from the types'
 * pairing and modules (and their AWS SDK clients) so that discovery can sort ARNs by type before
 * any type is loaded.
 */
import type { Arn } from "../aws/arn.js";

/** Whether an ARN names an application or network load balancer. */
export function ownsLoadBalancer(arn: Arn): boolean {
  return (
    arn.service === "elasticloadbalancing" &&
    arn.resourceType === "loadbalancer" &&
    /^(app|net)\//.test(arn.resourceId)
  );
}

/**
 * Whether an ARN names a classic load balancer (arn:aws:elasticloadbalancing:region:account:
 * loadbalancer/name). Its name has no "/": application, network and gateway load balancers
 * (loadbalancer/app/..., loadbalancer/net/..., loadbalancer/gwy/...) are never owned here.
 */
export function ownsClassicLoadBalancer(arn: Arn): boolean {
  return (
    arn.service === "elasticloadbalancing" &&
    arn.resourceType === "loadbalancer" &&
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(arn.resourceId)
  );
}

const GROUP_NAME_PREFIX = "autoScalingGroupName/";

/** Whether an ARN names an Auto Scaling group (autoScalingGroup:UUID:autoScalingGroupName/NAME). */
export function ownsGroup(arn: Arn): boolean {
  return arn.service === "autoscaling" && arn.resourceType === "autoScalingGroup" && groupNameOf(arn) !== "";
}

/** The group's name in its ARN, or "" when the ARN names none. */
export function groupNameOf(arn: Arn): string {
  const at = arn.resourceId.indexOf(GROUP_NAME_PREFIX);
  return at === -1 ? "" : arn.resourceId.slice(at + GROUP_NAME_PREFIX.length);
}

/** Whether an ARN names a CloudWatch alarm (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME). */
export function ownsAlarm(arn: Arn): boolean {
  return arn.service === "cloudwatch" && arn.resourceType === "alarm" && arn.resourceId !== "";
}

/** Whether an ARN names a Route 53 health check. */
export function ownsHealthCheck(arn: Arn): boolean {
  return arn.service === "route53" && arn.resourceType === "healthcheck" && arn.resourceId !== "";
}

/** Whether an ARN names an SQS queue (arn:aws:sqs:REGION:ACCOUNT:NAME). */
export function ownsQueue(arn: Arn): boolean {
  return arn.service === "sqs" && arn.resourceType === "" && arn.resourceId !== "";
}

/** Whether an ARN names a Lambda function (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]). */
export function ownsFunction(arn: Arn): boolean {
  return arn.service === "lambda" && arn.resourceType === "function" && arn.resourceId !== "";
}

/** Whether an ARN names an RDS DB instance (arn:aws:rds:region:account:db:name). */
export const ownsDbInstance = (arn: Arn) => arn.service === "rds" && arn.resourceType === "db";

/** Whether an ARN names an RDS DB cluster (arn:aws:rds:region:account:cluster:name). */
export const ownsDbCluster = (arn: Arn) => arn.service === "rds" && arn.resourceType === "cluster";

/** Whether an ARN names a table (not one of its streams, indexes, exports or backups). */
export function ownsTable(arn: Arn): boolean {
  return arn.service === "dynamodb" && arn.resourceType === "table" && !arn.resourceId.includes("/");
}

/** Whether an ARN names a topic (a subscription's ARN adds ":id" to its topic's). */
export function ownsTopic(arn: Arn): boolean {
  return arn.service === "sns" && arn.resourceType === "" && arn.resourceId !== "";
}

/** Whether an ARN names a VPC (arn:aws:ec2:region:account:vpc/vpc-...). */
export function ownsVpc(arn: Arn): boolean {
  return arn.service === "ec2" && arn.resourceType === "vpc" && /^vpc-[0-9a-f]+$/.test(arn.resourceId);
}

/** Whether an ARN names an EBS volume (arn:aws:ec2:region:account:volume/vol-...). */
export function ownsVolume(arn: Arn): boolean {
  return arn.service === "ec2" && arn.resourceType === "volume" && /^vol-[0-9a-f]+$/.test(arn.resourceId);
}

const STAGE_PATH = /^\/restapis\/([^/]+)\/stages\/([^/]+)$/;

/** Whether an ARN names a REST API stage. */
export function ownsApiStage(arn: Arn): boolean {
  return arn.service === "apigateway" && STAGE_PATH.test(arn.resource);
}

/** Whether an ARN names an MSK cluster (arn:aws:kafka:region:account:cluster/name/uuid). */
export const ownsMskCluster = (arn: Arn) => arn.service === "kafka" && arn.resourceType === "cluster";
