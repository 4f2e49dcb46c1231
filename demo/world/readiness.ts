/**
 * Pairs beyond the load balancers, of the types a failover needs: the web tier's Auto Scaling
 * groups and the VPCs it runs in (tagged as pairs), a job queue, an alert topic, a sessions table,
 * an error-rate alarm, an image-resizing function, a ledger Aurora cluster and a checkout health
 * check in each region, named differently per region as real accounts do. Three differences are
 * planted: the standby queue's visibility timeout, point-in-time recovery off on the standby table,
 * and the standby cluster's backups kept 1 day instead of 7. Everything else is a twin in meaning.
 */
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  type Tag as TableTag,
} from "@aws-sdk/client-dynamodb";
import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { createLambdaRole, createFunction } from "../../test/harness/worlds/lambda-function.js";
import { createDbCluster } from "../../test/harness/worlds/rds-cluster.js";
import { checkOf, createHealthCheck } from "../../test/harness/worlds/route53-health-check.js";
import { regionTag, type WorldOptions } from "./options.js";

/** A difference planted in one of these pairs, as the scan reports it. */
export interface ReadinessPlant {
  pair: string;
  ruleId: string;
  description: string;
}

type Regions = Pick<WorldOptions, "primaryRegion" | "standbyRegion">;

const drTags = (standbyArn: string) => ({ enable: "true", isPrimary: "true", secondaryARN: standbyArn });
const asList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export async function queue(aws: AwsClients, region: string, name: string, visibility: number, tags = {}) {
  const sqs = aws.get(SQSClient, region);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: String(visibility), MessageRetentionPeriod: "345600" },
      tags,
    }),
  );
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return attributes.Attributes?.QueueArn ?? "";
}

export async function topic(
  aws: AwsClients,
  region: string,
  name: string,
  tags: Record<string, string> = {},
) {
  const out = await aws.get(SNSClient, region).send(
    new CreateTopicCommand({
      Name: name,
      Attributes: { DisplayName: "Orders alerts" },
      Tags: asList(tags),
    }),
  );
  return out.TopicArn ?? "";
}

export async function table(
  aws: AwsClients,
  region: string,
  name: string,
  pitr: boolean,
  tags: TableTag[] = [],
) {
  const dynamodb = aws.get(DynamoDBClient, region);
  const out = await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
  if (pitr)
    await dynamodb.send(
      new UpdateContinuousBackupsCommand({
        TableName: name,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  return out.TableDescription?.TableArn ?? "";
}

export async function alarm(
  aws: AwsClients,
  region: string,
  name: string,
  tags: Record<string, string> = {},
) {
  const cloudwatch = aws.get(CloudWatchClient, region);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Dimensions: [{ Name: "LoadBalancer", Value: `app/${name}/0123456789abcdef` }],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 10,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      Tags: asList(tags),
    }),
  );
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0]?.AlarmArn ?? "";
}

/** The web tier's groups and their VPCs, built with the world, declared as pairs by their tags. */
async function tagComputeAndNetwork(aws: AwsClients, r: Regions, account: string): Promise<void> {
  const standbyGroup = await aws
    .get(AutoScalingClient, r.standbyRegion)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }));
  await aws.get(AutoScalingClient, r.primaryRegion).send(
    new CreateOrUpdateTagsCommand({
      Tags: Object.entries(drTags(standbyGroup.AutoScalingGroups?.[0]?.AutoScalingGroupARN ?? "")).map(
        ([Key, Value]) => ({
          ResourceId: "web",
          ResourceType: "auto-scaling-group",
          Key,
          Value,
          PropagateAtLaunch: false,
        }),
      ),
    }),
  );
  const vpcOf = async (region: string) => {
    const out = await aws.get(EC2Client, region).send(new DescribeVpcsCommand({}));
    const vpc = out.Vpcs?.find((v) => v.Tags?.some((t) => t.Key === "Name" && t.Value === "drctl-demo"));
    return vpc?.VpcId ?? "";
  };
  const [primaryVpc, standbyVpc] = await Promise.all([vpcOf(r.primaryRegion), vpcOf(r.standbyRegion)]);
  await aws.get(EC2Client, r.primaryRegion).send(
    new CreateTagsCommand({
      Resources: [primaryVpc],
      Tags: asList(drTags(`arn:aws:ec2:${r.standbyRegion}:${account}:vpc/${standbyVpc}`)),
    }),
  );
}

/**
 * A function, an Aurora cluster and a health check in each region, each primary tagged with its
 * standby, named by region code, by role and by casing; the standby cluster keeps backups 1 day.
 */
async function functionClusterAndCheck(aws: AwsClients, r: Regions): Promise<ReadinessPlant> {
  const [p, s] = [regionTag(r.primaryRegion), regionTag(r.standbyRegion)];
  const role = await createLambdaRole(endpointOf(), "drctl-demo-resize");
  const standbyFunction = await createFunction(aws, r.standbyRegion, `resize-${s}`, role);
  await createFunction(aws, r.primaryRegion, `resize-${p}`, role, { Tags: drTags(standbyFunction) });
  const standbyCluster = await createDbCluster(aws, r.standbyRegion, "ledger-dr", {
    BackupRetentionPeriod: 1,
  });
  await createDbCluster(aws, r.primaryRegion, "ledger-primary", { Tags: asList(drTags(standbyCluster)) });
  const standbyCheck = await createHealthCheck(aws, "checkout-standby", checkOf(r.standbyRegion));
  await createHealthCheck(aws, "Checkout", checkOf(r.primaryRegion), asList(drTags(standbyCheck)));
  return {
    pair: "ledger-primary",
    ruleId: "rds-cluster.backup-retention",
    description: "the standby cluster keeps backups 1 day, the primary 7",
  };
}

/** Where the demo's clients send their requests (the emulator, through its proxies). */
function endpointOf(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error("AWS_ENDPOINT_URL is not set: the demo world is built on the emulator only");
  return endpoint;
}

/** Builds the pairs; returns the differences planted in them. */
export async function buildReadinessPairs(aws: AwsClients, r: Regions): Promise<ReadinessPlant[]> {
  const [p, s] = [regionTag(r.primaryRegion), regionTag(r.standbyRegion)];
  const standbyQueue = await queue(aws, r.standbyRegion, "jobs-dr", 30);
  await tagComputeAndNetwork(aws, r, standbyQueue.split(":")[4] ?? "");
  await queue(aws, r.primaryRegion, "jobs-primary", 120, drTags(standbyQueue));
  const standbyTopic = await topic(aws, r.standbyRegion, `orders-alerts-${s}`);
  await topic(aws, r.primaryRegion, `orders-alerts-${p}`, drTags(standbyTopic));
  const standbyTable = await table(aws, r.standbyRegion, `sessions-${s}`, false);
  await table(aws, r.primaryRegion, `sessions-${p}`, true, asList(drTags(standbyTable)));
  const standbyAlarm = await alarm(aws, r.standbyRegion, `api-5xx-${s}`);
  await alarm(aws, r.primaryRegion, `api-5xx-${p}`, drTags(standbyAlarm));
  const clusterPlant = await functionClusterAndCheck(aws, r);
  return [
    {
      pair: "jobs-primary",
      ruleId: "sqs-queue.visibility-timeout",
      description: "the standby queue's visibility timeout is 30 s, the primary's 120 s",
    },
    {
      pair: `sessions-${p}`,
      ruleId: "dynamodb-table.point-in-time-recovery",
      description: "point-in-time recovery is off on the standby table",
    },
    clusterPlant,
  ];
}
