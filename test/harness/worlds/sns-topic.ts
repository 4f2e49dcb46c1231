/** SNS topic pairs: twins subscribed to their own region's queue, and a planted difference. */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** A topic with `attributes` and tags; its ARN. */
export async function createTopic(
  aws: AwsClients,
  region: string,
  name: string,
  attributes: Record<string, string> = {},
  tags: { Key: string; Value: string }[] = [],
): Promise<string> {
  const out = await aws
    .get(SNSClient, region)
    .send(
      new CreateTopicCommand({ Name: name, Attributes: attributes, ...(tags.length ? { Tags: tags } : {}) }),
    );
  return required(out.TopicArn, `ARN for topic ${name}`);
}

async function subscribe(aws: AwsClients, region: string, topicArn: string, queueArn: string) {
  await aws
    .get(SNSClient, region)
    .send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
}

/** A topic pair, each side subscribed to its own region's `alerts-queue` (an ARN in each region). */
async function topicPair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standbyAttributes: Record<string, string>,
) {
  const attributes = { DisplayName: "Alerts", KmsMasterKeyId: "alias/aws/sns" };
  const standbyArn = await createTopic(aws, r.standbyRegion, names.standby, standbyAttributes);
  const account = standbyArn.split(":")[4] ?? "";
  await subscribe(aws, r.standbyRegion, standbyArn, `arn:aws:sqs:${r.standbyRegion}:${account}:alerts-queue`);
  const primaryArn = await createTopic(
    aws,
    r.primaryRegion,
    names.primary,
    attributes,
    drTagList(standbyArn),
  );
  await subscribe(aws, r.primaryRegion, primaryArn, `arn:aws:sqs:${r.primaryRegion}:${account}:alerts-queue`);
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildSnsTopicPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const same = { DisplayName: "Alerts", KmsMasterKeyId: "alias/aws/sns" };
  const identical = [await topicPair(aws, r, twinNames("casing", "alerts", r), same)];
  const planted = [
    {
      ...(await topicPair(aws, r, twinNames("role", "paging", r), { DisplayName: "Alerts" })),
      ruleId: "sns-topic.encryption",
    },
  ];
  return { type: "sns-topic", identical, planted };
}
