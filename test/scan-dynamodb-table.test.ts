/**
 * DynamoDB tables paired by their DR tags and compared against the emulator: primaries in
 * us-east-1, standbys in eu-west-1, named differently per region.
 */
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type Tag,
} from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const [EAST, WEST] = ["us-east-1", "eu-west-1"];
let aws: AwsClients;
let result: ScanResult;
let recording: ReturnType<typeof recordAwsCalls>;

type Spec = CreateTableCommandInput;
const provisioned = (read: number, write: number) => ({ ReadCapacityUnits: read, WriteCapacityUnits: write });

/** The table every pair starts from: keys, a global and a local index, provisioned, KMS, a stream. */
function base(name: string): Spec {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "status", AttributeType: "S" },
      { AttributeName: "placedAt", AttributeType: "N" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: "byStatus",
        KeySchema: [{ AttributeName: "status", KeyType: "HASH" }],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["total"] },
        ProvisionedThroughput: provisioned(10, 5),
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: "byPlacedAt",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "placedAt", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    BillingMode: "PROVISIONED",
    ProvisionedThroughput: provisioned(100, 50),
    SSESpecification: { Enabled: true, SSEType: "KMS" },
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    DeletionProtectionEnabled: true,
  };
}

/** How a table's read capacity auto scales: bounds in units and the utilisation it tracks. */
interface Scaling {
  min: number;
  max: number;
  target: number;
}

interface Extras {
  pitr?: boolean;
  ttlAttribute?: string;
  /** The table's read capacity auto scaled so (Application Auto Scaling). */
  scaling?: Scaling;
  /** For the standby's entry in PLANTED: how the primary's read capacity auto scales. */
  primaryScaling?: Scaling;
}

const SCALED: Scaling = { min: 10, max: 200, target: 70 };

/** Registers the table's read capacity as a scalable target with a target-tracking policy. */
async function autoScale(region: string, TableName: string, scaling: Scaling): Promise<void> {
  const target = {
    ServiceNamespace: "dynamodb" as const,
    ResourceId: `table/${TableName}`,
    ScalableDimension: "dynamodb:table:ReadCapacityUnits" as const,
  };
  const client = aws.get(ApplicationAutoScalingClient, region);
  await client.send(
    new RegisterScalableTargetCommand({ ...target, MinCapacity: scaling.min, MaxCapacity: scaling.max }),
  );
  await client.send(
    new PutScalingPolicyCommand({
      ...target,
      PolicyName: `${TableName}-read`,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: scaling.target,
        PredefinedMetricSpecification: { PredefinedMetricType: "DynamoDBReadCapacityUtilization" },
      },
    }),
  );
}

async function table(region: string, spec: Spec, extras: Extras = {}, tags: Tag[] = []): Promise<string> {
  const client = aws.get(DynamoDBClient, region);
  const out = await client.send(new CreateTableCommand({ ...spec, ...(tags.length ? { Tags: tags } : {}) }));
  const TableName = spec.TableName;
  if (extras.pitr ?? true)
    await client.send(
      new UpdateContinuousBackupsCommand({
        TableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: extras.ttlAttribute ?? "expiresAt" },
    }),
  );
  if (extras.scaling) await autoScale(region, TableName ?? "", extras.scaling);
  return out.TableDescription?.TableArn ?? "";
}

const primaryTags = (secondary: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: secondary },
];

