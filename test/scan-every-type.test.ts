/**
 * One world holding pairs of every type the scan compares, in two region pairs at once (us-east-1
 * -> eu-west-1, ap-southeast-2 -> eu-central-1), built by the per-type world builders and scanned
 * once: each identical twin pair has no finding, each planted difference is found once under its
 * rule, each kind of bad standby ARN is reported once, and a tagged primary of a type drctl does
 * not compare is counted once. The standby regions' vCPU quota is answered by a ServiceQuotasClient
 * stubbed with aws-sdk-client-mock on an API-shaped answer (the emulator has no Service Quotas).
 * The scan goes through a proxy that gives MSK clusters' creationTime AWS's form and lists functions
 * with no provisioned concurrency, as AWS does, where moto lacks the API (moto-workarounds.ts).
 */
import { CreateFileSystemCommand, EFSClient } from "@aws-sdk/client-efs";
import {
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { PairResult, ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { mskCreationTimeRfc3339, noProvisionedConcurrency } from "./harness/moto-workarounds.js";
import { buildEveryTypePairs, drTags, type BuiltPairs, type PairRegions } from "./harness/worlds/index.js";
import { createLambdaRole } from "./harness/worlds/lambda-function.js";
import { createTopic } from "./harness/worlds/sns-topic.js";
import { createQueue } from "./harness/worlds/sqs-queue.js";

const env = useEmulator();
const VARIATIONS: PairRegions[] = [
  { primaryRegion: "us-east-1", standbyRegion: "eu-west-1" },
  { primaryRegion: "ap-southeast-2", standbyRegion: "eu-central-1" },
];
const [FIRST] = VARIATIONS as [PairRegions];
let result: ScanResult;
let calls: Set<string>;
const built: BuiltPairs[] = [];
const bad = { otherKind: "", notFound: "" };
/** Pages one listing of every primary region's tagged resources takes, read before the scan. */
let taggingPages = 0;

let proxy: FaultProxy | undefined;

const sq = mockClient(ServiceQuotasClient);
afterAll(async () => {
  sq.restore();
  await proxy?.stop();
});

/** The standby regions' Standard On-Demand vCPU quota, as GetServiceQuota answers it (API reference). */
function answerQuota() {
  sq.on(GetServiceQuotaCommand).callsFake((input: { ServiceCode?: string; QuotaCode?: string }) => ({
    Quota: {
      ServiceCode: input.ServiceCode,
      ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
      QuotaCode: input.QuotaCode,
      QuotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
      Value: 1152,
      Unit: "None",
      Adjustable: true,
      GlobalQuota: false,
    },
  }));
}

/** Bad standby ARNs on two queues: one names an SNS topic, one a queue that does not exist. */
async function badInputs(aws: AwsClients) {
  const topic = await createTopic(aws, FIRST.standbyRegion, "misdirected-dr");
  const account = topic.split(":")[4] ?? "";
  bad.otherKind = await createQueue(aws, FIRST.primaryRegion, "misdirected-primary", {}, drTags(topic));
  const ghost = `arn:aws:sqs:${FIRST.standbyRegion}:${account}:orphan-dr`;
  bad.notFound = await createQueue(aws, FIRST.primaryRegion, "orphan-primary", {}, drTags(ghost));
}

/**
 * A tagged primary of a type drctl does not compare: an EFS file system (regional in the emulator's
 * tagging API, which lists every S3 bucket in every region).
 */
async function uncomparedPrimary(aws: AwsClients, account: string) {
  const tags = Object.entries(
    drTags(`arn:aws:elasticfilesystem:${FIRST.standbyRegion}:${account}:file-system/fs-0`),
  );
  await aws.get(EFSClient, FIRST.primaryRegion).send(
    new CreateFileSystemCommand({
      CreationToken: "uploads-use1",
      Tags: tags.map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

/**
 * How many pages one listing of a region's tagged resources takes, 100 resources a page as the
 * scan asks. The emulator also ends a page at 100 tags, so a world this size takes more than one.
 */
async function pagesOfTaggedListing(aws: AwsClients, region: string): Promise<number> {
  const client = aws.get(ResourceGroupsTaggingAPIClient, region);
  const pages = [];
  for await (const page of paginateGetResources({ client }, { ResourcesPerPage: 100 })) pages.push(page);
  return pages.length;
}

beforeAll(async () => {
  const aws = await env.clients();
  const role = await createLambdaRole(env.emulator.endpoint);
  const started = Date.now();
  for (const regions of VARIATIONS) built.push(...(await buildEveryTypePairs(aws, { ...regions, role })));
  console.log(`world of ${VARIATIONS.length} region pairs built in ${Date.now() - started} ms`);
  await badInputs(aws);
  await uncomparedPrimary(aws, role.split(":")[4] ?? "");
  for (const v of VARIATIONS) taggingPages += await pagesOfTaggedListing(aws, v.primaryRegion);
  answerQuota();
  proxy = await FaultProxy.start(env.emulator.endpoint, {
    ...NO_FAULTS,
    rewrite: mskCreationTimeRfc3339,
    intercept: noProvisionedConcurrency,
  });
  const recorder = recordAwsCalls();
  try {
    result = await runScan(await env.clients({ endpointUrl: proxy.endpoint }), {
      types: RESOURCE_TYPES,
      primaryRegions: VARIATIONS.map((v) => v.primaryRegion),
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recorder.stop();
  }
  calls = recorder.calls;
}, 240_000);

const pairOf = (primaryArn: string): PairResult | undefined =>
  result.pairs.find((p) => p.primaryArn === primaryArn);
/** The types the catalogue compares, known before the world is built (the tests are listed from them). */
const TYPES = RESOURCE_TYPES.map((t) => t.pairing.type);
const builtOf = (type: string) => built.filter((b) => b.type === type);

describe("scan: one world with pairs of every type", () => {
  it("holds pairs of every type the catalogue compares", () => {
    expect([...new Set(built.map((b) => b.type))].sort()).toEqual([...TYPES].sort());
  });

  it.each(TYPES)("%s: twins identical in meaning, named differently per region, have no finding", (type) => {
    const twins = builtOf(type).flatMap((b) => b.identical);
    expect(twins).toHaveLength(VARIATIONS.length);
    for (const twin of twins) {
      const pair = pairOf(twin.primaryArn);
      expect(pair?.name, twin.primaryArn).toBe(twin.name);
      expect(pair?.type).toBe(type);
      expect(pair?.secondaryArn).toBe(twin.standbyArn);
      expect(pair?.findings, twin.name).toEqual([]);
      expect(pair?.status).toBe("pass");
    }
  });

  it.each(TYPES)("%s: each planted difference is found once, under its rule", (type) => {
    const planted = builtOf(type).flatMap((b) => b.planted);
    expect(planted.length).toBeGreaterThanOrEqual(VARIATIONS.length);
    for (const plant of planted) {
      const pair = pairOf(plant.primaryArn);
      expect(pair?.type, plant.name).toBe(type);
      expect(pair?.secondaryArn).toBe(plant.standbyArn);
      const findings = pair?.findings ?? [];
      expect(
        findings.filter((f) => f.ruleId === plant.ruleId),
        plant.name,
      ).toHaveLength(1);
      // Other rules may be added to a type; none of them may mistake the pair for a bad one.
      expect(findings.filter((f) => f.resourceType === "pair")).toEqual([]);
      const others = findings.filter((f) => f.ruleId !== plant.ruleId).map((f) => f.ruleId);
      if (others.length) console.log(`${plant.name}: also found ${others.join(", ")}`);
    }
  });

  it("reports each kind of bad standby ARN once, on its queue, and scans everything else", () => {
    const all = result.pairs.flatMap((p) => p.findings);
    const once = (ruleId: string) => all.filter((f) => f.ruleId === ruleId);
    expect(once("pair.secondary-other-kind").map((f) => f.primaryArn)).toEqual([bad.otherKind]);
    expect(once("pair.secondary-other-kind")[0]?.message).toMatch(
      /misdirected-primary is an SQS queue resource, but its standby .* is an SNS topic/,
    );
    expect(once("pair.standby-not-found").map((f) => f.primaryArn)).toEqual([bad.notFound]);
    expect(once("pair.standby-not-found")[0]?.message).toMatch(/orphan-dr does not exist in eu-west-1/);
    const expected = built.reduce((n, b) => n + b.identical.length + b.planted.length, 0) + 2;
    expect(result.pairs).toHaveLength(expected);
  });

  it("counts the tagged primary of a type it does not compare once", () => {
    expect(result.notCompared).toEqual([
      { region: FIRST.primaryRegion, types: { "elasticfilesystem:file-system": 1 } },
    ]);
  });

  it("makes only the AWS calls the scan's permissions declare", () => {
    expect(calls.size).toBeGreaterThan(0);
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("makes few calls per pair and side for each type", () => {
    const rows = callsPerPairPerSide(result);
    for (const row of rows)
      console.log(
        `${row.services.join("+")} (${row.types.join(", ")}): ${row.calls} calls for ${row.pairs} pairs, ${row.perPairPerSide.toFixed(2)} per pair per side`,
      );
    console.log(`all calls: ${JSON.stringify(result.stats.calls)}`);
    for (const row of rows) expect(row.perPairPerSide, row.services.join("+")).toBeLessThanOrEqual(6);
    // One region-wide listing of tagged resources per primary region, shared by every type.
    expect(result.stats.calls["ResourceGroupsTaggingAPI.GetResources"]).toBe(taggingPages);
  });
});

/**
 * The services each type reads through, from result.stats (counted by Service.Operation, not by
 * type): a service several types read is one row for all of them.
 */
const SERVICE_TYPES: Record<string, string[]> = {
  ResourceGroupsTaggingAPI: ["every type (discovery)"],
  ELBv2: ["load-balancer"],
  ACM: ["load-balancer"],
  AutoScaling: ["autoscaling-group"],
  CloudWatch: ["cloudwatch-alarm"],
  Route53: ["route53-health-check", "load-balancer"],
  SQS: ["sqs-queue"],
  Lambda: ["lambda-function"],
  RDS: ["rds-instance", "rds-cluster"],
  DynamoDB: ["dynamodb-table"],
  SNS: ["sns-topic"],
  EC2: ["vpc", "autoscaling-group", "load-balancer", "ebs-volume"],
  ELB: ["classic-load-balancer"],
  APIGateway: ["apigateway-stage"],
  Kafka: ["msk-cluster"],
};

function callsPerPairPerSide(r: ScanResult) {
  const byService = new Map<string, number>();
  for (const [op, n] of Object.entries(r.stats.calls)) {
    const service = op.split(".")[0] ?? op;
    byService.set(service, (byService.get(service) ?? 0) + n);
  }
  return [...byService.entries()].map(([service, n]) => {
    const types = SERVICE_TYPES[service] ?? [];
    const discovery = service === "ResourceGroupsTaggingAPI";
    const pairs = r.pairs.filter((p) => discovery || (p.type !== undefined && types.includes(p.type))).length;
    return {
      services: [service],
      types,
      calls: n,
      pairs,
      perPairPerSide: pairs ? n / pairs / 2 : n,
    };
  });
}
