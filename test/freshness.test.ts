/**
 * drctl freshness on a world built for every status: RDS replicas and snapshot copies, DynamoDB
 * global tables, S3 replication, AMI copies; ok, breach, broken, unknown, unprotected and error,
 * each produced by the state AWS would report (the parts the emulator lacks come from
 * test/harness/aws-behaviour.ts, never from product code).
 */
import { EC2Client, CreateLaunchTemplateCommand } from "@aws-sdk/client-ec2";
import {
  CreateTableCommand,
  DynamoDBClient,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CopyDBSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  CreateBucketCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type ReplicationRule,
} from "@aws-sdk/client-s3";
import { BackupClient, CreateBackupPlanCommand } from "@aws-sdk/client-backup";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildImages } from "../demo/world/compute.js";
import { buildNetwork } from "../demo/world/network.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { configSchema } from "../src/config/schema.js";
import type { FreshnessResult, StoreResult } from "../src/core/freshness-result.js";
import { runCli } from "../src/cli/program.js";
import { runFreshness, type FreshnessOptions } from "../src/freshness/engine.js";
import { freshnessDatums } from "../src/freshness/put-metrics.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { freshnessRun } from "../src/history/types.js";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";
import { STORE_TYPES } from "../src/catalog.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
const HOUR = 3600_000;
let aws: AwsClients;
let behaviour: AwsBehaviour;
let proxy: FaultProxy;
/** Clients through the proxy that supplies what the emulator lacks. */
let through: AwsClients;
let result: FreshnessResult;
let configFile: string;
const arns: Record<string, string> = {};

const CONFIG = (extra = "") => `regions: { primary: ${P}, standby: ${S} }
rpo: 15m
applications:
  - name: images
    arns: ["arn:aws:ec2:*:*:image/*"]
    rpo: 1d
  - name: ledger
    arns: ["arn:aws:rds:*:*:db:ledger-db"]
    rpo: 1d
freshness:
  ignore: ["arn:aws:s3:::build-cache"]
${extra}`;

function options(config: string): FreshnessOptions {
  return {
    types: STORE_TYPES,
    primaryRegions: [P],
    standbyRegions: [S],
    config: configSchema.parse(parseYaml(config)),
    now: new Date(),
  };
}

const row = (store: string, kind?: string): StoreResult => {
  const found = result.stores.filter((s) => s.store === store && (kind === undefined || s.kind === kind));
  if (found.length !== 1)
    throw new Error(
      `${store} ${kind ?? ""}: ${found.length} rows in ${JSON.stringify(result.stores.map((s) => `${s.store} ${s.kind}`))}`,
    );
  return found[0] as StoreResult;
};
const rules = (subject: string) =>
  result.findings
    .filter((f) => f.pair === subject)
    .map((f) => `${f.ruleId} ${f.path}`)
    .sort();

async function database(
  id: string,
  replica: boolean,
  extra: Partial<ConstructorParameters<typeof CreateDBInstanceCommand>[0]> = {},
) {
  const db = await aws.get(RDSClient, P).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: "mysql",
      EngineVersion: "8.0.39",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: 20,
      MasterUsername: "app",
      MasterUserPassword: "not-a-secret-test",
      BackupRetentionPeriod: 7,
      MultiAZ: true,
      StorageEncrypted: true,
      DeletionProtection: true,
      ...extra,
    }),
  );
  arns[id] = db.DBInstance?.DBInstanceArn ?? "";
  if (replica)
    await aws.get(RDSClient, S).send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: `${id}-replica`,
        SourceDBInstanceIdentifier: arns[id],
        DBInstanceClass: "db.t3.micro",
        DeletionProtection: true,
      }),
    );
}

async function table(name: string, region = P) {
  const out = await aws.get(DynamoDBClient, region).send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  arns[`${region}:${name}`] = out.TableDescription?.TableArn ?? "";
}

