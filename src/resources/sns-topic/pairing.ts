/**
 * How SNS topics pair: tagged primaries through the tagging API, topics read by ARN with
 * GetTopicAttributes (one call each: SNS has no batch form) in their own region and account.
 */
import { GetTopicAttributesCommand, SNSClient } from "@aws-sdk/client-sns";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError } from "../../aws/errors.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import type { Topic } from "./normalize.js";
import { ownsTopic } from "../owns.js";

async function describeOne(aws: AwsClients, arn: Arn): Promise<Topic | Error> {
  const TopicArn = formatArn(arn);
  try {
    const out = await aws
      .get(SNSClient, arn.region, arn.account)
      .send(new GetTopicAttributesCommand({ TopicArn }));
    return { arn: TopicArn, name: arn.resourceId, attributes: out.Attributes ?? {} };
  } catch (err) {
    return mapAwsError(err, {
      service: "SNS",
      operation: "GetTopicAttributes",
      region: arn.region,
      account: arn.account,
    });
  }
}

async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, Topic | Error>> {
  return new Map(
    await Promise.all(arns.map(async (arn) => [formatArn(arn), await describeOne(aws, arn)] as const)),
  );
}

const isFifo = (t: Topic) => t.attributes.FifoTopic === "true";
const fifoText = (t: Topic) => (isFifo(t) ? "a FIFO topic" : "a standard topic");

const kind = { title: "SNS topic", owns: ownsTopic, describe, nameOf: (t: Topic) => t.name };

export const snsTopicPairing: PairKind<Topic> = {
  type: "sns-topic",
  ...kind,
  tagged: taggedThroughTaggingApi(kind),
  // Publishers to a FIFO topic send group ids a standard topic rejects, and the reverse.
  incompatible: (primary, standby) =>
    isFifo(primary) === isFifo(standby)
      ? undefined
      : {
          message: `${primary.name} is ${fifoText(primary)} but its standby ${standby.name} is ${fifoText(standby)}`,
          primary: isFifo(primary) ? "FIFO" : "standard",
          standby: isFifo(standby) ? "FIFO" : "standard",
        },
};

export { ownsTopic };
