import { describe, expect, it } from "vitest";
import { canonicalPolicy, normalizeTopic } from "./normalize.js";

const topic = (attributes: Record<string, string>) => ({
  arn: "arn:aws:sns:us-east-1:123456789012:t",
  name: "t",
  attributes,
});

describe("normalizeTopic", () => {
  it("counts regional endpoints, keeps shared ones as sets, and reads delivery only where confirmed", () => {
    const t = normalizeTopic(topic({ DisplayName: "Alerts", KmsMasterKeyId: "alias/aws/sns" }), [
      {
        listed: {
          Protocol: "sqs",
          Endpoint: "arn:aws:sqs:us-east-1:123456789012:a",
          SubscriptionArn: "arn:x:1",
        },
      },
      {
        listed: {
          Protocol: "sqs",
          Endpoint: "arn:aws:sqs:us-east-1:123456789012:b",
          SubscriptionArn: "arn:x:2",
        },
      },
      {
        listed: { Protocol: "https", Endpoint: "https://h.example.com/", SubscriptionArn: "arn:x:3" },
        attributes: { FilterPolicy: '{ "b": [1], "a": ["x"] }', RawMessageDelivery: "true" },
      },
      { listed: { Protocol: "email", Endpoint: "b@example.com", SubscriptionArn: "PendingConfirmation" } },
      {
        listed: { Protocol: "email", Endpoint: "a@example.com", SubscriptionArn: "arn:x:4" },
        attributes: { RawMessageDelivery: "false" },
      },
    ]);
    expect(t).toEqual({
      fifo: false,
      displayName: "Alerts",
      kms: true,
      contentBasedDeduplication: null,
      subscriptions: { sqs: 2 },
      endpoints: {
        https: { $set: ["https://h.example.com/"] },
        email: { $set: ["a@example.com", "b@example.com"] },
      },
      pending: { email: 1 },
      delivery: {
        "https https://h.example.com/": {
          filterPolicy: '{"a":["x"],"b":[1]}',
          filterPolicyScope: "MessageAttributes",
          rawMessageDelivery: true,
        },
        "email a@example.com": { filterPolicy: null, filterPolicyScope: null, rawMessageDelivery: false },
      },
    });
  });

  it("reads content-based deduplication on FIFO topics only", () => {
    expect(
      normalizeTopic(topic({ FifoTopic: "true", ContentBasedDeduplication: "false" }), []),
    ).toMatchObject({
      fifo: true,
      contentBasedDeduplication: false,
      kms: false,
    });
    expect(
      normalizeTopic(topic({ ContentBasedDeduplication: "true" }), []).contentBasedDeduplication,
    ).toBeNull();
  });

  it("keeps an unparsable filter policy as written", () => {
    expect(canonicalPolicy("not json")).toBe("not json");
    expect(canonicalPolicy("  ")).toBeNull();
  });
});
