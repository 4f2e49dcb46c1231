/**
 * SNS topics paired by their DR tags and compared against the emulator: primaries in us-east-1,
 * standbys in eu-west-1, named differently per region, subscribed to their own region's queues
 * and functions and to the same addresses and webhooks.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient, SubscribeCommand, type Tag } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const [EAST, WEST] = ["us-east-1", "eu-west-1"];
const ACCOUNT = "123456789012";
let aws: AwsClients;
let result: ScanResult;
let recording: ReturnType<typeof recordAwsCalls>;

const HOOK_POLICY = JSON.stringify({ severity: ["critical"] });

/** What a topic is made of: its attributes and its subscriptions (protocol, endpoint, attributes). */
interface Spec {
  attributes: Record<string, string>;
  subscriptions: {
    protocol: string;
    endpoint: (region: string) => string;
    attributes?: Record<string, string>;
  }[];
}

const base = (): Spec => ({
  attributes: { DisplayName: "Alerts", KmsMasterKeyId: "alias/aws/sns" },
  subscriptions: [
    { protocol: "email", endpoint: () => "oncall@example.com" },
    {
      protocol: "https",
      endpoint: () => "https://hooks.example.com/alerts",
      attributes: { FilterPolicy: HOOK_POLICY, RawMessageDelivery: "true" },
    },
    { protocol: "sqs", endpoint: (r) => `arn:aws:sqs:${r}:${ACCOUNT}:alerts-queue` },
    { protocol: "lambda", endpoint: (r) => `arn:aws:lambda:${r}:${ACCOUNT}:function:pager` },
  ],
});

const fifoBase = (): Spec => ({
  attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" },
  subscriptions: [{ protocol: "sqs", endpoint: (r) => `arn:aws:sqs:${r}:${ACCOUNT}:orders.fifo` }],
});

async function topic(region: string, name: string, spec: Spec, tags: Tag[] = []): Promise<string> {
  const sns = aws.get(SNSClient, region);
  const out = await sns.send(
    new CreateTopicCommand({
      Name: name,
      Attributes: spec.attributes,
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
  const TopicArn = out.TopicArn ?? "";
  for (const s of spec.subscriptions)
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: s.protocol,
        Endpoint: s.endpoint(region),
        Attributes: s.attributes,
      }),
    );
  return TopicArn;
}

const primaryTags = (secondary: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: secondary },
];

const withHook = (s: Spec, attributes: Record<string, string>): Spec => ({
  ...s,
  subscriptions: s.subscriptions.map((x) => (x.protocol === "https" ? { ...x, attributes } : x)),
});

/** Each planted difference: the pair's stem, its primary, how the standby differs, and the one rule that says so. */
const PLANTED: [string, () => Spec, (s: Spec) => Spec, string][] = [
  [
    "display",
    base,
    (s) => ({ ...s, attributes: { ...s.attributes, DisplayName: "Alerts DR" } }),
    "sns-topic.display-name",
  ],
  ["kms", base, (s) => ({ ...s, attributes: { DisplayName: "Alerts" } }), "sns-topic.encryption"],
  [
    "dedup",
    fifoBase,
    (s) => ({ ...s, attributes: { FifoTopic: "true", ContentBasedDeduplication: "false" } }),
    "sns-topic.content-based-deduplication",
  ],
  [
    "lambda",
    base,
    (s) => ({ ...s, subscriptions: s.subscriptions.filter((x) => x.protocol !== "lambda") }),
    "sns-topic.subscriptions",
  ],
  [
    "email",
    base,
    (s) => ({ ...s, subscriptions: s.subscriptions.filter((x) => x.protocol !== "email") }),
    "sns-topic.endpoints",
  ],
  [
    "filter",
    base,
    (s) =>
      withHook(s, {
        FilterPolicy: JSON.stringify({ severity: ["critical", "high"] }),
        RawMessageDelivery: "true",
      }),
    "sns-topic.filter-policy",
  ],
  [
    "raw",
    base,
    (s) => withHook(s, { FilterPolicy: HOOK_POLICY, RawMessageDelivery: "false" }),
    "sns-topic.raw-message-delivery",
  ],
];

