import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { Delivery, NormalizedTopic } from "./normalize.js";

const hook = "https https://hooks.example.com/alerts";
const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  filterPolicy: '{"severity":["critical"]}',
  filterPolicyScope: "MessageAttributes",
  rawMessageDelivery: true,
  ...over,
});

const topic = (over: Partial<NormalizedTopic> = {}): NormalizedTopic => ({
  fifo: false,
  displayName: "Alerts",
  kms: true,
  contentBasedDeduplication: null,
  subscriptions: { sqs: 2, lambda: 1 },
  endpoints: {
    email: { $set: ["oncall@example.com"] },
    https: { $set: ["https://hooks.example.com/alerts"] },
  },
  pending: {},
  delivery: {
    "email oncall@example.com": delivery({
      filterPolicy: null,
      filterPolicyScope: null,
      rawMessageDelivery: false,
    }),
    [hook]: delivery(),
  },
  ...over,
});

const fifo = (contentBasedDeduplication: boolean) => topic({ fifo: true, contentBasedDeduplication });

export const cases: RuleCases<NormalizedTopic> = {
  "sns-topic.display-name": {
    pass: [topic(), topic()],
    fail: [topic(), topic({ displayName: "" })],
    paths: ["displayName"],
  },
  "sns-topic.encryption": {
    pass: [topic(), topic()],
    fail: [topic(), topic({ kms: false })],
    paths: ["kms"],
  },
  "sns-topic.content-based-deduplication": {
    pass: [fifo(true), fifo(true)],
    fail: [fifo(true), fifo(false)],
    paths: ["contentBasedDeduplication"],
  },
  "sns-topic.subscriptions": {
    pass: [topic(), topic({ subscriptions: { lambda: 1, sqs: 2 } })],
    fail: [topic(), topic({ subscriptions: { sqs: 1, firehose: 1 } })],
    paths: ["subscriptions.firehose", "subscriptions.lambda", "subscriptions.sqs"],
  },
  "sns-topic.endpoints": {
    pass: [topic(), topic()],
    fail: [
      topic(),
      topic({
        endpoints: { email: { $set: ["oncall@example.com", "ops@example.com"] }, https: { $set: [] } },
      }),
    ],
    paths: ["endpoints.email.ops@example.com", "endpoints.https.https://hooks.example.com/alerts"],
  },
  "sns-topic.pending-confirmation": {
    pass: [topic({ pending: { email: 1 } }), topic({ pending: { email: 1 } })],
    fail: [topic(), topic({ pending: { email: 1 } })],
    paths: ["pending.email"],
  },
  "sns-topic.filter-policy": {
    pass: [topic(), topic()],
    fail: [
      topic(),
      topic({ delivery: { [hook]: delivery({ filterPolicy: '{"severity":["critical","high"]}' }) } }),
    ],
    paths: [`filterPolicy.${hook}`],
  },
  "sns-topic.raw-message-delivery": {
    pass: [topic(), topic()],
    fail: [topic(), topic({ delivery: { [hook]: delivery({ rawMessageDelivery: false }) } })],
    paths: [`rawMessageDelivery.${hook}`],
  },
};
