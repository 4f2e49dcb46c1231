/**
 * Adapter tests for the store types whose APIs the emulator does not serve: Aurora global
 * databases, EFS replication, ElastiCache global datastores, AWS Backup recovery points and copy
 * jobs, RDS replicated automated backups. The SDK is stubbed with aws-sdk-client-mock and answers
 * with responses shaped like the AWS API references; each status is produced by what AWS reports.
 */
import {
  BackupClient,
  ListBackupPlansCommand,
  ListBackupVaultsCommand,
  ListCopyJobsCommand,
  ListRecoveryPointsByBackupVaultCommand,
  type RecoveryPointByBackupVault,
  type RecoveryPointStatus,
} from "@aws-sdk/client-backup";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from "@aws-sdk/client-cloudwatch";
import {
  DescribeFileSystemsCommand,
  DescribeReplicationConfigurationsCommand,
  EFSClient,
  type DescribeReplicationConfigurationsCommandOutput,
  type ReplicationStatus,
} from "@aws-sdk/client-efs";
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from "@aws-sdk/client-elasticache";
import {
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
  type DescribeGlobalClustersCommandOutput,
  type GlobalClusterMemberSynchronizationStatus,
} from "@aws-sdk/client-rds";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import type { FreshnessResult } from "../src/core/freshness-result.js";
import { runFreshness } from "../src/freshness/engine.js";
import { auroraStoreType } from "../src/datastores/aurora/index.js";
import { backupStoreType } from "../src/datastores/backup/index.js";
import { efsStoreType } from "../src/datastores/efs/index.js";
import { elasticacheStoreType } from "../src/datastores/elasticache/index.js";
import { rdsStoreType } from "../src/datastores/rds/index.js";
import type { StoreType } from "../src/datastores/type.js";
import { mockedAws } from "./harness/mocked-aws.js";

const [P, S] = ["us-east-1", "us-west-2"];
const ACCOUNT = "123456789012";
const rds = mockClient(RDSClient);
const efs = mockClient(EFSClient);
const cache = mockClient(ElastiCacheClient);
const backup = mockClient(BackupClient);
const cw = mockClient(CloudWatchClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const NOW = new Date("2026-12-01T12:00:00Z");

/** CloudWatch answers: metric name + first dimension value -> the data points' values. */
function metrics(values: Record<string, number[]>) {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const m = q.MetricStat?.Metric;
      const key = `${m?.MetricName ?? ""}:${m?.Dimensions?.[0]?.Value ?? ""}`;
      const v = values[key] ?? [];
      return {
        Id: q.Id,
        Label: m?.MetricName,
        StatusCode: "Complete",
        Timestamps: v.map((_, i) => new Date(NOW.getTime() - (i + 1) * 60_000)),
        Values: v,
      };
    }),
  }));
}

async function run(types: StoreType[]): Promise<FreshnessResult> {
  const aws = await mockedAws({ maxAttempts: 1 });
  // Only the types under test run; the tagging API answers that nothing is tagged.
  return runFreshness(aws, {
    primaryRegions: [P],
    standbyRegions: [S],
    config: configSchema.parse({ rpo: "15m" }),
    now: NOW,
    types,
  }).finally(() => aws.destroy());
}
const row = (r: FreshnessResult, store: string) => r.stores.find((s) => s.store === store);

beforeEach(() => {
  for (const m of [rds, efs, cache, backup, cw, tagging]) m.reset();
  metrics({});
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
});
afterEach(() => {
  for (const m of [rds, efs, cache, backup, cw, tagging]) m.reset();
});

describe("Aurora global databases (adapter: AWS-shaped DescribeGlobalClusters; the emulator has no Aurora global)", () => {
  const cluster = (name: string, region: string) => ({
    DBClusterIdentifier: name,
    DBClusterArn: `arn:aws:rds:${region}:${ACCOUNT}:cluster:${name}`,
    Engine: "aurora-postgresql",
    Status: "available",
  });
  const global = (sync: GlobalClusterMemberSynchronizationStatus): DescribeGlobalClustersCommandOutput => ({
    $metadata: {},
    GlobalClusters: [
      {
        GlobalClusterIdentifier: "orders-global",
        GlobalClusterArn: `arn:aws:rds::${ACCOUNT}:global-cluster:orders-global`,
        Engine: "aurora-postgresql",
        GlobalClusterMembers: [
          {
            DBClusterArn: cluster("orders", P).DBClusterArn,
            IsWriter: true,
            Readers: [cluster("orders-dr", S).DBClusterArn],
          },
          {
            DBClusterArn: cluster("orders-dr", S).DBClusterArn,
            IsWriter: false,
            SynchronizationStatus: sync,
          },
        ],
      },
    ],
  });

  it("measures the secondary by AuroraGlobalDBRPOLag (milliseconds), in the secondary's region", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("orders", P)] });
    rds.on(DescribeGlobalClustersCommand).resolves(global("connected"));
    metrics({ "AuroraGlobalDBRPOLag:orders-dr": [800, 1200] });
    const r = await run([auroraStoreType]);
    expect(row(r, "orders")).toMatchObject({
      kind: "aurora-global",
      status: "ok",
      exposureSeconds: 1.2,
      standbyRegion: S,
    });
    // One batched read, in the secondary's region.
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it("is broken when the secondary is not connected, and unknown without data", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("orders", P)] });
    rds.on(DescribeGlobalClustersCommand).resolves(global("pending-resync"));
    expect(row(await run([auroraStoreType]), "orders")).toMatchObject({ status: "broken" });
    rds.on(DescribeGlobalClustersCommand).resolves(global("connected"));
    const unknown = row(await run([auroraStoreType]), "orders");
    expect(unknown?.status).toBe("unknown");
    expect(unknown?.message).toMatch(
      /neither AuroraGlobalDBRPOLag nor AuroraGlobalDBReplicationLag has a data point for orders-dr/,
    );
  });

  it("calls a cluster with no secondary unprotected", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [cluster("ledger", P)] });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    expect(row(await run([auroraStoreType]), "ledger")).toMatchObject({ status: "unprotected" });
  });
});

