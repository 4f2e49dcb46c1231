import { differ } from "../../core/compare.js";
import type { Rule } from "../../core/rule.js";
import type { NormalizedQueue } from "./normalize.js";

type QueueRule = Rule<NormalizedQueue>;

/** A number of a unit in words, or "not reported" when AWS gave none. */
const amount = (n: number | null, unit: string) => (n === null ? "not reported" : `${n} ${unit}`);

/** The attributes compared as numbers. */
type NumericKey = {
  [K in keyof NormalizedQueue]: NormalizedQueue[K] extends number | null ? K : never;
}[keyof NormalizedQueue];

/** A rule that compares one numeric attribute and says both values with their unit. */
function numeric(
  what: NumericKey,
  words: string,
  unit: string,
  info: Omit<QueueRule, "check" | "resourceType">,
): QueueRule {
  return {
    ...info,
    resourceType: "sqs-queue",
    check: (p, s) =>
      differ(
        what,
        p[what],
        s[what],
        `the standby's ${words} is ${amount(s[what], unit)}, the primary's ${amount(p[what], unit)}`,
      ),
  };
}

const SET_ATTRIBUTES =
  "Set the attribute with aws sqs set-queue-attributes --queue-url <standby URL> --attributes";

export const sqsQueueRules: QueueRule[] = [
  numeric("visibilityTimeoutSeconds", "visibility timeout", "seconds", {
    id: "sqs-queue.visibility-timeout",
    severity: "medium",
    title: "Visibility timeout",
    compares: "VisibilityTimeout of both queues",
    rationale:
      "A shorter visibility timeout hands a message to a second consumer while the first still works on it (duplicate processing); a longer one delays retries after a failure.",
    remediation: `${SET_ATTRIBUTES} VisibilityTimeout=<primary's value>.`,
  }),
  numeric("messageRetentionSeconds", "message retention", "seconds", {
    id: "sqs-queue.message-retention",
    severity: "high",
    title: "Message retention period",
    compares: "MessageRetentionPeriod of both queues",
    rationale:
      "A standby that keeps messages for less time deletes unprocessed messages sooner: during a long outage of the consumers that is data lost.",
    remediation: `${SET_ATTRIBUTES} MessageRetentionPeriod=<primary's value>.`,
  }),
  numeric("maximumMessageSizeBytes", "maximum message size", "bytes", {
    id: "sqs-queue.maximum-message-size",
    severity: "high",
    title: "Maximum message size",
    compares: "MaximumMessageSize of both queues",
    rationale:
      "Producers that send messages the primary accepts get them rejected by a standby with a smaller maximum once traffic moves.",
    remediation: `${SET_ATTRIBUTES} MaximumMessageSize=<primary's value>.`,
  }),
  numeric("delaySeconds", "delivery delay", "seconds", {
    id: "sqs-queue.delay",
    severity: "medium",
    title: "Delivery delay",
    compares: "DelaySeconds of both queues",
    rationale: "A different delivery delay changes when consumers see messages after failover.",
    remediation: `${SET_ATTRIBUTES} DelaySeconds=<primary's value>.`,
  }),
  numeric("receiveWaitTimeSeconds", "receive wait time (long polling)", "seconds", {
    id: "sqs-queue.receive-wait-time",
    severity: "low",
    title: "Receive message wait time (long polling)",
    compares: "ReceiveMessageWaitTimeSeconds of both queues",
    rationale:
      "Short polling on the standby costs more requests and returns empty receives more often; consumers tuned for one behave differently on the other.",
    remediation: `${SET_ATTRIBUTES} ReceiveMessageWaitTimeSeconds=<primary's value>.`,
  }),
  {
    id: "sqs-queue.redrive-policy",
    resourceType: "sqs-queue",
    severity: "high",
    title: "Dead-letter queue (redrive policy)",
    compares:
      "whether each queue has a redrive policy with a dead-letter queue, and its maxReceiveCount (not the dead-letter queue's ARN, which is regional)",
    rationale:
      "Without a dead-letter queue a message that always fails is received again and again until its retention ends, then lost; a different maxReceiveCount gives up sooner or later than the primary.",
    remediation:
      "Create a dead-letter queue in the standby region and set RedrivePolicy on the standby queue with the primary's maxReceiveCount.",
    check: (p, s) => differ("maxReceiveCount", p.maxReceiveCount, s.maxReceiveCount, redriveMessage(p, s)),
  },
  {
    id: "sqs-queue.content-based-deduplication",
    resourceType: "sqs-queue",
    severity: "high",
    title: "Content-based deduplication",
    compares: "ContentBasedDeduplication of both (FIFO) queues",
    rationale:
      "Producers that send no deduplication id rely on content-based deduplication: a standby without it rejects their messages, one with it drops messages the primary would accept as distinct.",
    remediation: `${SET_ATTRIBUTES} ContentBasedDeduplication=<primary's value>.`,
    check: (p, s) =>
      differ(
        "contentBasedDeduplication",
        p.contentBasedDeduplication,
        s.contentBasedDeduplication,
        `content-based deduplication is ${onOff(s.contentBasedDeduplication)} on the standby, ${onOff(p.contentBasedDeduplication)} on the primary`,
      ),
  },
  {
    id: "sqs-queue.encryption",
    resourceType: "sqs-queue",
    severity: "medium",
    title: "Server-side encryption",
    compares:
      "whether each queue is encrypted, and how: with a KMS key, with SQS-managed keys, or not at all (not the key's id, which is regional)",
    rationale:
      "An unencrypted standby stores the same data with less protection; a KMS-encrypted one needs producers and consumers allowed to use its key, or they fail after failover.",
    remediation:
      "Set KmsMasterKeyId (a key in the standby region) or SqsManagedSseEnabled=true on the standby with set-queue-attributes, as on the primary.",
    check: (p, s) =>
      differ(
        "encryption",
        p.encryption,
        s.encryption,
        `the standby's encryption is ${encryptionWords(s.encryption)}, the primary's ${encryptionWords(p.encryption)}`,
      ),
  },
];

const onOff = (on: boolean) => (on ? "on" : "off");

function encryptionWords(e: NormalizedQueue["encryption"]): string {
  if (e === "KMS") return "a KMS key";
  return e === "SQS-managed" ? "SQS-managed keys" : "none";
}

function redriveMessage(p: NormalizedQueue, s: NormalizedQueue): string {
  const words = (q: NormalizedQueue) =>
    q.maxReceiveCount === null
      ? "no dead-letter queue"
      : `a dead-letter queue after ${q.maxReceiveCount} receives`;
  return `the standby has ${words(s)}, the primary ${words(p)}`;
}
