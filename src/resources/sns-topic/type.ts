/**
 * The SNS topic as a readiness type: a primary topic and its standby compared in kind, encryption
 * and what they deliver to (their subscriptions and how each is delivered).
 */
import type { ResourceType } from "../module.js";
import { snsTopicModule } from "./index.js";
import type { Topic } from "./normalize.js";
import { snsTopicPairing } from "./pairing.js";

export const snsTopicType = {
  pairing: snsTopicPairing,
  modules: [snsTopicModule],
} as unknown as ResourceType<Topic>;
