import {
  CreateEventSourceMappingCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  type CreateFunctionRequest,
} from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { drTags } from "./harness/worlds/common.js";
import { createFunction, createLambdaRole, EMPTY_ZIP } from "./harness/worlds/lambda-function.js";
import { createQueue } from "./harness/worlds/sqs-queue.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { noProvisionedConcurrency } from "./harness/moto-workarounds.js";

const env = useEmulator();
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;
let account = "";
const arns: Record<string, string> = {};

async function queue(region: string, name: string, visibility: number): Promise<string> {
  return createQueue(aws, region, name, { VisibilityTimeout: String(visibility) });
}

interface Extras {
  reserved?: number;
  onFailure?: string;
  source?: { arn: string; batch: number };
}

/** A function as most pairs have it, in `region`, with its own region's layer and values. */
async function fn(
  region: string,
  name: string,
  over: Partial<CreateFunctionRequest>,
  extras: Extras,
  tags?: Record<string, string>,
) {
  const lambda = aws.get(LambdaClient, region);
  arns[name] = await createFunction(aws, region, name, role, {
    EphemeralStorage: { Size: 1024 },
    Environment: { Variables: { TABLE_NAME: `orders-${region}`, API_SECRET: `secret-${region}` } },
    Layers: [`arn:aws:lambda:${region}:${account}:layer:deps:1`],
    VpcConfig: {
      SubnetIds: [`subnet-${region}-a`, `subnet-${region}-b`],
      SecurityGroupIds: [`sg-${region}`],
    },
    ...over,
    ...(tags ? { Tags: tags } : {}),
  });
  if (extras.reserved !== undefined)
    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: name,
        ReservedConcurrentExecutions: extras.reserved,
      }),
    );
  if (extras.onFailure)
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        DestinationConfig: { OnFailure: { Destination: extras.onFailure } },
      }),
    );
  if (extras.source)
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: name,
        EventSourceArn: extras.source.arn,
        BatchSize: extras.source.batch,
      }),
    );
  return arns[name];
}

let role = "";
const primaryTags = drTags;

/** A primary in us-east-1 and its standby in eu-west-1; `standby` changes the standby only. */
async function pair(
  name: string,
  standby: Partial<CreateFunctionRequest>,
  extras: { primary: Extras; standby: Extras },
) {
  const s = await fn("eu-west-1", `${name}-euw1`, standby, extras.standby);
  await fn("us-east-1", `${name}-use1`, {}, extras.primary, primaryTags(s));
}

