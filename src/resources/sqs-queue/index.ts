import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { normalizeQueue, type NormalizedQueue } from "./normalize.js";
import { SQS_QUEUE_PERMISSIONS, type QueueDescription } from "./pairing.js";
import { sqsQueueRules } from "./rules.js";

/** The queue's attributes were read with it (one GetQueueAttributes): no further call. */
export const sqsQueueCollector: Collector<NormalizedQueue, QueueDescription> = {
  type: "sqs-queue",
  collect: (side) => Promise.resolve(normalizeQueue(side.anchor.attributes)),
};

export const sqsQueueModule: ResourceModule<NormalizedQueue, QueueDescription> = {
  type: "sqs-queue",
  title: "SQS queue",
  permissions: SQS_QUEUE_PERMISSIONS,
  rules: sqsQueueRules,
  twins: oneTwin(sqsQueueCollector),
};
