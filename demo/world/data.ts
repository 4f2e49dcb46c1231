import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import type { AwsClients } from "../../src/aws/client-factory.js";
import type { AwsBehaviour } from "../../test/harness/aws-behaviour.js";
import { regionTag, type WorldOptions } from "./options.js";

/** What the data stores of the world are, for the demo to say what freshness ought to find. */
export interface DataStores {
  replicatedTable: string;
  replicatedBucket: string;
  standbyBucket: string;
  unprotected: string[];
}

/**
 * The data stores freshness measures, beside the RDS replica the world already has: a DynamoDB
 * global table, a replicated S3 bucket whose replication runs 40 minutes behind (the breach), and
 * one store of each kind with no copy in the standby region. `aws` must go through `behaviour`'s
 * proxy, which supplies what the emulator does not (global-table replicas, replication rules as
 * S3 reports them); `behaviour` records the metrics AWS would publish.
 */
export async function buildDataStores(
  aws: AwsClients,
  behaviour: AwsBehaviour,
  options: Pick<WorldOptions, "primaryRegion" | "standbyRegion">,
): Promise<DataStores> {
  const { primaryRegion: P, standbyRegion: S } = options;
  const table = async (name: string) =>
    aws.get(DynamoDBClient, P).send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  await table("orders");
  await behaviour.replicate("orders", P, S);
  await behaviour.putMetric(P, {
    namespace: "AWS/DynamoDB",
    name: "ReplicationLatency",
    dimensions: { TableName: "orders", ReceivingRegion: S },
    value: 1200,
  });
  await table("audit-log");

  const bucket = async (name: string, region: string) => {
    const s3 = aws.get(S3Client, region);
    await s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }),
    );
  };
  const [source, destination, uploads] = [
    `app-assets-${regionTag(P)}`,
    `app-assets-${regionTag(S)}`,
    `app-uploads-${regionTag(P)}`,
  ];
  await bucket(source, P);
  await bucket(destination, S);
  await bucket(uploads, P);
  await aws.get(S3Client, P).send(
    new PutBucketReplicationCommand({
      Bucket: source,
      ReplicationConfiguration: {
        Role: "arn:aws:iam::123456789012:role/s3-replication",
        Rules: [
          {
            ID: "assets-to-standby",
            Status: "Enabled",
            Priority: 1,
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: {
              Bucket: `arn:aws:s3:::${destination}`,
              Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
            },
          },
        ],
      },
    }),
  );
  await behaviour.putMetric(P, {
    namespace: "AWS/S3",
    name: "ReplicationLatency",
    dimensions: { SourceBucket: source, DestinationBucket: destination, RuleId: "assets-to-standby" },
    value: 2400,
  });

  await aws.get(RDSClient, P).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: "reporting-db",
      Engine: "postgres",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: 20,
      MasterUsername: "reporting",
      MasterUserPassword: "demo-password-not-secret",
      BackupRetentionPeriod: 7,
      MultiAZ: true,
      StorageEncrypted: true,
    }),
  );
  return {
    replicatedTable: "orders",
    replicatedBucket: source,
    standbyBucket: destination,
    unprotected: ["audit-log", uploads, "reporting-db", "AMI family app-base"],
  };
}
