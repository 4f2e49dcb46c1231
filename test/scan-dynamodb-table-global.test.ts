/**
 * A global table (version 2019.11.21) paired with its replica in another region from what
 * DescribeTable records, without any tag. The emulator accepts ReplicaUpdates but records no
 * replica, so DynamoDB is stubbed with aws-sdk-client-mock, answering as the API reference shapes
 * DescribeTable, ListTables, DescribeContinuousBackups and DescribeTimeToLive.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanResult } from "../src/core/scan-result.js";
import { dynamodbTableType } from "../src/resources/dynamodb-table/type.js";
import type { ResourceType } from "../src/resources/module.js";
import { runScan } from "../src/scan/engine.js";
import { mockedAws } from "./harness/mocked-aws.js";

const ACCOUNT = "123456789012";
const dynamodb = mockClient(DynamoDBClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const autoScaling = mockClient(ApplicationAutoScalingClient);

/** A table as DescribeTable answers in `region`, a global table when it names replicas. */
function described(name: string, region: string, replicas: string[]): TableDescription {
  return {
    TableName: name,
    TableArn: `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}`,
    TableStatus: "ACTIVE",
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    DeletionProtectionEnabled: true,
    ...(replicas.length > 0
      ? {
          GlobalTableVersion: "2019.11.21",
          Replicas: replicas.map((r) => ({ RegionName: r, ReplicaStatus: "ACTIVE" as const })),
        }
      : {}),
  };
}

/** What each region holds: its tables and the replicas each records (the others' regions). */
const WORLD: Record<string, Record<string, string[]>> = {
  "us-east-1": { orders: ["eu-west-1"], sessions: [] },
  "eu-west-1": { orders: ["us-east-1"] },
};
let result: ScanResult;

const regionOf = async (getClient: () => DynamoDBClient) => getClient().config.region();

beforeAll(async () => {
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  // On-demand tables have no scalable targets.
  autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  dynamodb.on(ListTablesCommand).callsFake(async (_input, getClient: () => DynamoDBClient) => ({
    TableNames: Object.keys(WORLD[await regionOf(getClient)] ?? {}),
  }));
  dynamodb
    .on(DescribeTableCommand)
    .callsFake(async (input: { TableName: string }, getClient: () => DynamoDBClient) => {
      const region = await regionOf(getClient);
      const replicas = WORLD[region]?.[input.TableName];
      if (!replicas)
        throw Object.assign(new Error(`Requested resource not found: Table: ${input.TableName} not found`), {
          name: "ResourceNotFoundException",
        });
      return { Table: described(input.TableName, region, replicas) };
    });
  // Point-in-time recovery is on in us-east-1 only: the replica in eu-west-1 lacks it.
  dynamodb
    .on(DescribeContinuousBackupsCommand)
    .callsFake(async (_input, getClient: () => DynamoDBClient) => ({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: {
          PointInTimeRecoveryStatus: (await regionOf(getClient)) === "us-east-1" ? "ENABLED" : "DISABLED",
        },
      },
    }));
  dynamodb
    .on(DescribeTimeToLiveCommand)
    .resolves({ TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" } });
  const aws = await mockedAws({ maxAttempts: 1 });
  result = await runScan(aws, {
    types: [dynamodbTableType] as unknown as ResourceType<never>[],
    primaryRegions: ["us-east-1"],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 2,
  }).finally(() => aws.destroy());
});
afterAll(() => {
  dynamodb.restore();
  tagging.restore();
  autoScaling.restore();
});

describe("global tables (aws-sdk-client-mock, API-shaped: moto lacks DescribeTable Replicas of 2019.11.21 global tables)", () => {
  it("pairs a global table with its replica in the other region, untagged, and compares them", () => {
    expect(result.pairs.map((p) => [p.name, p.primaryArn, p.secondaryArn])).toEqual([
      [
        "orders",
        `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
        `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`,
      ],
    ]);
    expect(result.pairs[0]?.findings.map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      [
        "dynamodb-table.point-in-time-recovery",
        "high",
        "point-in-time recovery is off on the standby, on on the primary",
      ],
    ]);
  });

  it("describes each table once: the primary found through its replicas is not read again", () => {
    const described = dynamodb
      .commandCalls(DescribeTableCommand)
      .map((c) => (c.args[0].input as { TableName?: string }).TableName);
    // us-east-1's orders and sessions (listed to find replicas), eu-west-1's orders (the standby).
    expect(described.sort()).toEqual(["orders", "orders", "sessions"]);
  });
});
