import { describe, expect, it } from "vitest";
import { normalizeTable, scalingKey } from "./normalize.js";

describe("normalizeTable", () => {
  it("reads a table without SSE, billing summary or TTL as AWS owned key, provisioned and TTL off", () => {
    const t = normalizeTable(
      {
        TableName: "orders-use1",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "N" },
        ],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 },
        GlobalSecondaryIndexes: [
          {
            IndexName: "bySk",
            KeySchema: [{ AttributeName: "sk", KeyType: "HASH" }],
            Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["b", "a"] },
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
          },
        ],
      },
      undefined,
      { TimeToLiveStatus: "DISABLED" },
    );
    expect(t).toEqual({
      key: { partition: "pk", sort: "sk" },
      attributes: { pk: "S", sk: "N" },
      globalIndexes: {
        bySk: {
          key: { partition: "sk", sort: null },
          projection: { type: "INCLUDE", include: { $set: ["a", "b"] } },
        },
      },
      localIndexes: {},
      billingMode: "PROVISIONED",
      capacity: { read: 5, write: 2, "index bySk read": 1, "index bySk write": 1 },
      autoScaling: {},
      encryption: "AWS owned key",
      stream: { enabled: false, viewType: null },
      pointInTimeRecovery: false,
      ttl: { enabled: false, attribute: null },
      deletionProtection: false,
    });
  });

  it("leaves capacity out on demand (DynamoDB reports zero units there) and reads KMS, streams, PITR and TTL", () => {
    const t = normalizeTable(
      {
        BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
        ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
        SSEDescription: {
          Status: "ENABLED",
          SSEType: "KMS",
          KMSMasterKeyArn: "arn:aws:kms:us-east-1:1:key/x",
        },
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
        DeletionProtectionEnabled: true,
      },
      {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "ENABLED" },
      },
      { TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" },
    );
    expect(t).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      capacity: null,
      encryption: "KMS",
      stream: { enabled: true, viewType: "NEW_IMAGE" },
      pointInTimeRecovery: true,
      ttl: { enabled: true, attribute: "expiresAt" },
      deletionProtection: true,
    });
  });
});

describe("auto scaling", () => {
  it("keys a table's and its indexes' scalable dimensions as capacity is keyed, and no other table's", () => {
    expect(scalingKey("orders", "table/orders", "dynamodb:table:ReadCapacityUnits")).toBe("read");
    expect(scalingKey("orders", "table/orders/index/byStatus", "dynamodb:index:WriteCapacityUnits")).toBe(
      "index byStatus write",
    );
    expect(scalingKey("orders", "table/orders-archive", "dynamodb:table:ReadCapacityUnits")).toBeUndefined();
    expect(scalingKey("orders", "table/orders", "dynamodb:index:ReadCapacityUnits")).toBeUndefined();
  });

  it("reads bounds and the target-tracking policy's target; a target without one tracks nothing", () => {
    const t = normalizeTable(
      { TableName: "orders", ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } },
      undefined,
      undefined,
      {
        targets: [
          {
            ServiceNamespace: "dynamodb",
            ResourceId: "table/orders",
            ScalableDimension: "dynamodb:table:ReadCapacityUnits",
            MinCapacity: 5,
            MaxCapacity: 100,
            RoleARN: "arn:aws:iam::1:role/r",
            CreationTime: new Date(0),
          },
          {
            ServiceNamespace: "dynamodb",
            ResourceId: "table/orders",
            ScalableDimension: "dynamodb:table:WriteCapacityUnits",
            MinCapacity: 1,
            MaxCapacity: 10,
            RoleARN: "arn:aws:iam::1:role/r",
            CreationTime: new Date(0),
          },
        ],
        policies: [
          {
            PolicyARN: "arn:aws:autoscaling:us-east-1:1:scalingPolicy:x",
            PolicyName: "read",
            ServiceNamespace: "dynamodb",
            ResourceId: "table/orders",
            ScalableDimension: "dynamodb:table:ReadCapacityUnits",
            PolicyType: "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 },
            CreationTime: new Date(0),
          },
        ],
      },
    );
    expect(t.autoScaling).toEqual({
      read: { min: 5, max: 100, targetUtilization: 70 },
      write: { min: 1, max: 10, targetUtilization: null },
    });
  });
});
