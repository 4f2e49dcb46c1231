/**
 * A subscription the standby lists as pending confirmation. The emulator confirms every
 * subscription at once, so SNS and the tagging API are stubbed with aws-sdk-client-mock,
 * answering as the API reference shapes GetTopicAttributes, ListSubscriptionsByTopic (a pending
 * subscription's SubscriptionArn is "PendingConfirmation") and GetSubscriptionAttributes.
 */
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import {
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanResult } from "../src/core/scan-result.js";
import type { ResourceType } from "../src/resources/module.js";
import { snsTopicType } from "../src/resources/sns-topic/type.js";
import { runScan } from "../src/scan/engine.js";
import { mockedAws } from "./harness/mocked-aws.js";

const ACCOUNT = "123456789012";
const PRIMARY = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts-primary`;
const STANDBY = `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts-dr`;
const sns = mockClient(SNSClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
let result: ScanResult;

const email = (topicArn: string, subscriptionArn: string): Subscription => ({
  SubscriptionArn: subscriptionArn,
  Owner: ACCOUNT,
  Protocol: "email",
  Endpoint: "oncall@example.com",
  TopicArn: topicArn,
});

beforeAll(async () => {
  tagging.on(GetResourcesCommand).resolves({
    ResourceTagMappingList: [
      {
        ResourceARN: PRIMARY,
        Tags: [
          { Key: "enable", Value: "true" },
          { Key: "isPrimary", Value: "true" },
          { Key: "secondaryARN", Value: STANDBY },
        ],
      },
    ],
  });
  sns.on(GetTopicAttributesCommand).callsFake((input: { TopicArn: string }) => ({
    Attributes: {
      TopicArn: input.TopicArn,
      Owner: ACCOUNT,
      DisplayName: "Alerts",
      SubscriptionsConfirmed: "1",
    },
  }));
  sns
    .on(ListSubscriptionsByTopicCommand, { TopicArn: PRIMARY })
    .resolves({ Subscriptions: [email(PRIMARY, `${PRIMARY}:6b0e71bd-7e97-4d97-80ce-4a0994e55286`)] })
    .on(ListSubscriptionsByTopicCommand, { TopicArn: STANDBY })
    .resolves({ Subscriptions: [email(STANDBY, "PendingConfirmation")] });
  sns.on(GetSubscriptionAttributesCommand).resolves({
    Attributes: {
      SubscriptionArn: `${PRIMARY}:6b0e71bd-7e97-4d97-80ce-4a0994e55286`,
      Protocol: "email",
      Endpoint: "oncall@example.com",
      PendingConfirmation: "false",
      ConfirmationWasAuthenticated: "true",
      RawMessageDelivery: "false",
    },
  });
  const aws = await mockedAws({ maxAttempts: 1 });
  result = await runScan(aws, {
    types: [snsTopicType] as unknown as ResourceType<never>[],
    primaryRegions: ["us-east-1"],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 2,
  }).finally(() => aws.destroy());
});
afterAll(() => {
  sns.restore();
  tagging.restore();
});

describe("pending confirmations (aws-sdk-client-mock, API-shaped: moto confirms every subscription at once)", () => {
  it("reports the standby's subscription pending confirmation, once, as high", () => {
    expect(result.pairs.map((p) => [p.name, p.secondaryArn])).toEqual([["alerts-primary", STANDBY]]);
    expect(result.pairs[0]?.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      [
        "sns-topic.pending-confirmation",
        "high",
        "the standby has 1 email subscription pending confirmation, the primary 0",
      ],
    ]);
    // Only the confirmed subscription's attributes are read: a pending one has no ARN to read them by.
    expect(sns.commandCalls(GetSubscriptionAttributesCommand)).toHaveLength(1);
  });
});
