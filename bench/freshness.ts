/**
 * npm run bench:freshness -- --stores 200 [--stores 1000]
 * For each N: builds a world of N data stores in a fresh emulator (DynamoDB global tables, S3
 * buckets with replication rules, RDS instances with cross-region read replicas, AMI families
 * copied into the standby region; about one in seven with no copy at all), with the metrics AWS
 * would publish put by the harness, then measures it in a separate process running the compiled
 * drctl and puts its metrics into CloudWatch. Prints the wall time, AWS calls per store by
 * operation, GetMetricData and PutMetricData calls, and the measuring process's peak RSS.
 * Asserts nothing.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CopyImageCommand, EC2Client, RegisterImageCommand } from "@aws-sdk/client-ec2";
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { Emulator } from "../demo/emulator.js";
import { AwsClients } from "../src/aws/client-factory.js";
import { AwsBehaviour } from "../test/harness/aws-behaviour.js";

execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { values } = parseArgs({ options: { stores: { type: "string", multiple: true, default: ["200"] } } });
const [P, S] = ["us-east-1", "us-west-2"];

interface Figures {
  stores: number;
  durationMs: number;
  calls: Record<string, number>;
  statuses: Record<string, number>;
  findings: number;
  put: { metrics: number; calls: number; ms: number };
  peakRss: number;
}

/** N stores: 30% DynamoDB, 30% S3, 25% RDS, 15% AMI families; every seventh without a copy. */
async function buildStores(aws: AwsClients, behaviour: AwsBehaviour, n: number): Promise<void> {
  const kinds = { dynamodb: Math.round(n * 0.3), s3: Math.round(n * 0.3), rds: Math.round(n * 0.25) };
  const images = n - kinds.dynamodb - kinds.s3 - kinds.rds;
  const copied = (i: number) => i % 7 !== 6;
  const latency = (i: number) => (i % 5 === 0 ? 1800 : 20 + (i % 30));
  const work: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < kinds.dynamodb; i++)
    work.push(async () => {
      const name = `table-${i}`;
      await aws.get(DynamoDBClient, P).send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      if (!copied(i)) return;
      await behaviour.replicate(name, P, S);
      await behaviour.putMetric(P, {
        namespace: "AWS/DynamoDB",
        name: "ReplicationLatency",
        dimensions: { TableName: name, ReceivingRegion: S },
        value: latency(i) * 1000,
      });
    });
  for (let i = 0; i < kinds.s3; i++)
    work.push(async () => {
      const [source, destination] = [`bucket-${i}-use1`, `bucket-${i}-usw2`];
      for (const [bucket, region] of [
        [source, P],
        [destination, S],
      ] as const) {
        await aws.get(S3Client, region).send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region === P ? {} : { CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }),
          }),
        );
        await aws.get(S3Client, region).send(
          new PutBucketVersioningCommand({
            Bucket: bucket,
            VersioningConfiguration: { Status: "Enabled" },
          }),
        );
      }
      if (!copied(i)) return;
      await aws.get(S3Client, P).send(
        new PutBucketReplicationCommand({
          Bucket: source,
          ReplicationConfiguration: {
            Role: "arn:aws:iam::123456789012:role/s3-replication",
            Rules: [
              {
                ID: "to-standby",
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
        dimensions: { SourceBucket: source, DestinationBucket: destination, RuleId: "to-standby" },
        value: latency(i),
      });
    });
  for (let i = 0; i < kinds.rds; i++)
    work.push(async () => {
      const id = `db-${i}`;
      const db = await aws.get(RDSClient, P).send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          Engine: "postgres",
          DBInstanceClass: "db.t3.micro",
          AllocatedStorage: 20,
          MasterUsername: "app",
          MasterUserPassword: "bench-password-not-secret",
          BackupRetentionPeriod: 7,
          MultiAZ: true,
          StorageEncrypted: true,
          DeletionProtection: true,
        }),
      );
      if (!copied(i)) return;
      await aws.get(RDSClient, S).send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: `${id}-replica`,
          SourceDBInstanceIdentifier: db.DBInstance?.DBInstanceArn,
          DBInstanceClass: "db.t3.micro",
          DeletionProtection: true,
        }),
      );
      await behaviour.putMetric(S, {
        namespace: "AWS/RDS",
        name: "ReplicaLag",
        dimensions: { DBInstanceIdentifier: `${id}-replica` },
        value: latency(i),
      });
    });
  for (let i = 0; i < images; i++)
    work.push(async () => {
      const image = await aws.get(EC2Client, P).send(
        new RegisterImageCommand({
          Name: `image-${i}-20261201`,
          Architecture: "x86_64",
          RootDeviceName: "/dev/xvda",
          VirtualizationType: "hvm",
        }),
      );
      if (!copied(i)) return;
      const copy = await aws.get(EC2Client, S).send(
        new CopyImageCommand({
          Name: `image-${i}-20261201`,
          SourceImageId: image.ImageId,
          SourceRegion: P,
        }),
      );
      const at = new Date(Date.now() - (i % 3 === 0 ? 30 : 2) * 3600_000);
      behaviour.backdate(image.ImageId ?? "", at);
      behaviour.backdate(copy.ImageId ?? "", at);
    });
  // A few at a time: the emulator serves one request at a time per worker anyway.
  for (let i = 0; i < work.length; i += 8) await Promise.all(work.slice(i, i + 8).map((w) => w()));
}

for (const n of values.stores.map(Number)) {
  const emulator = await Emulator.start();
  Object.assign(process.env, emulator.env);
  try {
    const direct = await AwsClients.create({ endpointUrl: emulator.endpoint, rateLimits: "off" });
    const behaviour = new AwsBehaviour(direct);
    const proxy = await behaviour.proxy(emulator.endpoint);
    const aws = await AwsClients.create({ endpointUrl: proxy.endpoint, rateLimits: "off" });
    const built = performance.now();
    await buildStores(aws, behaviour, n);
    console.log(
      `\nN = ${n} data stores (world built in ${((performance.now() - built) / 1000).toFixed(0)} s)`,
    );
    // Not execFileSync: the harness's proxy answers the child from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ["bench/freshness-child.mjs"], {
      env: { ...process.env, ENDPOINT: proxy.endpoint },
      maxBuffer: 64 * 2 ** 20,
    });
    const f = JSON.parse(stdout) as Figures;
    const total = Object.values(f.calls).reduce((a, b) => a + b, 0);
    console.log(
      `  measured ${f.stores} stores in ${(f.durationMs / 1000).toFixed(1)} s (${(f.stores / (f.durationMs / 1000)).toFixed(0)} stores/s), peak RSS ${(f.peakRss / 2 ** 20).toFixed(0)} MiB, ${f.findings} posture findings`,
    );
    console.log(
      `  AWS calls: ${total} in all, ${(total / f.stores).toFixed(2)} per store; GetMetricData ${f.calls["CloudWatch.GetMetricData"] ?? 0}`,
    );
    console.log(
      `  metrics: ${f.put.metrics} put in ${f.put.calls} PutMetricData calls (${f.put.ms.toFixed(0)} ms)`,
    );
    for (const [op, count] of Object.entries(f.calls).sort(([, a], [, b]) => b - a))
      console.log(
        `    ${op.padEnd(44)} ${String(count).padStart(6)}  ${(count / f.stores).toFixed(3)} per store`,
      );
    console.log("  statuses:");
    for (const [k, v] of Object.entries(f.statuses).sort())
      console.log(`    ${k.padEnd(44)} ${String(v).padStart(6)}`);
    aws.destroy();
    direct.destroy();
    await proxy.stop();
  } finally {
    await emulator.stop();
  }
}