/** Each planted difference: the pair's stem, how the standby differs, and the one rule that says so. */
const PLANTED: [string, (s: Spec) => Spec, Extras, string][] = [
  [
    "keys",
    (s) => ({
      ...s,
      KeySchema: [
        { AttributeName: "sk", KeyType: "HASH" },
        { AttributeName: "pk", KeyType: "RANGE" },
      ],
    }),
    {},
    "dynamodb-table.key-schema",
  ],
  [
    "attrs",
    (s) => ({
      ...s,
      AttributeDefinitions: s.AttributeDefinitions?.map((a) =>
        a.AttributeName === "placedAt" ? { ...a, AttributeType: "S" } : a,
      ),
    }),
    {},
    "dynamodb-table.attribute-definitions",
  ],
  [
    "gsi",
    (s) => ({
      ...s,
      GlobalSecondaryIndexes: s.GlobalSecondaryIndexes?.map((g) => ({
        ...g,
        Projection: { ProjectionType: "KEYS_ONLY" },
      })),
    }),
    {},
    "dynamodb-table.global-indexes",
  ],
  [
    "lsi",
    (s) => ({
      ...s,
      LocalSecondaryIndexes: s.LocalSecondaryIndexes?.map((l) => ({
        ...l,
        Projection: { ProjectionType: "KEYS_ONLY" },
      })),
    }),
    {},
    "dynamodb-table.local-indexes",
  ],
  [
    "billing",
    (s) => ({
      ...s,
      BillingMode: "PAY_PER_REQUEST",
      ProvisionedThroughput: undefined,
      GlobalSecondaryIndexes: s.GlobalSecondaryIndexes?.map((g) => ({
        ...g,
        ProvisionedThroughput: undefined,
      })),
    }),
    {},
    "dynamodb-table.billing-mode",
  ],
  [
    "capacity",
    (s) => ({ ...s, ProvisionedThroughput: provisioned(50, 50) }),
    {},
    "dynamodb-table.provisioned-capacity",
  ],
  ["sse", (s) => ({ ...s, SSESpecification: undefined }), {}, "dynamodb-table.encryption"],
  [
    "stream",
    (s) => ({ ...s, StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" } }),
    {},
    "dynamodb-table.stream",
  ],
  ["pitr", (s) => s, { pitr: false }, "dynamodb-table.point-in-time-recovery"],
  ["ttl", (s) => s, { ttlAttribute: "ttl" }, "dynamodb-table.ttl"],
  ["protect", (s) => ({ ...s, DeletionProtectionEnabled: false }), {}, "dynamodb-table.deletion-protection"],
  ["scaling", (s) => s, { primaryScaling: SCALED }, "dynamodb-table.auto-scaling"],
  [
    "scalemax",
    (s) => s,
    { primaryScaling: SCALED, scaling: { ...SCALED, max: 100 } },
    "dynamodb-table.auto-scaling",
  ],
];

beforeAll(async () => {
  aws = await env.clients();
  const standby = await table(WEST, base("orders-euw1"));
  await table(EAST, base("orders-use1"), {}, primaryTags(standby));
  for (const [stem, change, extras] of PLANTED) {
    const s = await table(WEST, change(base(`${stem}-euw1`)), extras);
    await table(EAST, base(`${stem}-use1`), { scaling: extras.primaryScaling }, primaryTags(s));
  }
  // Auto scaled alike on both sides: the idle standby's current units (50) are not the primary's (100).
  const idle = await table(
    WEST,
    { ...base("idle-euw1"), ProvisionedThroughput: provisioned(50, 50) },
    {
      scaling: SCALED,
    },
  );
  await table(EAST, base("idle-use1"), { scaling: SCALED }, primaryTags(idle));
  const topic = await aws.get(SNSClient, WEST).send(new CreateTopicCommand({ Name: "alerts-dr" }));
  await table(EAST, base("wrongtype-use1"), {}, primaryTags(topic.TopicArn ?? ""));
  await table(EAST, base("ghost-use1"), {}, primaryTags(standby.replace("orders-euw1", "nowhere-euw1")));
  // An untagged table in the primary region: not a pair.
  await table(EAST, base("scratch-use1"));

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

describe("DynamoDB table pairs (emulator)", () => {
  it("finds nothing on twins equal in meaning whose names and regions differ", () => {
    expect(pair("orders-use1")?.secondaryArn).toMatch(/:eu-west-1:\d+:table\/orders-euw1$/);
    expect(pair("orders-use1")?.findings).toEqual([]);
    expect(pair("orders-use1")?.status).toBe("pass");
  });

  it("compares auto scaled capacity by its auto scaling, not by the units it has now", () => {
    expect(pair("idle-use1")?.findings).toEqual([]);
    expect(pair("scaling-use1")?.findings[0]?.message).toBe(
      "the standby's read capacity does not auto scale, the primary's does (10 to 200 units, tracking 70% utilisation)",
    );
    expect(pair("scalemax-use1")?.findings.map((f) => [f.path, f.message])).toEqual([
      [
        "autoScaling.read.max",
        "the standby's read capacity auto scales to a maximum of 100 units, the primary's 200 (more than 20% apart)",
      ],
    ]);
  });

  it.each(PLANTED.map(([stem, , , rule]) => [stem, rule]))(
    "%s: the planted difference is found once, under %s, and nothing else",
    (stem, rule) => {
      const found = pair(`${stem}-use1`)?.findings ?? [];
      expect(found.map((f) => f.ruleId)).toEqual([rule]);
      console.log(`${stem}: ${found[0]?.severity ?? ""} ${found[0]?.message ?? ""}`);
    },
  );

  it("reports point-in-time recovery off on the standby as high", () => {
    expect(pair("pitr-use1")?.findings[0]).toMatchObject({
      severity: "high",
      message: "point-in-time recovery is off on the standby, on on the primary",
    });
  });

  it("reports a standby of another type and one that does not exist as pair findings", () => {
    expect(pair("wrongtype-use1")?.findings.map((f) => f.ruleId)).toEqual(["pair.secondary-other-kind"]);
    expect(pair("ghost-use1")?.findings.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "pair.standby-not-found",
        expect.stringMatching(/standby .*nowhere-euw1 does not exist in eu-west-1/) as string,
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
    const compared = result.pairs.filter((p) => p.findings.every((f) => f.resourceType !== "pair")).length;
    const perSide =
      ((calls["DynamoDB.DescribeContinuousBackups"] ?? 0) + (calls["DynamoDB.DescribeTimeToLive"] ?? 0)) /
      (2 * compared);
    const dynamodb = Object.entries(calls)
      .filter(([op]) => op.startsWith("DynamoDB."))
      .reduce((n, [, c]) => n + c, 0);
    console.log(
      `calls: ${JSON.stringify(calls)}; ${compared} pairs compared; ${perSide} per pair per side after DescribeTable; ${(dynamodb / result.pairs.length).toFixed(1)} DynamoDB calls per pair in all`,
    );
    expect(perSide).toBe(2);
    // Each tagged primary described once (by tag, not again to find global replicas), each standby
    // that is a table once, and the one untagged table of the primary region once (is it global?).
    const standbyTables = result.pairs.length - 1;
    expect(calls["DynamoDB.DescribeTable"]).toBe(result.pairs.length + standbyTables + 1);
    expect(dynamodb).toBeLessThanOrEqual(result.pairs.length * 6 + 4);
    expect(calls["ResourceGroupsTaggingAPI.GetResources"]).toBe(1);
    // Auto scaling is listed once per region (primaries' and standbys'), never per table.
    expect(calls["ApplicationAutoScaling.DescribeScalableTargets"]).toBe(2);
    expect(calls["ApplicationAutoScaling.DescribeScalingPolicies"]).toBe(2);
  });
});

/** The same scan as the others, through a proxy that denies some calls (and denied at least one). */
async function scanThrough(proxy: FaultProxy): Promise<ScanResult> {
  const denied = await runScan(await env.clients({ endpointUrl: proxy.endpoint, maxAttempts: 1 }), {
    types: RESOURCE_TYPES,
    primaryRegions: [EAST],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
  expect(proxy.stats.denied).toBeGreaterThan(0);
  return denied;
}

describe("a primary region whose tables cannot be listed (emulator, behind a denying proxy)", () => {
  it("is one error finding naming DynamoDB.ListTables and the region; every pair is compared as before", async () => {
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: ({ target }) => target === "DynamoDB_20120810.ListTables",
    });
    try {
      const denied = await scanThrough(proxy);
      const lines = (r: ScanResult) =>
        r.pairs.flatMap((p) => p.findings.map((f) => `${p.name} ${f.ruleId} ${f.path} ${f.message}`)).sort();
      const added = lines(denied).filter((l) => !lines(result).includes(l));
      expect(added).toEqual([
        expect.stringMatching(
          /^\(recorded dynamodb table pairs in us-east-1\) pair\.unreadable region\[us-east-1\] could not read the dynamodb table pairs AWS records in us-east-1 \(replicas, global members\): access denied to DynamoDB\.ListTables in us-east-1/,
        ),
      ]);
      expect(lines(result).filter((l) => !lines(denied).includes(l))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});

describe("Application Auto Scaling denied (emulator, behind a denying proxy)", () => {
  it("is a low finding on each provisioned table saying its auto scaling was not read; the rest of every table is compared as before", async () => {
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: ({ target }) => target.startsWith("AnyScaleFrontendService."),
    });
    try {
      const denied = await scanThrough(proxy);
      const all = (r: ScanResult) =>
        r.pairs.flatMap((p) =>
          p.findings.filter((f) => f.status !== "pass").map((f) => ({ ...f, pairName: p.name })),
        );
      const line = (f: ReturnType<typeof all>[number]) => `${f.pairName} ${f.ruleId} ${f.path} ${f.message}`;
      expect(all(denied).filter((f) => f.ruleId.endsWith(".unreadable"))).toEqual([]);
      const before = all(result).map(line);
      const after = all(denied).map(line);
      const added = all(denied).filter((f) => !before.includes(line(f)));
      expect(added.length).toBeGreaterThan(0);
      for (const f of added) {
        expect(f.ruleId).toBe("dynamodb-table.auto-scaling");
        expect(f.severity).toBe("low");
        expect(f.message).toMatch(
          /^auto scaling could not be read \(the primary's: access denied to ApplicationAutoScaling\.DescribeScalableTargets in us-east-1.*; the standby's: access denied .*\), so the provisioned capacity and its auto scaling were not compared/,
        );
      }
      // Only what needs auto scaling went: capacity units and auto scaling differences.
      const gone = all(result).filter((f) => !after.includes(line(f)));
      for (const f of gone)
        expect(["dynamodb-table.provisioned-capacity", "dynamodb-table.auto-scaling"]).toContain(f.ruleId);
    } finally {
      await proxy.stop();
    }
  });
});
