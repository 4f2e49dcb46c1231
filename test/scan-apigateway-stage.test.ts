/**
 * REST API stage pairs on the emulator: primaries in us-east-1, standbys in eu-west-1 on APIs
 * named otherwise. One pair is identical in meaning (another API name and id, another log group);
 * each other pair has one planted difference; two primaries name a standby of another type (the
 * API itself rather than a stage) and a stage that does not exist. A stage whose deployment is
 * gone is tested in apigateway-stage-adapters.test.ts: the emulator answers GetDeployment for a
 * missing deployment with an HTML page, not AWS's NotFoundException.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import {
  createApiStage,
  STAGE as SHAPE,
  stageArn,
  type StageShape as Shape,
} from "./harness/worlds/apigateway-stage.js";
import { drTags } from "./harness/worlds/common.js";

const env = useEmulator();
const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const ACCOUNT = "123456789012";
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;

/** A REST API with /orders and its methods, deployed to stage "live"; returns the stage's ARN. */
const api = (region: string, name: string, shape: Shape, standbyArn?: string) =>
  createApiStage(aws, { account: ACCOUNT, region }, name, shape, standbyArn ? drTags(standbyArn) : undefined);

/** Each pair: its name, what differs on the standby, and the rule that must report it (none for "same"). */
const PAIRS: { name: string; standby?: Partial<Shape>; rule?: string }[] = [
  { name: "same" },
  { name: "endpoint", standby: { endpointType: "EDGE" }, rule: "apigateway-stage.endpoint-type" },
  { name: "routes", standby: { methods: ["GET"] }, rule: "apigateway-stage.routes" },
  { name: "throttle", standby: { rateLimit: 20 }, rule: "apigateway-stage.throttling" },
  { name: "cache", standby: { cacheCluster: false }, rule: "apigateway-stage.caching" },
  { name: "logs", standby: { logLevel: "ERROR" }, rule: "apigateway-stage.logging" },
  { name: "tracing", standby: { tracing: false }, rule: "apigateway-stage.tracing" },
];

const pairOf = (name: string) => result.pairs.find((p) => p.name === `${name}-use1/live`);
const ruleIdsOf = (name: string) => pairOf(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

beforeAll(async () => {
  aws = await env.clients();
  for (const pair of PAIRS) {
    const standby = await api(STANDBY, `${pair.name}-euw1`, { ...SHAPE, ...pair.standby });
    await api(PRIMARY, `${pair.name}-use1`, SHAPE, standby.arn);
  }
  const other = await api(STANDBY, "whole-api-euw1", SHAPE);
  await api(PRIMARY, "whole-api-use1", SHAPE, `arn:aws:apigateway:${STANDBY}::/restapis/${other.restApiId}`);
  await api(PRIMARY, "ghost-use1", SHAPE, stageArn(STANDBY, other.restApiId, "gone"));

  const recording = recordAwsCalls();
  try {
    result = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: [PRIMARY],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recording.stop();
  }
  calls = recording.calls;
});

describe("API Gateway stage pairs", () => {
  it("finds nothing on a pair identical in meaning (other API name, id, region and log group)", () => {
    expect(pairOf("same")?.secondaryArn).toMatch(
      /^arn:aws:apigateway:eu-west-1::\/restapis\/\w+\/stages\/live$/,
    );
    expect(pairOf("same")?.findings).toEqual([]);
    expect(pairOf("same")?.status).toBe("pass");
  });

  it("reports each planted difference once, under its own rule only", () => {
    for (const pair of PAIRS.filter((p) => p.rule))
      expect([pair.name, ruleIdsOf(pair.name)]).toEqual([pair.name, [pair.rule]]);
  });

  it("says both values in words", () => {
    const finding = (name: string) => pairOf(name)?.findings[0];
    expect(finding("endpoint")?.message).toBe(
      "the standby API's endpoint type is EDGE, the primary's REGIONAL",
    );
    expect(finding("routes")?.message).toBe("the standby's API has 1 methods, the primary's 2");
    expect(finding("cache")?.message).toBe(
      "the stage's cache cluster is off on the standby, on on the primary",
    );
  });

  it("reports a standby ARN of another type and a stage that does not exist, and still scans the rest", () => {
    expect(pairOf("whole-api")?.findings.map((f) => [f.ruleId, f.resourceType])).toEqual([
      ["pair.secondary-other-kind", "pair"],
    ]);
    expect(pairOf("ghost")?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [...PAIRS.map((p) => p.name), "whole-api", "ghost"].map((name) => `${name}-use1/live`).sort(),
    );
  });

  it("makes only the calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("lists stages once per region and reads each side's resources and deployment once", () => {
    const compared = PAIRS.length;
    const apiCalls = Object.entries(result.stats.calls).filter(([op]) => op.startsWith("APIGateway."));
    const total = apiCalls.reduce((sum, [, n]) => sum + n, 0);
    const perPairSide = total / (compared * 2);
    console.log(
      `API Gateway stage scan: ${compared} pairs compared, ${total} API Gateway calls (${perPairSide.toFixed(2)} per pair per side):`,
      Object.fromEntries(apiCalls),
    );
    expect(result.stats.calls["APIGateway.GetRestApis"]).toBe(2);
    expect(result.stats.calls["APIGateway.GetResources"]).toBe(compared * 2);
    expect(result.stats.calls["APIGateway.GetDeployment"]).toBe(compared * 2);
    expect(perPairSide).toBeLessThan(4);
  });
});
