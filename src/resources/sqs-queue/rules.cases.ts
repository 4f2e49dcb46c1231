import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedQueue } from "./normalize.js";

const q = (over: Partial<NormalizedQueue> = {}): NormalizedQueue => ({
  fifo: false,
  visibilityTimeoutSeconds: 30,
  messageRetentionSeconds: 345600,
  maximumMessageSizeBytes: 262144,
  delaySeconds: 0,
  receiveWaitTimeSeconds: 20,
  maxReceiveCount: 5,
  contentBasedDeduplication: false,
  encryption: "SQS-managed",
  ...over,
});

export const cases: RuleCases<NormalizedQueue> = {
  "sqs-queue.visibility-timeout": {
    pass: [q(), q()],
    fail: [q(), q({ visibilityTimeoutSeconds: 10 })],
    paths: ["visibilityTimeoutSeconds"],
  },
  "sqs-queue.message-retention": {
    pass: [q(), q()],
    fail: [q({ messageRetentionSeconds: 1209600 }), q()],
    paths: ["messageRetentionSeconds"],
  },
  "sqs-queue.maximum-message-size": {
    pass: [q(), q()],
    fail: [q(), q({ maximumMessageSizeBytes: 65536 })],
    paths: ["maximumMessageSizeBytes"],
  },
  "sqs-queue.delay": { pass: [q(), q()], fail: [q(), q({ delaySeconds: 30 })], paths: ["delaySeconds"] },
  "sqs-queue.receive-wait-time": {
    pass: [q(), q()],
    fail: [q(), q({ receiveWaitTimeSeconds: 0 })],
    paths: ["receiveWaitTimeSeconds"],
  },
  "sqs-queue.redrive-policy": {
    pass: [q(), q()],
    fail: [q(), q({ maxReceiveCount: null })],
    paths: ["maxReceiveCount"],
  },
  "sqs-queue.content-based-deduplication": {
    pass: [
      q({ fifo: true, contentBasedDeduplication: true }),
      q({ fifo: true, contentBasedDeduplication: true }),
    ],
    fail: [q({ fifo: true, contentBasedDeduplication: true }), q({ fifo: true })],
    paths: ["contentBasedDeduplication"],
  },
  "sqs-queue.encryption": {
    pass: [q({ encryption: "KMS" }), q({ encryption: "KMS" })],
    fail: [q({ encryption: "KMS" }), q({ encryption: "none" })],
    paths: ["encryption"],
  },
};