const nameOf = (stem: string, role: "primary" | "dr", fifo: boolean) =>
  `${stem}-${role}${fifo ? ".fifo" : ""}`;

beforeAll(async () => {
  aws = await env.clients();
  const standby = await topic(WEST, "alerts-dr", base());
  await topic(EAST, "alerts-primary", base(), primaryTags(standby));
  for (const [stem, primary, change] of PLANTED) {
    const fifo = primary === fifoBase;
    const s = await topic(WEST, nameOf(stem, "dr", fifo), change(primary()));
    await topic(EAST, nameOf(stem, "primary", fifo), primary(), primaryTags(s));
  }
  const fifoStandby = await topic(WEST, "kind-dr.fifo", fifoBase());
  await topic(EAST, "kind-primary", base(), primaryTags(fifoStandby));
  const table = await aws.get(DynamoDBClient, WEST).send(
    new CreateTableCommand({
      TableName: "alerts-dr",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }),
  );
  await topic(EAST, "wrongtype-primary", base(), primaryTags(table.TableDescription?.TableArn ?? ""));
  await topic(EAST, "ghost-primary", base(), primaryTags(standby.replace("alerts-dr", "nowhere-dr")));
  await topic(EAST, "scratch-primary", base());

  recording = recordAwsCalls();
  const scanClients = await env.clients();
  result = await runScan(scanClients, {
    types: RESOURCE_TYPES,
    primaryRegions: [EAST],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
  recording.stop();
});
afterAll(() => recording.stop());

const pair = (name: string) => result.pairs.find((p) => p.name === name);

describe("SNS topic pairs (emulator)", () => {
  it("finds nothing on twins equal in meaning whose names, regions and queue ARNs differ", () => {
    expect(pair("alerts-primary")?.secondaryArn).toBe(`arn:aws:sns:${WEST}:${ACCOUNT}:alerts-dr`);
    expect(pair("alerts-primary")?.findings).toEqual([]);
    expect(pair("alerts-primary")?.status).toBe("pass");
  });

  it.each(PLANTED.map(([stem, primary, , rule]) => [nameOf(stem, "primary", primary === fifoBase), rule]))(
    "%s: the planted difference is found once, under %s, and nothing else",
    (name, rule) => {
      const found = pair(name)?.findings ?? [];
      expect(found.map((f) => f.ruleId)).toEqual([rule]);
      console.log(`${name}: ${found[0]?.severity ?? ""} ${found[0]?.message ?? ""}`);
    },
  );

  it("does not compare a standard topic with a FIFO one", () => {
    expect(pair("kind-primary")?.findings.map((f) => [f.ruleId, f.message])).toEqual([
      ["pair.type-mismatch", "kind-primary is a standard topic but its standby kind-dr.fifo is a FIFO topic"],
    ]);
  });

  it("reports a standby of another type and one that does not exist as pair findings", () => {
    expect(pair("wrongtype-primary")?.findings.map((f) => f.ruleId)).toEqual(["pair.secondary-other-kind"]);
    expect(pair("ghost-primary")?.findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "pair.standby-not-found",
        expect.stringMatching(/standby .*nowhere-dr does not exist in eu-west-1/) as string,
      ],
    ]);
    expect(result.pairs).toHaveLength(PLANTED.length + 4);
  });

  it("makes only the AWS calls the scan's permissions declare", () => {
    expect(recording.calls.size).toBeGreaterThan(0);
    expect(undeclaredBy(recording.calls, "scan")).toEqual([]);
  });

  it("reads a bounded number of calls per pair and side", () => {
    const calls = result.stats.calls;
    const sns = Object.entries(calls)
      .filter(([op]) => op.startsWith("SNS."))
      .reduce((n, [, c]) => n + c, 0);
    const perPair = sns / result.pairs.length;
    console.log(
      `calls: ${JSON.stringify(calls)}; ${result.pairs.length} pairs; ${perPair.toFixed(1)} SNS calls per pair (${(perPair / 2).toFixed(1)} per side)`,
    );
    // Per side: the topic's attributes, one page of subscriptions, and one call per email or https subscription.
    expect(perPair).toBeLessThanOrEqual(2 * (1 + 1 + 2));
    expect(calls["ResourceGroupsTaggingAPI.GetResources"]).toBe(1);
  });
});