describe("EFS replication (adapter: AWS-shaped DescribeReplicationConfigurations; the emulator lacks it)", () => {
  const replication = (
    status: ReplicationStatus,
    last?: Date,
  ): DescribeReplicationConfigurationsCommandOutput => ({
    $metadata: {},
    Replications: [
      {
        SourceFileSystemId: "fs-0123456789abcdef0",
        SourceFileSystemRegion: P,
        SourceFileSystemArn: `arn:aws:elasticfilesystem:${P}:${ACCOUNT}:file-system/fs-0123456789abcdef0`,
        OriginalSourceFileSystemArn: `arn:aws:elasticfilesystem:${P}:${ACCOUNT}:file-system/fs-0123456789abcdef0`,
        CreationTime: new Date("2026-11-01T00:00:00Z"),
        Destinations: [
          {
            Status: status,
            FileSystemId: "fs-0fedcba9876543210",
            Region: S,
            ...(last ? { LastReplicatedTimestamp: last } : {}),
          },
        ],
      },
    ],
  });
  beforeEach(() => {
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [
        {
          FileSystemId: "fs-0123456789abcdef0",
          FileSystemArn: `arn:aws:elasticfilesystem:${P}:${ACCOUNT}:file-system/fs-0123456789abcdef0`,
          Name: "uploads",
          OwnerId: ACCOUNT,
          CreationToken: "uploads",
          CreationTime: new Date("2026-01-01T00:00:00Z"),
          LifeCycleState: "available",
          NumberOfMountTargets: 2,
          SizeInBytes: { Value: 1024 },
          PerformanceMode: "generalPurpose",
          Tags: [],
        },
      ],
    });
  });

  it("measures by the destination's LastReplicatedTimestamp", async () => {
    efs
      .on(DescribeReplicationConfigurationsCommand)
      .resolves(replication("ENABLED", new Date(NOW.getTime() - 20 * 60_000)));
    expect(row(await run([efsStoreType]), "uploads")).toMatchObject({
      kind: "efs-replication",
      status: "breach",
      exposureSeconds: 1200,
    });
  });

  it("is broken when replication is in error, unknown before its first copy", async () => {
    efs.on(DescribeReplicationConfigurationsCommand).resolves(replication("ERROR"));
    expect(row(await run([efsStoreType]), "uploads")?.status).toBe("broken");
    efs.on(DescribeReplicationConfigurationsCommand).resolves(replication("ENABLED"));
    expect(row(await run([efsStoreType]), "uploads")?.status).toBe("unknown");
  });
});

describe("ElastiCache global datastores (adapter: AWS-shaped DescribeGlobalReplicationGroups; the emulator lacks it)", () => {
  const group = (id: string, role: "PRIMARY" | "SECONDARY", region: string) => ({
    ReplicationGroupId: id,
    ARN: `arn:aws:elasticache:${region}:${ACCOUNT}:replicationgroup:${id}`,
    Status: "available",
    GlobalReplicationGroupInfo: {
      GlobalReplicationGroupId: "ldgnf-sessions",
      GlobalReplicationGroupMemberRole: role,
    },
    NodeGroups: [
      { NodeGroupId: "0001", NodeGroupMembers: [{ CacheClusterId: `${id}-001`, CurrentRole: "primary" }] },
    ],
  });
  beforeEach(() => {
    cache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [group("sessions", "PRIMARY", P), group("sessions-dr", "SECONDARY", S)],
    });
  });
  const global = (status: string) => ({
    GlobalReplicationGroups: [
      {
        GlobalReplicationGroupId: "ldgnf-sessions",
        Status: "available",
        Members: [
          {
            ReplicationGroupId: "sessions",
            ReplicationGroupRegion: P,
            Role: "PRIMARY",
            Status: "associated",
          },
          { ReplicationGroupId: "sessions-dr", ReplicationGroupRegion: S, Role: "SECONDARY", Status: status },
        ],
      },
    ],
  });

  it("measures the secondary's GlobalDatastoreReplicationLag, read from its primary node", async () => {
    cache.on(DescribeGlobalReplicationGroupsCommand).resolves(global("associated"));
    metrics({ "GlobalDatastoreReplicationLag:sessions-dr-001": [0.4, 2] });
    expect(row(await run([elasticacheStoreType]), "sessions")).toMatchObject({
      kind: "elasticache-global-datastore",
      status: "ok",
      exposureSeconds: 2,
    });
  });

  it("is broken when the secondary is not associated", async () => {
    cache.on(DescribeGlobalReplicationGroupsCommand).resolves(global("disassociating"));
    expect(row(await run([elasticacheStoreType]), "sessions")?.status).toBe("broken");
  });
});

