import { describe, expect, it } from "vitest";
import { normalizeTable } from "./normalize.js";

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
