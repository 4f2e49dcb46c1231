import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
let recorder: ReturnType<typeof recordAwsCalls>;
const arns: Record<string, string> = {};
const topics: Record<string, string> = {};

const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const SUFFIX = { [PRIMARY]: "use1", [STANDBY]: "euw1" } as const;

const primaryTags = (secondary: string) => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: secondary },
];

/** An alarm on the region's load balancer's 5xx count, as both sides of a twin pair set it. */
async function alarm(
  region: typeof PRIMARY | typeof STANDBY,
  stem: string,
  over: Partial<PutMetricAlarmCommandInput> = {},
  secondary?: string,
): Promise<string> {
  const name = `${stem}-${SUFFIX[region]}`;
  const cw = aws.get(CloudWatchClient, region);
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_ELB_5XX_Count",
      Dimensions: [{ Name: "LoadBalancer", Value: `app/api-${SUFFIX[region]}/0123456789abcdef` }],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [topics[region] ?? ""],
      ...over,
      ...(secondary === undefined ? {} : { Tags: primaryTags(secondary) }),
    }),
  );
  const described = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  arns[name] = described.MetricAlarms?.[0]?.AlarmArn ?? "";
  return arns[name];
}

/** A primary in us-east-1 and its standby in eu-west-1, the standby set with `standby`. */
async function alarmPair(stem: string, standby: Partial<PutMetricAlarmCommandInput> = {}) {
  const standbyArn = await alarm(STANDBY, stem, standby);
  await alarm(PRIMARY, stem, {}, standbyArn);
}

const PLANTED_ALARMS: [string, Partial<PutMetricAlarmCommandInput>, string][] = [
  ["threshold", { Threshold: 50 }, "cloudwatch-alarm.threshold"],
  [
    "operator",
    { ComparisonOperator: "GreaterThanOrEqualToThreshold" },
    "cloudwatch-alarm.comparison-operator",
  ],
  ["statistic", { Statistic: "Average" }, "cloudwatch-alarm.statistic"],
  ["metric", { MetricName: "HTTPCode_Target_5XX_Count" }, "cloudwatch-alarm.metric"],
  [
    "dimensions",
    {
      Dimensions: [
        { Name: "LoadBalancer", Value: "app/api-euw1/0123456789abcdef" },
        { Name: "AvailabilityZone", Value: "eu-west-1a" },
      ],
    },
    "cloudwatch-alarm.dimensions",
  ],
  ["period", { Period: 300 }, "cloudwatch-alarm.period"],
  ["evaluations", { EvaluationPeriods: 5 }, "cloudwatch-alarm.evaluation-periods"],
  ["datapoints", { DatapointsToAlarm: 3 }, "cloudwatch-alarm.datapoints-to-alarm"],
  ["missing-data", { TreatMissingData: "breaching" }, "cloudwatch-alarm.treat-missing-data"],
  ["actions", { AlarmActions: [] }, "cloudwatch-alarm.alarm-actions"],
];

async function alarms() {
  for (const region of [PRIMARY, STANDBY] as const)
    topics[region] =
      (await aws.get(SNSClient, region).send(new CreateTopicCommand({ Name: `dr-${SUFFIX[region]}` })))
        .TopicArn ?? "";
  // Twins identical in meaning: names, dimension values and action ARNs differ per region.
  await alarmPair("api-5xx");
  for (const [stem, standby] of PLANTED_ALARMS) await alarmPair(stem, standby);
  await alarmPair("no-data");
  await aws.get(CloudWatchClient, STANDBY).send(
    new SetAlarmStateCommand({
      AlarmName: "no-data-euw1",
      StateValue: "INSUFFICIENT_DATA",
      StateReason: "no data",
    }),
  );
  // Bad input: a standby of another type (a topic), and one that does not exist.
  await alarm(PRIMARY, "wrong-kind", {}, topics[STANDBY]);
  await alarm(PRIMARY, "ghost", {}, (arns["api-5xx-euw1"] ?? "").replace("api-5xx-euw1", "ghost-euw1"));
}

beforeAll(async () => {
  aws = await env.clients();
  await alarms();
  recorder = recordAwsCalls();
  result = await runScan(await env.clients(), {
    types: RESOURCE_TYPES,
    primaryRegions: [PRIMARY],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
  recorder.stop();
});

afterAll(() => recorder.stop());

const pairNamed = (name: string) => result.pairs.find((p) => p.name === name);
const live = (name: string) => pairNamed(name)?.findings.filter((f) => f.status !== "pass") ?? [];

describe("CloudWatch alarms: primaries in us-east-1, standbys in eu-west-1 named differently", () => {
  it("finds nothing between twins identical in meaning (names, dimension values and action ARNs differ)", () => {
    expect(pairNamed("api-5xx-use1")?.secondaryArn).toBe(arns["api-5xx-euw1"]);
    expect(live("api-5xx-use1")).toEqual([]);
  });

  it.each(PLANTED_ALARMS.map(([stem, , rule]) => [`${stem}-use1`, rule]))(
    "%s: its one planted difference is found once, under %s",
    (name, rule) => {
      expect(live(name).map((f) => f.ruleId)).toEqual([rule]);
      expect(live(name)[0]?.message).not.toMatch(/arn:|use1|euw1/);
    },
  );

  it("reports a standby alarm in INSUFFICIENT_DATA", () => {
    const found = live("no-data-use1");
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([
      ["cloudwatch-alarm.standby-insufficient-data", "medium"],
    ]);
  });

  it.each([
    ["wrong-kind-use1", "pair.secondary-other-kind", /names sns/],
    ["ghost-use1", "pair.standby-not-found", /does not exist in eu-west-1/],
  ])("%s: bad input is the pair finding %s, and the rest of the scan goes on", (name, rule, message) => {
    const found = live(name);
    expect(found.map((f) => f.ruleId)).toEqual([rule]);
    expect(found[0]?.message).toMatch(message);
  });

  it("makes only the calls its modules declare, and few per pair", () => {
    expect(undeclaredBy(recorder.calls, "scan")).toEqual([]);
    const calls = result.stats.calls;
    const pairs = result.pairs.length;
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    console.log(
      `calls by operation: ${JSON.stringify(calls)}; ${pairs} pairs, ${(total / pairs / 2).toFixed(2)} calls per pair per side`,
    );
    // One describe per region for every alarm of the scan, not one per pair.
    expect(calls["CloudWatch.DescribeAlarms"]).toBeLessThanOrEqual(2);
    expect(total / pairs / 2).toBeLessThan(1);
  });
});