async function pitr(name: string, region: string) {
  await aws.get(DynamoDBClient, region).send(
    new UpdateContinuousBackupsCommand({
      TableName: name,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );
}

async function bucket(name: string, region: string, versioned = true) {
  const s3 = aws.get(S3Client, region);
  await s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region === "us-east-1"
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as "us-west-2" } }),
    }),
  );
  if (versioned)
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }),
    );
}

async function replication(source: string, destination: string, rule: Partial<ReplicationRule> = {}) {
  // Through the proxy, so the rule reads back as S3 would report it.
  await through.get(S3Client, P).send(
    new PutBucketReplicationCommand({
      Bucket: source,
      ReplicationConfiguration: {
        Role: "arn:aws:iam::123456789012:role/s3-replication",
        Rules: [
          {
            ID: `${source}-to-standby`,
            Status: "Enabled",
            Priority: 1,
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: {
              Bucket: `arn:aws:s3:::${destination}`,
              Metrics: { Status: "Enabled", EventThreshold: { Minutes: 15 } },
              ReplicationTime: { Status: "Enabled", Time: { Minutes: 15 } },
            },
            ...rule,
          },
        ],
      },
    }),
  );
}

beforeAll(async () => {
  aws = await env.clients();
  behaviour = new AwsBehaviour(aws);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  through = await env.clients({ endpointUrl: proxy.endpoint });

  // RDS: a replica per status, a store without copy, snapshot copies by age.
  await database("orders-db", true);
  await database("billing-db", true);
  await database("audit-db", true);
  await database("reports-db", true);
  await database("scratch-db", false, { BackupRetentionPeriod: 0, MultiAZ: false });
  await database("ledger-db", false);
  await behaviour.putMetric(S, {
    namespace: "AWS/RDS",
    name: "ReplicaLag",
    dimensions: { DBInstanceIdentifier: "orders-db-replica" },
    value: 42,
  });
  await behaviour.putMetric(S, {
    namespace: "AWS/RDS",
    name: "ReplicaLag",
    dimensions: { DBInstanceIdentifier: "billing-db-replica" },
    value: 1800,
  });
  behaviour.setInstanceStatus("audit-db-replica", "stopped");
  const snap = await aws.get(RDSClient, P).send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: "ledger-db",
      DBSnapshotIdentifier: "ledger-db-nightly",
    }),
  );
  // Through the proxy, so it knows where the copy came from (AWS reports it; the emulator does not).
  await through.get(RDSClient, S).send(
    new CopyDBSnapshotCommand({
      SourceDBSnapshotIdentifier: snap.DBSnapshot?.DBSnapshotArn,
      TargetDBSnapshotIdentifier: "ledger-db-nightly-copy",
    }),
  );
  behaviour.backdate("ledger-db-nightly", new Date(Date.now() - 2 * HOUR));
  behaviour.backdate("ledger-db-nightly-copy", new Date(Date.now() - 2 * HOUR));

  // DynamoDB: global tables per status, one without replica, pairs declared by tags.
  for (const name of ["orders", "carts", "sessions", "events", "tmp-cache", "leads"]) await table(name);
  for (const name of ["orders", "carts", "sessions", "events"]) await behaviour.replicate(name, P, S);
  behaviour.setReplicaStatus("sessions", P, S, "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
  await table("leads", S); // a table of the same name that replicates nothing
  for (const name of ["orders", "sessions", "events"]) {
    await pitr(name, P);
    await pitr(name, S);
  }
  const latency = (t: string, ms: number) =>
    behaviour.putMetric(P, {
      namespace: "AWS/DynamoDB",
      name: "ReplicationLatency",
      dimensions: { TableName: t, ReceivingRegion: S },
      value: ms,
    });
  await latency("orders", 800);
  await latency("carts", 25 * 60_000);
  const tag = (resource: string, secondary: string) =>
    aws.get(DynamoDBClient, P).send(
      new TagResourceCommand({
        ResourceArn: resource,
        Tags: [
          { Key: "enable", Value: "True " },
          { Key: "isPrimary", Value: "true" },
          { Key: "secondaryARN", Value: secondary },
        ],
      }),
    );
  await tag(arns[`${P}:leads`] ?? "", arns[`${S}:leads`] ?? "");
  await tag(arns[`${P}:tmp-cache`] ?? "", "arn:aws:s3:::tmp-cache-usw2");

  // S3: replication per status, a bucket without, one ignored.
  for (const [name, region] of [
    ["orders-assets", P],
    ["orders-assets-usw2", S],
    ["media", P],
    ["media-usw2", S],
    ["exports", P],
    ["logs", P],
    ["logs-usw2", S],
    ["scratch", P],
    ["build-cache", P],
  ] as const)
    await bucket(name, region);
  await replication("orders-assets", "orders-assets-usw2");
  await replication("media", "media-usw2");
  await replication("exports", "exports-missing");
  await replication("logs", "logs-usw2", {
    DeleteMarkerReplication: { Status: "Disabled" },
    Destination: { Bucket: "arn:aws:s3:::logs-usw2" },
  });
  const s3Latency = (source: string, destination: string, seconds: number) =>
    behaviour.putMetric(P, {
      namespace: "AWS/S3",
      name: "ReplicationLatency",
      dimensions: { SourceBucket: source, DestinationBucket: destination, RuleId: `${source}-to-standby` },
      value: seconds,
    });
  await s3Latency("orders-assets", "orders-assets-usw2", 30);
  await s3Latency("media", "media-usw2", 3000);

  // Images: the world's daily image and its copy (made through the proxy), 2 hours old; and a
  // standby launch template whose image is not in the region.
  const [ec2p, ec2s] = [through.get(EC2Client, P), through.get(EC2Client, S)];
  const network = await buildNetwork(aws.get(EC2Client, P), P, "10.0");
  const images = await buildImages(ec2p, ec2s, P, network.subnetIds[0] ?? "");
  arns.dailyImage = images.primaryImageId;
  behaviour.backdate(images.primaryImageId, new Date(Date.now() - 2 * HOUR));
  await aws.get(EC2Client, S).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "web-old",
      LaunchTemplateData: { ImageId: "ami-0000000000000dead", InstanceType: "t3.micro" },
    }),
  );

  // Backup: a plan that copies nothing out of the region, and one that does with a retention.
  const backup = aws.get(BackupClient, P);
  await backup.send(
    new CreateBackupPlanCommand({
      BackupPlan: {
        BackupPlanName: "local-only",
        Rules: [
          { RuleName: "nightly", TargetBackupVaultName: "Default", ScheduleExpression: "cron(0 3 * * ? *)" },
        ],
      },
    }),
  );
  await backup.send(
    new CreateBackupPlanCommand({
      BackupPlan: {
        BackupPlanName: "to-standby",
        Rules: [
          {
            RuleName: "nightly",
            TargetBackupVaultName: "Default",
            ScheduleExpression: "cron(0 3 * * ? *)",
            CopyActions: [
              {
                DestinationBackupVaultArn: `arn:aws:backup:${S}:123456789012:backup-vault:dr`,
                Lifecycle: { DeleteAfterDays: 14 },
              },
            ],
          },
        ],
      },
    }),
  );

  // The run's stats count its own calls, not those that built the world above.
  through.counter.reset();
  result = await runFreshness(through, options(CONFIG()));
});

