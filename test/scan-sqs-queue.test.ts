import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { drTags } from "./harness/worlds/common.js";
import { createQueue, createQueuePair, QUEUE_ATTRIBUTES as SAME } from "./harness/worlds/sqs-queue.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;
const arns: Record<string, string> = {};

const REGIONS = { primaryRegion: "us-east-1", standbyRegion: "eu-west-1" };

async function queue(
  region: string,
  name: string,
  attributes: Record<string, string>,
  tags?: Record<string, string>,
) {
  arns[name] = await createQueue(aws, region, name, attributes, tags);
  return arns[name];
}

const primaryTags = drTags;

/** A dead-letter queue in the region, and the redrive policy that sends to it after `count` receives. */
async function redrive(region: string, name: string, count: number): Promise<string> {
  const dlq = await queue(region, name, {});
  return JSON.stringify({ deadLetterTargetArn: dlq, maxReceiveCount: count });
}

/** A primary in us-east-1 and its standby in eu-west-1, the standby's attributes changed by `standby`. */
async function pair(
  primary: string,
  standbyName: string,
  attrs: Record<string, string>,
  standby: Record<string, string>,
) {
  const built = await createQueuePair(aws, REGIONS, { primary, standby: standbyName }, attrs, standby);
  arns[standbyName] = built.standbyArn;
  arns[primary] = built.primaryArn;
}

beforeAll(async () => {
  aws = await env.clients();
  const withDlq = { ...SAME, RedrivePolicy: await redrive("us-east-1", "jobs-dlq-use1", 5) };
  const standbyDlq = await redrive("eu-west-1", "jobs-dlq-euw1", 5);
  await pair("jobs-primary", "jobs-dr", withDlq, { RedrivePolicy: standbyDlq });
  await pair("visibility-primary", "visibility-dr", SAME, { VisibilityTimeout: "30" });
  await pair("retention-primary", "retention-dr", SAME, { MessageRetentionPeriod: "345600" });
  await pair("size-primary", "size-dr", SAME, { MaximumMessageSize: "65536" });
  await pair("delay-primary", "delay-dr", SAME, { DelaySeconds: "10" });
  await pair("wait-primary", "wait-dr", SAME, { ReceiveMessageWaitTimeSeconds: "0" });
  await pair("redrive-primary", "redrive-dr", withDlq, { RedrivePolicy: "" });
  await pair("sse-primary", "sse-dr", SAME, { SqsManagedSseEnabled: "false" });
  const fifo = { ...SAME, FifoQueue: "true", ContentBasedDeduplication: "true" };
  await pair("dedup-primary.fifo", "dedup-dr.fifo", fifo, { ContentBasedDeduplication: "false" });
  const standard = await queue("eu-west-1", "ordering-dr", SAME);
  await queue("us-east-1", "ordering-primary.fifo", fifo, primaryTags(standard));
  const account = arns["jobs-dr"]?.split(":")[4] ?? "";
  await queue("us-east-1", "topic-primary", SAME, primaryTags(`arn:aws:sns:eu-west-1:${account}:jobs-topic`));
  await queue("us-east-1", "ghost-primary", SAME, primaryTags(`arn:aws:sqs:eu-west-1:${account}:jobs-ghost`));

  const recorder = recordAwsCalls();
  try {
    result = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: ["us-east-1"],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recorder.stop();
  }
  calls = recorder.calls;
});

const findingsOf = (name: string) => result.pairs.find((p) => p.name === name)?.findings ?? [];

describe("scan: SQS queues", () => {
  it("finds nothing between twins alike in meaning (their dead-letter queues and names differ by region)", () => {
    const pair = result.pairs.find((p) => p.name === "jobs-primary");
    expect(pair?.secondaryArn).toBe(arns["jobs-dr"]);
    expect(pair?.findings).toEqual([]);
    expect(pair?.status).toBe("pass");
  });

  it.each([
    [
      "visibility-primary",
      "sqs-queue.visibility-timeout",
      /visibility timeout is 30 seconds, the primary's 120 seconds/,
    ],
    [
      "retention-primary",
      "sqs-queue.message-retention",
      /retention is 345600 seconds, the primary's 1209600/,
    ],
    ["size-primary", "sqs-queue.maximum-message-size", /size is 65536 bytes, the primary's 262144 bytes/],
    ["delay-primary", "sqs-queue.delay", /delivery delay is 10 seconds, the primary's 0 seconds/],
    ["wait-primary", "sqs-queue.receive-wait-time", /is 0 seconds, the primary's 20 seconds/],
    [
      "redrive-primary",
      "sqs-queue.redrive-policy",
      /standby has no dead-letter queue, the primary a dead-letter queue after 5 receives/,
    ],
    ["sse-primary", "sqs-queue.encryption", /standby's encryption is none, the primary's SQS-managed keys/],
    ["dedup-primary.fifo", "sqs-queue.content-based-deduplication", /off on the standby, on on the primary/],
    [
      "ordering-primary.fifo",
      "pair.type-mismatch",
      /is a FIFO queue but its standby ordering-dr is a standard one/,
    ],
    [
      "topic-primary",
      "pair.secondary-other-kind",
      /topic-primary is an SQS queue resource, but its standby .* is an SNS topic/,
    ],
    ["ghost-primary", "pair.standby-not-found", /does not exist in eu-west-1/],
  ])("%s: exactly one finding, under %s", (name, ruleId, message) => {
    const findings = findingsOf(name);
    expect(findings.map((f) => f.ruleId)).toEqual([ruleId]);
    expect(findings[0]?.message).toMatch(message);
  });

  it("pairs every tagged primary, and no dead-letter queue or standby as a primary", () => {
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [
        "jobs-primary",
        "visibility-primary",
        "retention-primary",
        "size-primary",
        "delay-primary",
        "wait-primary",
        "redrive-primary",
        "sse-primary",
        "dedup-primary.fifo",
        "ordering-primary.fifo",
        "topic-primary",
        "ghost-primary",
      ].sort(),
    );
  });

  it("declares every AWS call the scan made among the scan's permissions", () => {
    expect(calls.size).toBeGreaterThan(0);
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads each queue with two calls at most (its URL, then all its attributes)", () => {
    const sqsCalls = Object.entries(result.stats.calls).filter(([k]) => k.startsWith("SQS."));
    const total = sqsCalls.reduce((n, [, c]) => n + c, 0);
    // 12 primaries and 11 standbys read (one of them does not exist; the SNS topic is not read).
    const sides = 12 + 11;
    console.log(
      `SQS calls: ${JSON.stringify(Object.fromEntries(sqsCalls))}; ${(total / sides).toFixed(2)} per pair per side; all calls: ${JSON.stringify(result.stats.calls)}`,
    );
    expect(total).toBeLessThanOrEqual(2 * sides);
    expect(result.stats.calls["ResourceGroupsTaggingAPI.GetResources"]).toBeLessThanOrEqual(2);
  });
});