beforeAll(async () => {
  aws = await env.clients();
  role = await createLambdaRole(env.emulator.endpoint);
  account = role.split(":")[4] ?? "";
  for (const region of ["us-east-1", "eu-west-1"])
    await aws
      .get(LambdaClient, region)
      .send(new PublishLayerVersionCommand({ LayerName: "deps", Content: { ZipFile: EMPTY_ZIP } }));
  const jobsPrimary = await queue("us-east-1", "jobs-primary", 180);
  const jobsDr = await queue("eu-west-1", "jobs-dr", 180);
  const slowDr = await queue("eu-west-1", "slow-dr", 20);
  const failedUse1 = await queue("us-east-1", "failed-use1", 30);
  const failedEuw1 = await queue("eu-west-1", "failed-euw1", 30);
  const full = (source: string, failed: string): Extras => ({
    reserved: 5,
    onFailure: failed,
    source: { arn: source, batch: 5 },
  });
  const same = () => ({ primary: full(jobsPrimary, failedUse1), standby: full(jobsDr, failedEuw1) });
  const simple = { primary: {}, standby: {} };

  await pair("orders-fn", {}, same());
  await pair("runtime-fn", { Runtime: "nodejs18.x" }, simple);
  await pair("arch-fn", { Architectures: ["x86_64"] }, simple);
  await pair("handler-fn", { Handler: "main.handler" }, simple);
  await pair("memory-fn", { MemorySize: 256 }, simple);
  await pair("timeout-fn", { Timeout: 10 }, simple);
  await pair("tmp-fn", { EphemeralStorage: { Size: 512 } }, simple);
  await pair("reserved-fn", {}, { primary: { reserved: 5 }, standby: {} });
  await pair("destination-fn", {}, { primary: { onFailure: failedUse1 }, standby: {} });
  await pair("vpc-fn", { VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } }, simple);
  await pair("layers-fn", { Layers: [] }, simple);
  await pair("env-fn", { Environment: { Variables: { TABLE_NAME: "orders-eu-west-1" } } }, simple);
  await pair(
    "batch-fn",
    {},
    {
      primary: { source: { arn: jobsPrimary, batch: 10 } },
      standby: { source: { arn: jobsDr, batch: 1 } },
    },
  );
  await pair(
    "visibility-fn",
    {},
    {
      primary: { source: { arn: jobsPrimary, batch: 5 } },
      standby: { source: { arn: slowDr, batch: 5 } },
    },
  );
  await fn("us-east-1", "queue-standby-fn-use1", {}, {}, primaryTags(jobsDr));
  await fn(
    "us-east-1",
    "ghost-fn-use1",
    {},
    {},
    primaryTags(`arn:aws:lambda:eu-west-1:${account}:function:ghost-fn-euw1`),
  );

  const recorder = recordAwsCalls();
  const proxy = await FaultProxy.start(env.emulator.endpoint, {
    ...NO_FAULTS,
    intercept: noProvisionedConcurrency,
  });
  try {
    result = await runScan(await env.clients({ endpointUrl: proxy.endpoint }), {
      types: RESOURCE_TYPES,
      primaryRegions: ["us-east-1"],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recorder.stop();
    await proxy.stop();
  }
  calls = recorder.calls;
});

const findingsOf = (name: string) => result.pairs.find((p) => p.name === name)?.findings ?? [];

describe("scan: Lambda functions", () => {
  it("finds nothing between twins alike in meaning (names, layer ARNs, subnets, queues and variable values differ)", () => {
    const pair = result.pairs.find((p) => p.name === "orders-fn-use1");
    expect(pair?.secondaryArn).toBe(arns["orders-fn-euw1"]);
    expect(pair?.findings).toEqual([]);
    expect(pair?.status).toBe("pass");
  });

  it.each([
    ["runtime-fn-use1", "lambda-function.runtime", /runtime is nodejs18.x, the primary's nodejs20.x/],
    ["arch-fn-use1", "lambda-function.architecture", /architecture is x86_64, the primary's arm64/],
    ["handler-fn-use1", "lambda-function.handler", /handler is main.handler, the primary's index.handler/],
    ["memory-fn-use1", "lambda-function.memory", /the standby's memory is 256 MB, the primary's 512 MB/],
    ["timeout-fn-use1", "lambda-function.timeout", /timeout is 10 seconds, the primary's 30 seconds/],
    [
      "tmp-fn-use1",
      "lambda-function.ephemeral-storage",
      /ephemeral storage \(\/tmp\) is 512 MB, the primary's 1024 MB/,
    ],
    ["reserved-fn-use1", "lambda-function.reserved-concurrency", /is not reserved .*, the primary's 5/],
    [
      "destination-fn-use1",
      "lambda-function.on-failure-destination",
      /the standby's on-failure destination is not set, the primary's set/,
    ],
    ["vpc-fn-use1", "lambda-function.vpc", /standby is not attached to a VPC, the primary attached to a VPC/],
    ["layers-fn-use1", "lambda-function.layers", /the standby lacks layer deps \(version 1 on the primary\)/],
    ["env-fn-use1", "lambda-function.environment-names", /the standby lacks environment variable API_SECRET/],
    [
      "batch-fn-use1",
      "lambda-function.event-sources",
      /sqs event sources are batch 1, Enabled, the primary's batch 10, Enabled/,
    ],
    [
      "visibility-fn-use1",
      "lambda-function.sqs-visibility-timeout",
      /queue slow-dr has a visibility timeout of 20 seconds and the standby function a timeout of 30 seconds/,
    ],
    ["queue-standby-fn-use1", "pair.secondary-other-kind", /is an SQS queue/],
    ["ghost-fn-use1", "pair.standby-not-found", /does not exist in eu-west-1/],
  ])("%s: exactly one finding, under %s", (name, ruleId, message) => {
    // A standby reserving less than its primary must reserve more on failover, and the emulator
    // answers neither GetAccountSettings nor the concurrency quota: a low finding says so
    // (test/quota-adapters.test.ts checks the quota on API-shaped answers).
    const quota = name === "reserved-fn-use1" ? ["lambda-function.concurrency-quota"] : [];
    const findings = findingsOf(name);
    expect(findings.map((f) => f.ruleId)).toEqual([ruleId, ...quota]);
    expect(findings[0]?.message).toMatch(message);
  });

  it("the short visibility timeout is high: the standby's messages would be processed twice", () => {
    expect(findingsOf("visibility-fn-use1")[0]?.severity).toBe("high");
  });

  it("never puts an environment variable's value in a finding", () => {
    const text = JSON.stringify(result);
    for (const region of ["us-east-1", "eu-west-1"]) {
      expect(text).not.toContain(`secret-${region}`);
      expect(text).not.toContain(`orders-${region}`);
    }
  });

  it("declares every AWS call the scan made among the scan's permissions", () => {
    expect(calls.size).toBeGreaterThan(0);
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads each function with few calls, its configuration from the region's listing", () => {
    const lambdaCalls = Object.fromEntries(
      Object.entries(result.stats.calls).filter(([k]) => k.startsWith("Lambda.") || k.startsWith("SQS.")),
    );
    const pairs = 14; // compared pairs, two sides each
    const perSide = Object.values(lambdaCalls).reduce((n, c) => n + c, 0) / (pairs * 2);
    console.log(`Lambda/SQS calls: ${JSON.stringify(lambdaCalls)}; ${perSide.toFixed(2)} per pair per side`);
    // four per side, the listings once per region and describe, two per standby SQS source
    expect(perSide).toBeLessThanOrEqual(5);
    expect(result.stats.calls["Lambda.ListProvisionedConcurrencyConfigs"]).toBe(pairs * 2);
    expect(result.stats.calls["Lambda.GetFunction"]).toBeUndefined();
  });
});