describe("freshness of each kind of store, by status", () => {
  it("measures RDS read replicas by their ReplicaLag, and sees one that is stopped", () => {
    expect(row("orders-db")).toMatchObject({
      kind: "rds-read-replica",
      status: "ok",
      exposureSeconds: 42,
      rpoSeconds: 900,
      resolutionSeconds: 60,
    });
    expect(row("orders-db").standbyArn).toMatch(/:db:orders-db-replica$/);
    expect(row("billing-db")).toMatchObject({ status: "breach", exposureSeconds: 1800 });
    expect(row("billing-db").message).toBe(
      "billing-db (rds-read-replica to us-west-2) is 30 min behind, over its 15 min target",
    );
    expect(row("audit-db")).toMatchObject({ status: "broken", exposureSeconds: null });
    expect(row("audit-db").message).toMatch(/the replica audit-db-replica is stopped, not replicating/);
    expect(row("reports-db")).toMatchObject({ status: "unknown", exposureSeconds: null });
    expect(row("reports-db").message).toMatch(
      /no ReplicaLag data point for reports-db-replica in the last 15 min/,
    );
    expect(row("scratch-db")).toMatchObject({ status: "unprotected", standbyArn: null });
  });

  it("measures RDS snapshot copies by the age of the newest, against the application's target", () => {
    const ledger = row("ledger-db");
    expect(ledger).toMatchObject({
      kind: "rds-snapshot-copy",
      status: "ok",
      application: "ledger",
      rpoSeconds: 86400,
    });
    expect(ledger.exposureSeconds ?? 0).toBeGreaterThanOrEqual(2 * 3600);
    expect(ledger.exposureSeconds ?? 0).toBeLessThan(2 * 3600 + 300);
  });

  it("measures DynamoDB global tables: ReplicationLatency, a replica that is not ACTIVE, no data", () => {
    expect(row("orders")).toMatchObject({
      kind: "dynamodb-global-table",
      status: "ok",
      exposureSeconds: 0.8,
    });
    expect(row("carts")).toMatchObject({ status: "breach", exposureSeconds: 1500 });
    expect(row("sessions")).toMatchObject({ status: "broken" });
    expect(row("sessions").message).toMatch(/is INACCESSIBLE_ENCRYPTION_CREDENTIALS, not ACTIVE/);
    expect(row("events")).toMatchObject({ status: "unknown" });
    expect(row("tmp-cache")).toMatchObject({ status: "unprotected" });
  });

  it("checks a pair declared by tags against what AWS records, and a standby of another kind", () => {
    expect(row("leads", "declared-pair")).toMatchObject({ status: "broken", standbyRegion: S });
    expect(row("leads", "declared-pair").message).toMatch(
      /its secondaryARN tag names .*table\/leads as its standby, but AWS records no replica, replication or copy of leads there/,
    );
    const other = result.findings.find((f) => f.ruleId === "pair.secondary-other-kind");
    expect(other?.message).toMatch(
      /tmp-cache is a DynamoDB table resource, but its standby \(its secondaryARN tag\) arn:aws:s3:::tmp-cache-usw2 is an S3 bucket/,
    );
  });

  it("measures S3 replication by its metrics, and says what is missing when it cannot", () => {
    expect(row("orders-assets")).toMatchObject({ kind: "s3-replication", status: "ok", exposureSeconds: 30 });
    expect(row("orders-assets").evidence).toContainEqual({
      what: "Replication Time Control",
      value: "on (15 min for 99.99% of objects)",
    });
    expect(row("media")).toMatchObject({ status: "breach", exposureSeconds: 3000 });
    expect(row("exports")).toMatchObject({ status: "broken" });
    expect(row("exports").message).toMatch(/the destination bucket exports-missing does not exist/);
    expect(row("logs")).toMatchObject({ status: "unknown" });
    expect(row("logs").remediation).toMatch(/^Enable replication metrics on rule logs-to-standby/);
    expect(row("scratch")).toMatchObject({ status: "unprotected" });
    expect(result.stores.some((s) => s.store === "build-cache")).toBe(false);
  });

  it("measures AMI copies by the age of the image they copy", () => {
    const daily = row("AMI family app-daily");
    expect(daily).toMatchObject({ kind: "ami-copy", status: "ok", application: "images", rpoSeconds: 86400 });
    expect(daily.exposureSeconds ?? 0).toBeGreaterThanOrEqual(2 * 3600);
    expect(daily.exposureSeconds ?? 0).toBeLessThan(2 * 3600 + 300);
    // The base image was never copied.
    expect(row("AMI family app-base")).toMatchObject({ status: "unprotected" });
  });

  it("reports data-protection posture in the scan's shape", () => {
    expect(rules("scratch-db")).toEqual(["rds.backup-retention backupRetentionDays", "rds.multi-az multiAz"]);
    expect(rules("carts")).toEqual([
      "dynamodb.point-in-time-recovery primary.pointInTimeRecovery",
      "dynamodb.point-in-time-recovery standby.pointInTimeRecovery",
    ]);
    expect(rules("logs")).toEqual(["s3.delete-marker-replication replication.deleteMarkerReplication"]);
    expect(rules(`launch templates in ${S}`)).toEqual([
      "images.launch-template-image launchTemplates[web-old].imageId",
    ]);
    expect(result.findings.find((f) => f.ruleId === "images.launch-template-image")?.severity).toBe(
      "critical",
    );
    expect(rules("backup plan local-only")).toEqual([
      "backup.copy-to-standby plans[local-only].rules[nightly].copyActions",
    ]);
    expect(rules("backup plan to-standby")).toEqual([]);
    // Every finding says what to do.
    for (const f of result.findings) expect(f.remediation.length, f.ruleId).toBeGreaterThan(10);
  });

  it("reads its metrics in one batched call per region", () => {
    expect(result.stats.calls["CloudWatch.GetMetricData"]).toBe(2);
  });

  it("declares every AWS operation it called (the README and the deployment policy come from these)", () => {
    expect(Object.keys(result.stats.calls).length).toBeGreaterThan(5);
    expect(undeclaredBy(Object.keys(result.stats.calls), "freshness")).toEqual([]);
  });
});

