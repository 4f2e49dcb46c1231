import {
  CloudWatchClient,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import type { HealthCheckConfig } from "@aws-sdk/client-route-53";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { createAlarm } from "./harness/worlds/cloudwatch-alarm.js";
import { drTagList } from "./harness/worlds/common.js";
import { checkOf, createHealthCheck } from "./harness/worlds/route53-health-check.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
let recorder: ReturnType<typeof recordAwsCalls>;
const arns: Record<string, string> = {};
const topics: Record<string, string> = {};

const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const SUFFIX = { [PRIMARY]: "use1", [STANDBY]: "euw1" } as const;

const primaryTags = drTagList;

/** An alarm on the region's load balancer's 5xx count, as both sides of a twin pair set it. */
async function alarm(
  region: typeof PRIMARY | typeof STANDBY,
  stem: string,
  over: Partial<PutMetricAlarmCommandInput> = {},
  secondary?: string,
): Promise<string> {
  const name = `${stem}-${SUFFIX[region]}`;
  arns[name] = await createAlarm(aws, region, name, {
    AlarmActions: [topics[region] ?? ""],
    ...over,
    ...(secondary === undefined ? {} : { Tags: primaryTags(secondary) }),
  });
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

/** A health check of one region's endpoint, named by its Name tag; its ARN. */
async function healthCheck(
  name: string,
  config: HealthCheckConfig,
  tags: { Key: string; Value: string }[] = [],
): Promise<string> {
  arns[name] = await createHealthCheck(aws, name, config, tags);
  return arns[name];
}

async function checkPair(
  stem: string,
  standby: Partial<HealthCheckConfig>,
  primary: Partial<HealthCheckConfig> = {},
) {
  const standbyArn = await healthCheck(`${stem}-${SUFFIX[STANDBY]}`, checkOf(STANDBY, standby));
  await healthCheck(`${stem}-${SUFFIX[PRIMARY]}`, checkOf(PRIMARY, primary), primaryTags(standbyArn));
}

const PLANTED_CHECKS: [string, Partial<HealthCheckConfig>, string][] = [
  ["hc-type", { Type: "HTTP_STR_MATCH" }, "route53-health-check.type"],
  ["hc-port", { Port: 8443 }, "route53-health-check.port"],
  ["hc-path", { ResourcePath: "/" }, "route53-health-check.resource-path"],
  ["hc-search", { SearchString: "healthy" }, "route53-health-check.search-string"],
  ["hc-interval", { RequestInterval: 10 }, "route53-health-check.request-interval"],
  ["hc-threshold", { FailureThreshold: 5 }, "route53-health-check.failure-threshold"],
  ["hc-regions", { Regions: ["us-east-1", "eu-west-1", "us-west-1"] }, "route53-health-check.regions"],
  ["hc-inverted", { Inverted: true }, "route53-health-check.inverted"],
  ["hc-disabled", { Disabled: true }, "route53-health-check.disabled"],
  ["hc-latency", { MeasureLatency: false }, "route53-health-check.measure-latency"],
  ["hc-sni", { EnableSNI: false }, "route53-health-check.enable-sni"],
  ["hc-endpoint", { IPAddress: "192.0.2.20" }, "route53-health-check.endpoint"],
];

async function healthChecks() {
  // Twins identical in meaning: each checks its own region's endpoint.
  await checkPair("api", {});
  // By IP address, both IPv4 (addresses differ) and then IPv4 against IPv6.
  await checkPair("hc-ipv4", { IPAddress: "192.0.2.20" }, { IPAddress: "192.0.2.10" });
  await checkPair("hc-family", { IPAddress: "2001:db8::20" }, { IPAddress: "192.0.2.10" });
  for (const [stem, standby] of PLANTED_CHECKS) await checkPair(stem, standby);
  // Calculated checks over children of their own region: the standby combines fewer.
  const child = (name: string, region: typeof PRIMARY | typeof STANDBY) =>
    healthCheck(name, checkOf(region)).then((arn) => arn.split("/").at(-1) ?? "");
  const [e1, e2, w1] = [
    await child("child-a-use1", PRIMARY),
    await child("child-b-use1", PRIMARY),
    await child("child-a-euw1", STANDBY),
  ];
  const standbyCalc = await healthCheck("calc-euw1", {
    Type: "CALCULATED",
    ChildHealthChecks: [w1],
    HealthThreshold: 1,
  });
  await healthCheck(
    "calc-use1",
    { Type: "CALCULATED", ChildHealthChecks: [e1, e2], HealthThreshold: 1 },
    primaryTags(standbyCalc),
  );
  // Bad input: a standby of another type (an alarm), and one that does not exist.
  await healthCheck("hc-wrong-kind-use1", checkOf(PRIMARY), primaryTags(arns["api-5xx-euw1"] ?? ""));
  await healthCheck(
    "hc-ghost-use1",
    checkOf(PRIMARY),
    primaryTags("arn:aws:route53:::healthcheck/00000000-0000-4000-8000-000000000000"),
  );
}

beforeAll(async () => {
  aws = await env.clients();
  await alarms();
  await healthChecks();
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
    ["wrong-kind-use1", "pair.secondary-other-kind", /is an SNS topic/],
    ["ghost-use1", "pair.standby-not-found", /does not exist in eu-west-1/],
  ])("%s: bad input is the pair finding %s, and the rest of the scan goes on", (name, rule, message) => {
    const found = live(name);
    expect(found.map((f) => f.ruleId)).toEqual([rule]);
    expect(found[0]?.message).toMatch(message);
  });
});

describe("Route 53 health checks: global checks, each watching one region's endpoint", () => {
  it.each(["api-use1", "hc-ipv4-use1"])(
    "%s: finds nothing between twins that differ only in their endpoint's address or name",
    (name) => {
      expect(pairNamed(name)?.secondaryArn).toBe(arns[name.replace("use1", "euw1")]);
      expect(live(name)).toEqual([]);
    },
  );

  it.each([
    ...PLANTED_CHECKS.map(([stem, , rule]) => [`${stem}-use1`, rule]),
    ["hc-family-use1", "route53-health-check.address-family"],
    ["calc-use1", "route53-health-check.calculated"],
  ])("%s: its one planted difference is found under %s", (name, rule) => {
    expect([...new Set(live(name).map((f) => f.ruleId))]).toEqual([rule]);
    expect(live(name)[0]?.message).not.toMatch(/arn:|example\.com|192\.0|2001:/);
  });

  it.each([
    ["hc-wrong-kind-use1", "pair.secondary-other-kind", /is a CloudWatch alarm/],
    ["hc-ghost-use1", "pair.standby-not-found", /healthcheck\/0{8}-0000-4000-8000-0{12} does not exist$/],
  ])("%s: bad input is the pair finding %s", (name, rule, message) => {
    const found = live(name);
    expect(found.map((f) => f.ruleId)).toEqual([rule]);
    expect(found[0]?.message).toMatch(message);
  });
});

describe("the scan's calls", () => {
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
