/**
 * What the rules compare of a queue, from its GetQueueAttributes (All) answer: its meaning only.
 * The dead-letter queue's ARN and the KMS key's id differ between regions by nature, so the
 * dead-letter queue counts by whether there is one and after how many receives, and encryption
 * by its kind.
 */
export interface NormalizedQueue {
  fifo: boolean;
  visibilityTimeoutSeconds: number | null;
  messageRetentionSeconds: number | null;
  maximumMessageSizeBytes: number | null;
  delaySeconds: number | null;
  receiveWaitTimeSeconds: number | null;
  /** After how many receives a message goes to the dead-letter queue; null: no dead-letter queue. */
  maxReceiveCount: number | null;
  contentBasedDeduplication: boolean;
  encryption: "KMS" | "SQS-managed" | "none";
}

/** A whole number from an attribute, or null when absent or not a number. */
function numberOf(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The maxReceiveCount of a RedrivePolicy (a JSON document whose count may be a string). */
export function maxReceiveCountOf(policy: string | undefined): number | null {
  if (!policy) return null;
  try {
    const parsed = JSON.parse(policy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof parsed.deadLetterTargetArn !== "string" || parsed.deadLetterTargetArn === "") return null;
    return typeof parsed.maxReceiveCount === "number" || typeof parsed.maxReceiveCount === "string"
      ? numberOf(String(parsed.maxReceiveCount))
      : null;
  } catch {
    return null;
  }
}

function encryptionOf(attributes: Readonly<Record<string, string>>): NormalizedQueue["encryption"] {
  if (attributes["KmsMasterKeyId"]) return "KMS";
  return attributes["SqsManagedSseEnabled"] === "true" ? "SQS-managed" : "none";
}

export function normalizeQueue(attributes: Readonly<Record<string, string>>): NormalizedQueue {
  return {
    fifo: attributes["FifoQueue"] === "true",
    visibilityTimeoutSeconds: numberOf(attributes["VisibilityTimeout"]),
    messageRetentionSeconds: numberOf(attributes["MessageRetentionPeriod"]),
    maximumMessageSizeBytes: numberOf(attributes["MaximumMessageSize"]),
    delaySeconds: numberOf(attributes["DelaySeconds"]),
    receiveWaitTimeSeconds: numberOf(attributes["ReceiveMessageWaitTimeSeconds"]),
    maxReceiveCount: maxReceiveCountOf(attributes["RedrivePolicy"]),
    contentBasedDeduplication: attributes["ContentBasedDeduplication"] === "true",
    encryption: encryptionOf(attributes),
  };
}
