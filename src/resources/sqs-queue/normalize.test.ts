import { describe, expect, it } from "vitest";
import { maxReceiveCountOf, normalizeQueue } from "./normalize.js";

describe("normalizeQueue", () => {
  it("reads the attributes of a FIFO queue with a dead-letter queue and a KMS key", () => {
    expect(
      normalizeQueue({
        FifoQueue: "true",
        ContentBasedDeduplication: "true",
        VisibilityTimeout: "60",
        MessageRetentionPeriod: "1209600",
        MaximumMessageSize: "262144",
        DelaySeconds: "5",
        ReceiveMessageWaitTimeSeconds: "20",
        RedrivePolicy:
          '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:jobs-dlq.fifo","maxReceiveCount":5}',
        KmsMasterKeyId: "alias/aws/sqs",
        SqsManagedSseEnabled: "false",
      }),
    ).toEqual({
      fifo: true,
      visibilityTimeoutSeconds: 60,
      messageRetentionSeconds: 1209600,
      maximumMessageSizeBytes: 262144,
      delaySeconds: 5,
      receiveWaitTimeSeconds: 20,
      maxReceiveCount: 5,
      contentBasedDeduplication: true,
      encryption: "KMS",
    });
  });

  it("reads a standard queue without a dead-letter queue, encrypted by SQS or not at all", () => {
    const q = normalizeQueue({ VisibilityTimeout: "30", SqsManagedSseEnabled: "true" });
    expect(q).toMatchObject({ fifo: false, maxReceiveCount: null, contentBasedDeduplication: false });
    expect(q.encryption).toBe("SQS-managed");
    expect(normalizeQueue({}).encryption).toBe("none");
    expect(normalizeQueue({}).visibilityTimeoutSeconds).toBeNull();
  });

  it("takes maxReceiveCount as a number or a string, and no dead-letter target as no policy", () => {
    expect(
      maxReceiveCountOf('{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:d","maxReceiveCount":"3"}'),
    ).toBe(3);
    expect(maxReceiveCountOf('{"maxReceiveCount":3}')).toBeNull();
    expect(maxReceiveCountOf("not json")).toBeNull();
    expect(maxReceiveCountOf(undefined)).toBeNull();
  });
});
