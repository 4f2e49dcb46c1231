/**
 * The Route 53 health check type against responses shaped like the Route 53 API reference, for
 * what the emulator does not keep: a CLOUDWATCH_METRIC check's AlarmIdentifier and
 * InsufficientDataHealthStatus (moto drops both from what it returns).
 */
import {
  ListHealthChecksCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  type HealthCheck,
  type InsufficientDataHealthStatus,
} from "@aws-sdk/client-route-53";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScanResult } from "../src/core/scan-result.js";
import { route53HealthCheckType } from "../src/resources/route53-health-check/type.js";
import { runScan } from "../src/scan/engine.js";
import { mockedAws } from "./harness/mocked-aws.js";

const r53 = mockClient(Route53Client);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

/** A CLOUDWATCH_METRIC health check as ListHealthChecks returns it. */
function alarmCheck(
  id: string,
  alarm: { Region: "us-east-1" | "eu-west-1"; Name: string },
  insufficient: InsufficientDataHealthStatus = "Unhealthy",
): HealthCheck {
  return {
    Id: id,
    CallerReference: `ref-${id}`,
    HealthCheckConfig: {
      Type: "CLOUDWATCH_METRIC",
      Inverted: false,
      Disabled: false,
      AlarmIdentifier: alarm,
      InsufficientDataHealthStatus: insufficient,
    },
    HealthCheckVersion: 1,
    CloudWatchAlarmConfiguration: {
      EvaluationPeriods: 3,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
      Period: 60,
      MetricName: "HTTPCode_ELB_5XX_Count",
      Namespace: "AWS/ApplicationELB",
      Statistic: "Sum",
    },
  };
}

const arnOf = (id: string) => `arn:aws:route53:::healthcheck/${id}`;
const east = (name: string) => ({ Region: "us-east-1" as const, Name: name });
const west = (name: string) => ({ Region: "eu-west-1" as const, Name: name });

/** id -> [Name tag, standby id if a tagged primary]. */
const CHECKS: [HealthCheck, string, string?][] = [
  [alarmCheck("p-ok", east("api-5xx-use1")), "alarm-ok-use1", "s-ok"],
  [alarmCheck("s-ok", west("api-5xx-euw1")), "alarm-ok-euw1"],
  [alarmCheck("p-other", east("api-5xx-use1")), "alarm-other-use1", "s-other"],
  [alarmCheck("s-other", west("api-latency-euw1")), "alarm-other-euw1"],
  [alarmCheck("p-status", east("api-5xx-use1")), "alarm-status-use1", "s-status"],
  [alarmCheck("s-status", west("api-5xx-euw1"), "LastKnownStatus"), "alarm-status-euw1"],
];

/** A check whose tags this caller may not read. */
const DENIED = alarmCheck("p-denied", east("api-5xx-use1"));

beforeEach(() => {
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  r53.on(ListHealthChecksCommand).callsFake(() => ({
    HealthChecks: CHECKS.map(([c]) => c),
    Marker: "",
    IsTruncated: false,
    MaxItems: 1000,
  }));
  r53.on(ListTagsForResourcesCommand).callsFake((input: { ResourceIds: string[] }) => {
    if (input.ResourceIds.includes(DENIED.Id ?? "") && CHECKS.some(([c]) => c === DENIED))
      throw Object.assign(new Error("User is not authorized to perform route53:ListTagsForResources"), {
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      });
    return {
      ResourceTagSets: input.ResourceIds.map((id) => {
        const [, name, standby] = CHECKS.find(([c]) => c.Id === id) ?? [];
        return {
          ResourceType: "healthcheck",
          ResourceId: id,
          Tags: [
            { Key: "Name", Value: name },
            ...(standby
              ? [
                  { Key: "enable", Value: "true" },
                  { Key: "isPrimary", Value: "true" },
                  { Key: "secondaryARN", Value: arnOf(standby) },
                ]
              : []),
          ],
        };
      }),
    };
  });
});
afterEach(() => {
  if (CHECKS.at(-1)?.[0] === DENIED) CHECKS.pop();
  r53.reset();
  tagging.reset();
});

async function scan(primaryRegions: string[]): Promise<ScanResult> {
  const aws = await mockedAws({ maxAttempts: 1 });
  return runScan(aws, {
    types: [route53HealthCheckType] as never[],
    primaryRegions,
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 2,
  }).finally(() => aws.destroy());
}

const live = (r: ScanResult, name: string) =>
  r.pairs.find((p) => p.name === name)?.findings.filter((f) => f.status !== "pass") ?? [];

describe("health checks that follow alarms (aws-sdk-client-mock, API-shaped: moto lacks AlarmIdentifier and InsufficientDataHealthStatus)", () => {
  it("finds nothing between checks following twin alarms (api-5xx-use1 and api-5xx-euw1)", async () => {
    const r = await scan(["us-east-1"]);
    expect(live(r, "alarm-ok-use1")).toEqual([]);
  });

  it("reports a standby check that follows another alarm, naming both", async () => {
    const found = live(await scan(["us-east-1"]), "alarm-other-use1");
    expect(found.map((f) => f.ruleId)).toEqual(["route53-health-check.alarm"]);
    expect(found[0]?.message).toBe(
      "the standby's check follows alarm api-latency-euw1, the primary's alarm api-5xx-use1, which is not its twin by name",
    );
  });

  it("reports another status on insufficient data", async () => {
    const found = live(await scan(["us-east-1"]), "alarm-status-use1");
    expect(found.map((f) => [f.ruleId, f.primary, f.secondary])).toEqual([
      ["route53-health-check.insufficient-data", "Unhealthy", "LastKnownStatus"],
    ]);
  });

  it("lists the account's checks once and pairs each once, whatever the number of primary regions", async () => {
    const r = await scan(["us-east-1", "eu-west-1"]);
    expect(r.pairs.map((p) => p.name)).toEqual(["alarm-ok-use1", "alarm-other-use1", "alarm-status-use1"]);
    // The stub answers before the SDK's middleware, so its own record counts the calls.
    expect(r53.commandCalls(ListHealthChecksCommand)).toHaveLength(1);
    expect(r53.commandCalls(ListTagsForResourcesCommand)).toHaveLength(1);
  });

  it("reports a check whose tags cannot be read once, and reads the others' tags one by one", async () => {
    CHECKS.push([DENIED, "denied-use1"]);
    const r = await scan(["us-east-1", "eu-west-1"]);
    const unread = r.pairs.flatMap((p) => p.findings).filter((f) => f.ruleId === "pair.unreadable");
    expect(unread.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^could not read the tags of health check p-denied, so whether it is a primary is unknown/,
      ),
    ]);
    expect(r.pairs.map((p) => p.name)).toEqual(
      expect.arrayContaining(["alarm-ok-use1", "alarm-other-use1", "alarm-status-use1"]),
    );
  });
});
