/**
 * How SQS queues pair: tagged primaries come from the tagging API; a queue is read by ARN in its
 * own region and account, its URL from its name and owner (GetQueueUrl), then all its attributes
 * in one GetQueueAttributes call. What the rules compare is in those attributes, so a pair's
 * modules make no further calls.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError, type CallSite } from "../../aws/errors.js";
import { ops } from "../../aws/services.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { ownsQueue } from "../owns.js";

export const SQS_QUEUE_PERMISSIONS = [
  ...ops("ResourceGroupsTaggingAPI", "GetResources"),
  ...ops("SQS", "GetQueueUrl", "GetQueueAttributes"),
];

/** A queue as read by ARN: its name, its URL and every attribute AWS returns for it. */
export interface QueueDescription {
  name: string;
  url: string;
  attributes: Readonly<Record<string, string>>;
}

/** The URL of the queue an ARN names, asked of its own region as its owner's account. */
export async function queueUrlOf(sqs: SQSClient, arn: Arn): Promise<string> {
  const out = await sqs.send(
    new GetQueueUrlCommand({ QueueName: arn.resourceId, QueueOwnerAWSAccountId: arn.account }),
  );
  return out.QueueUrl ?? "";
}

async function describeOne(aws: AwsClients, arn: Arn): Promise<QueueDescription | Error> {
  const sqs = aws.get(SQSClient, arn.region, arn.account);
  let operation = "GetQueueUrl";
  try {
    const url = await queueUrlOf(sqs, arn);
    operation = "GetQueueAttributes";
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    return { name: arn.resourceId, url, attributes: out.Attributes ?? {} };
  } catch (err) {
    return sqsError(err, { service: "SQS", operation, region: arn.region, account: arn.account });
  }
}

/**
 * An SQS failure as drctl's errors. A queue that does not exist comes back with the query-era
 * code AWS.SimpleQueueService.NonExistentQueue, which the shared mapping does not know as "not found".
 */
export function sqsError(err: unknown, site: CallSite): Error {
  if (!(err instanceof QueueDoesNotExist)) return mapAwsError(err, site);
  const where = `${site.service}.${site.operation} in ${site.region}`;
  return new NotFoundError(`not found: ${where}: ${err.message}`, site, err.name, err);
}

/** Queues by ARN: two calls each (SQS has no batched describe). */
async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, QueueDescription | Error>> {
  const read = await Promise.all(
    arns.map(async (arn) => [formatArn(arn), await describeOne(aws, arn)] as const),
  );
  return new Map(read);
}

const isFifo = (q: QueueDescription) => q.attributes["FifoQueue"] === "true";
const kindOf = (q: QueueDescription) => (isFifo(q) ? "FIFO" : "standard");

const owns = ownsQueue;
const nameOf = (q: QueueDescription) => q.name;

export const sqsQueuePairing: PairKind<QueueDescription> = {
  type: "sqs-queue",
  title: "SQS queue",
  owns,
  tagged: taggedThroughTaggingApi({ owns, describe, nameOf, title: "SQS queue" }),
  describe,
  nameOf,
  // A FIFO queue and a standard one differ in ordering, deduplication and even in name (.fifo).
  incompatible: (primary, standby) =>
    isFifo(primary) === isFifo(standby)
      ? undefined
      : {
          message: `${primary.name} is a ${kindOf(primary)} queue but its standby ${standby.name} is a ${kindOf(standby)} one`,
          primary: kindOf(primary),
          standby: kindOf(standby),
        },
};

export { ownsQueue };
