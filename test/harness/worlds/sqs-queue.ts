/** SQS queue pairs: twins alike in meaning, and pairs each with one planted difference. */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import {
  drTags,
  required,
  twinNames,
  type BuiltPairs,
  type NamingStyle,
  type PairRegions,
} from "./common.js";

/** A queue in `region` with `attributes` (and tags when given); its ARN. */
export async function createQueue(
  aws: AwsClients,
  region: string,
  name: string,
  attributes: Record<string, string> = {},
  tags?: Record<string, string>,
): Promise<string> {
  const sqs = aws.get(SQSClient, region);
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes, ...(tags ? { tags } : {}) }),
  );
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return required(out.Attributes?.QueueArn, `ARN for queue ${name}`);
}

export const QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  VisibilityTimeout: "120",
  MessageRetentionPeriod: "1209600",
  MaximumMessageSize: "262144",
  DelaySeconds: "0",
  ReceiveMessageWaitTimeSeconds: "20",
  SqsManagedSseEnabled: "true",
};

/** A standby with `standby`'s attributes over `attributes`, then its tagged primary with `attributes`. */
export async function createQueuePair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  attributes: Record<string, string>,
  standby: Record<string, string> = {},
) {
  const standbyArn = await createQueue(aws, r.standbyRegion, names.standby, { ...attributes, ...standby });
  const primaryArn = await createQueue(aws, r.primaryRegion, names.primary, attributes, drTags(standbyArn));
  return { name: names.primary, primaryArn, standbyArn };
}

const PLANTED: [string, NamingStyle, Record<string, string>, string][] = [
  ["visibility", "role", { VisibilityTimeout: "30" }, "sqs-queue.visibility-timeout"],
  ["retention", "casing", { MessageRetentionPeriod: "345600" }, "sqs-queue.message-retention"],
];

/** An identical twin pair (their dead-letter queues differ by region only) and the planted pairs. */
export async function buildSqsQueuePairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const redrive = async (region: string, name: string) =>
    JSON.stringify({ deadLetterTargetArn: await createQueue(aws, region, name), maxReceiveCount: 5 });
  const dlq = twinNames("region-code", "jobs-dlq", r);
  const attributes = { ...QUEUE_ATTRIBUTES, RedrivePolicy: await redrive(r.primaryRegion, dlq.primary) };
  const standbyRedrive = { RedrivePolicy: await redrive(r.standbyRegion, dlq.standby) };
  const identical = [
    await createQueuePair(aws, r, twinNames("region-code", "jobs", r), attributes, standbyRedrive),
  ];
  const planted = [];
  for (const [stem, style, change, ruleId] of PLANTED)
    planted.push({
      ...(await createQueuePair(aws, r, twinNames(style, stem, r), { ...QUEUE_ATTRIBUTES }, change)),
      ruleId,
    });
  return { type: "sqs-queue", identical, planted };
}