describe("AWS Backup copies (adapter: AWS-shaped recovery points and copy jobs; the emulator has no recovery points)", () => {
  const TABLE = `arn:aws:dynamodb:${P}:${ACCOUNT}:table/orders`;
  const point = (
    id: string,
    hoursAgo: number,
    status: RecoveryPointStatus = "COMPLETED",
  ): RecoveryPointByBackupVault => ({
    RecoveryPointArn: `arn:aws:backup:${S}:${ACCOUNT}:recovery-point:${id}`,
    BackupVaultName: "dr",
    BackupVaultArn: `arn:aws:backup:${S}:${ACCOUNT}:backup-vault:dr`,
    SourceBackupVaultArn: `arn:aws:backup:${P}:${ACCOUNT}:backup-vault:Default`,
    ResourceArn: TABLE,
    ResourceType: "DynamoDB",
    Status: status,
    CreationDate: new Date(NOW.getTime() - hoursAgo * 3600_000),
  });
  beforeEach(() => {
    backup.on(ListBackupVaultsCommand).resolves({
      BackupVaultList: [
        { BackupVaultName: "dr", BackupVaultArn: `arn:aws:backup:${S}:${ACCOUNT}:backup-vault:dr` },
      ],
    });
    backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [] });
  });

  it("measures by the newest completed copy, and is broken when a copy failed since", async () => {
    backup
      .on(ListRecoveryPointsByBackupVaultCommand)
      .resolves({ RecoveryPoints: [point("a", 30), point("b", 6), point("c", 1, "PARTIAL")] });
    backup.on(ListCopyJobsCommand).resolves({ CopyJobs: [] });
    expect(row(await run([backupStoreType]), "orders")).toMatchObject({
      kind: "backup-copy",
      status: "breach",
      exposureSeconds: 6 * 3600,
    });
    backup.on(ListCopyJobsCommand).resolves({
      CopyJobs: [
        {
          CopyJobId: "j1",
          ResourceArn: TABLE,
          State: "FAILED",
          StatusMessage: "KMS key not usable",
          CreationDate: new Date(NOW.getTime() - 2 * 3600_000),
        },
      ],
    });
    const broken = row(await run([backupStoreType]), "orders");
    expect(broken?.status).toBe("broken");
    expect(broken?.message).toMatch(/1 Backup recovery point copy failed since the newest that completed/);
  });
});

describe("RDS replicated automated backups (adapter: AWS-shaped DescribeDBInstanceAutomatedBackups; the emulator does not replicate)", () => {
  it("measures by the latest restorable time of the backup replicated into the standby", async () => {
    const source = `arn:aws:rds:${P}:${ACCOUNT}:db:payments`;
    rds.on(DescribeDBInstancesCommand).callsFake(() => ({
      DBInstances: [
        {
          DBInstanceIdentifier: "payments",
          DBInstanceArn: source,
          Engine: "postgres",
          EngineVersion: "16.4",
          MultiAZ: true,
          BackupRetentionPeriod: 14,
          DeletionProtection: true,
          StorageEncrypted: true,
          DBInstanceStatus: "available",
        },
      ],
    }));
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
      DBInstanceAutomatedBackups: [
        {
          DBInstanceArn: source,
          DBInstanceIdentifier: "payments",
          DBInstanceAutomatedBackupsArn: `arn:aws:rds:${S}:${ACCOUNT}:auto-backup:ab-0123456789abcdef`,
          Region: P,
          Status: "replicating",
          RestoreWindow: {
            EarliestTime: new Date("2026-11-20T00:00:00Z"),
            LatestTime: new Date(NOW.getTime() - 5 * 60_000),
          },
        },
      ],
    });
    const r = await run([rdsStoreType]);
    // The primary-region list has the instance; the standby's has only the replicated backup.
    const payments = r.stores.filter((s) => s.store === "payments");
    expect(payments.map((s) => s.kind)).toContain("rds-backup-replication");
    expect(payments.find((s) => s.kind === "rds-backup-replication")).toMatchObject({
      status: "ok",
      exposureSeconds: 300,
    });
  });
});
