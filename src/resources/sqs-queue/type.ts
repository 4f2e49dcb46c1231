/** The SQS queue as a readiness type: a pair of queues compared by their attributes. */
import type { ResourceType } from "../module.js";
import { sqsQueueModule } from "./index.js";
import { sqsQueuePairing, type QueueDescription } from "./pairing.js";

export const sqsQueueType = {
  pairing: sqsQueuePairing,
  modules: [sqsQueueModule],
} as unknown as ResourceType<QueueDescription>;