describe("drctl freshness, the command", () => {
  beforeAll(() => {
    configFile = join(mkdtempSync(join(tmpdir(), "drctl-fresh-cli-")), "drctl.yaml");
    writeFileSync(configFile, CONFIG());
    process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-fresh-home-"));
  });
  const drctl = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--config", configFile, "--endpoint-url", proxy.endpoint, ...argv], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, stdout: out.join(""), stderr: err.join("") };
  };

  it("prints the table, exits 1 on breaches, keeps the run and says what changed the next time", async () => {
    const first = await drctl("freshness");
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/^STORE\s+KIND\s+EXPOSURE\s+TARGET\s+STATUS\s+EVIDENCE/);
    expect(first.stdout).toMatch(
      /billing-db\s+rds-read-replica\s+30 min\s+15 min\s+breach\s+CloudWatch AWS\/RDS ReplicaLag/,
    );
    expect(first.stderr).toMatch(/first stored freshness run: \d+ stores; stored as \S+ in SQLite file/);
    // The replica catches up: its status changes, and the next run says so.
    await behaviour.putMetric(S, {
      namespace: "AWS/RDS",
      name: "ReplicaLag",
      dimensions: { DBInstanceIdentifier: "audit-db-replica" },
      value: 5,
    });
    behaviour.setInstanceStatus("audit-db-replica", "available");
    const json = await drctl("--json", "freshness");
    const body = JSON.parse(json.stdout) as FreshnessResult & { history: { changed: number } };
    expect(body.version).toBe(1);
    expect(body.stores.find((s) => s.store === "audit-db")?.status).toBe("ok");
    expect(body.history.changed).toBe(1);
    expect(json.stderr).toMatch(/1 stores changed status, 0 new and 0 resolved findings since/);
    behaviour.setInstanceStatus("audit-db-replica", "stopped");
  });

  it("exits 0 when only what is below --fail-on remains, and 3 when a store type cannot be read", async () => {
    expect((await drctl("freshness", "--fail-on", "never", "--no-store")).code).toBe(0);
  });

  it("puts each store's exposure into CloudWatch with --put-metrics, in the namespace drctl.yaml names", async () => {
    writeFileSync(configFile, CONFIG("  metrics: { namespace: drctl-test }\n"));
    try {
      const run = await drctl("--json", "freshness", "--put-metrics", "--no-store", "--fail-on", "never");
      expect(run.code).toBe(0);
      const body = JSON.parse(run.stdout) as FreshnessResult;
      const [, metrics, calls] =
        /metrics: (\d+) put in drctl-test in us-east-1 \((\d+) calls\)/.exec(run.stderr) ?? [];
      expect(Number(metrics)).toBe(freshnessDatums(body).length);
      expect(calls).toBe("1");
      const billing = body.stores.find((x) => x.store === "billing-db");
      const out = await aws.get(CloudWatchClient, P).send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 3600_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            {
              Id: "m",
              MetricStat: {
                Metric: {
                  Namespace: "drctl-test",
                  MetricName: "ExposureSeconds",
                  Dimensions: [
                    { Name: "application", Value: "none" },
                    { Name: "store", Value: "billing-db" },
                  ],
                },
                Period: 60,
                Stat: "Maximum",
              },
            },
          ],
        }),
      );
      expect(out.MetricDataResults?.[0]?.Values).toEqual([billing?.exposureSeconds]);
    } finally {
      writeFileSync(configFile, CONFIG());
    }
  });

  it("exits 1 when every store it found is unknown, saying nothing was measured", async () => {
    // A region of its own whose one store (a global table with no ReplicationLatency data) is unknown.
    const [E, W] = ["eu-west-1", "eu-central-1"];
    await table("eu-events", E);
    await behaviour.replicate("eu-events", E, W);
    const euConfig = join(mkdtempSync(join(tmpdir(), "drctl-fresh-eu-")), "drctl.yaml");
    writeFileSync(euConfig, `regions: { primary: ${E}, standby: ${W} }\n`);
    const err: string[] = [];
    const code = await runCli(
      ["--config", euConfig, "--endpoint-url", proxy.endpoint, "freshness", "--no-store"],
      {
        out: () => undefined,
        err: (t) => err.push(t),
      },
    );
    expect(err.join("\n")).toMatch(
      /drctl: nothing was measured: the freshness of every data store found is unknown \(1: eu-events\)/,
    );
    expect(code).toBe(1);
  });

  it("is compared with the newest run that read everything, never with one kept by the cloud that could not", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "drctl-fresh-history-")), "history.sqlite");
    const first = await drctl("--json", "--store", store, "freshness", "--fail-on", "never");
    const { history: firstHistory, ...a } = JSON.parse(first.stdout) as FreshnessResult & {
      history: { runId: string };
    };
    // The scheduled run kept one that could not list a type: its stores are missing from it.
    const [hidden] = a.stores;
    const at = new Date(Date.parse(a.generatedAt) + 1000).toISOString();
    const unread: FreshnessResult = {
      ...a,
      generatedAt: at,
      stores: a.stores.filter((s) => s.kind !== hidden?.kind),
      findings: [
        ...a.findings,
        {
          pair: "(tables)",
          primaryArn: "",
          secondaryArn: null,
          resourceType: "dynamodb",
          ruleId: "dynamodb.unreadable",
          severity: "high",
          status: "error",
          path: "type[dynamodb]",
          primary: null,
          secondary: null,
          message: "could not read dynamodb tables: access denied",
          remediation: "",
        },
      ],
    };
    const history = SqliteHistory.open(store);
    await history.save(freshnessRun("cloud-unread", unread, new Date(at)));
    history.close();
    const next = await drctl("--json", "--store", store, "freshness", "--fail-on", "never");
    expect(next.code, next.stderr).toBe(0);
    const c = JSON.parse(next.stdout) as { history: { since: string; changed: number } };
    expect(c.history).toMatchObject({ since: firstHistory.runId, changed: 0 });
  });

  it("could not finish, and says so, when a type's reads are denied; nothing stored", async () => {
    const { FaultProxy, NO_FAULTS } = await import("./harness/fault-proxy.js");
    const denying = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: ({ target }) => target === "DynamoDB_20120810.ListTables",
    });
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(["--config", configFile, "--endpoint-url", denying.endpoint, "freshness"], {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      });
      expect(code).toBe(3);
      expect(err.join("\n")).toMatch(
        /freshness could not finish: 1 reads failed; nothing was stored or sent\n {2}could not read dynamodb tables: access denied/,
      );
    } finally {
      await denying.stop();
    }
  });
});
