import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectTopic, SNS_TOPIC_PERMISSIONS } from "./collect.js";
import type { NormalizedTopic, Topic } from "./normalize.js";
import { snsTopicRules } from "./rules.js";

export const snsTopicCollector: Collector<NormalizedTopic, Topic> = {
  type: "sns-topic",
  collect: (side) => collectTopic(side.cache, side.anchor),
};

export const snsTopicModule: ResourceModule<NormalizedTopic, Topic> = {
  type: "sns-topic",
  title: "SNS topic",
  permissions: SNS_TOPIC_PERMISSIONS,
  rules: snsTopicRules,
  twins: oneTwin(snsTopicCollector),
};
