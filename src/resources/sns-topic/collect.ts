import {
  GetSubscriptionAttributesCommand,
  paginateListSubscriptionsByTopic,
  SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import {
  isPending,
  normalizeTopic,
  SHARED_ENDPOINT_PROTOCOLS,
  type NormalizedTopic,
  type ReadSubscription,
  type Topic,
} from "./normalize.js";

/**
 * Tagged primaries come from the tagging API's region-wide listing; topics are read by ARN; each
 * side then lists its subscriptions and reads the attributes of those whose endpoints both regions
 * share (the others are compared by count, so their attributes have no twin to compare with).
 */
export const SNS_TOPIC_PERMISSIONS = [
  ...TAGGED_PERMISSIONS,
  ...ops("SNS", "GetTopicAttributes", "ListSubscriptionsByTopic", "GetSubscriptionAttributes"),
];

async function subscriptionsOf(client: SNSClient, TopicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client }, { TopicArn }))
    all.push(...(page.Subscriptions ?? []));
  return all;
}

/** A page of subscriptions (100 a call), then one call per confirmed email, http(s) or SMS subscription. */
export async function collectTopic(cache: RegionCache, topic: Topic): Promise<NormalizedTopic> {
  const client = cache.client(SNSClient);
  const listed = await subscriptionsOf(client, topic.arn);
  const read = await Promise.all(
    listed.map(async (s): Promise<ReadSubscription> => {
      if (isPending(s) || !SHARED_ENDPOINT_PROTOCOLS.has(s.Protocol ?? "")) return { listed: s };
      const out = await client.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }),
      );
      return { listed: s, attributes: out.Attributes ?? {} };
    }),
  );
  return normalizeTopic(topic, read);
}
