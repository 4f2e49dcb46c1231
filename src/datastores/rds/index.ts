import { ops } from "../../aws/services.js";
import type { DBInstance, DBInstanceAutomatedBackup, DBSnapshot } from "@aws-sdk/client-rds";
import { parseArn } from "../../aws/arn.js";
import { worst } from "../../aws/metrics.js";
import type {
  FreshnessContext,
  Measurement,
  PrimaryStore,
  Protection,
  StandbyHint,
  StoreType,
} from "../type.js";
import { formatDuration } from "../../util/duration.js";
import { DB_INSTANCES } from "../../aws/rds-lists.js";
import { AUTOMATED_BACKUPS, DB_SNAPSHOTS } from "./list.js";
import { normalizeDbInstance } from "./normalize.js";
import { rdsRules, type DbPair } from "./rules.js";

const regionOf = (arn: string) => (arn.startsWith("arn:") ? parseArn(arn).region : undefined);
const age = (ctx: FreshnessContext, at: Date) => Math.max(0, (ctx.now.getTime() - at.getTime()) / 1000);

/** A cross-region read replica: ReplicaLag, the worst of the window, read in the replica's region. */
function replicaProtection(
  primary: PrimaryStore,
  source: DBInstance,
  replica: DBInstance,
  region: string,
): Protection {
  const id = replica.DBInstanceIdentifier ?? "";
  return {
    kind: "rds-read-replica",
    primary,
    standbyArn: replica.DBInstanceArn ?? null,
    standbyRegion: region,
    posture: { rules: rdsRules, primary: normalizeDbInstance(source), standby: normalizeDbInstance(replica) },
    async measure(ctx): Promise<Measurement> {
      const measuredBy = `CloudWatch AWS/RDS ReplicaLag of ${id} (worst of ${formatDuration(ctx.windowSeconds)})`;
      const status = replica.DBInstanceStatus ?? "unknown";
      const replication = replica.StatusInfos?.find((s) => s.StatusType === "read replication");
      const evidence = [
        { what: `status of ${id}`, value: status },
        ...(replication
          ? [
              {
                what: "read replication",
                value: `${replication.Status ?? "?"}${replication.Message ? `: ${replication.Message}` : ""}`,
              },
            ]
          : []),
      ];
      if (replication && replication.Normal === false)
        return {
          measuredBy,
          evidence,
          broken: {
            reason: `read replication of ${id} is ${replication.Status ?? "not normal"}${replication.Message ? ` (${replication.Message})` : ""}`,
            fix: "Look at the replica's events (describe-events), fix the cause, or recreate the replica from the primary.",
          },
        };
      if (!["available", "backing-up", "modifying", "maintenance"].includes(status))
        return {
          measuredBy,
          evidence,
          broken: {
            reason: `the replica ${id} is ${status}, not replicating`,
            fix: "Start the replica, or recreate it from the primary.",
          },
        };
      const lag = worst(
        await ctx.metrics.read({
          region,
          namespace: "AWS/RDS",
          metric: "ReplicaLag",
          dimensions: { DBInstanceIdentifier: id },
          stat: "Maximum",
          periodSeconds: 60,
        }),
      );
      if (lag === undefined)
        return {
          measuredBy,
          evidence: [...evidence, { what: "ReplicaLag data points", value: "none" }],
          unknown: {
            reason: `no ReplicaLag data point for ${id} in the last ${formatDuration(ctx.windowSeconds)}`,
            fix: "RDS publishes ReplicaLag every minute while a replica replicates: check the replica's replication state and the region read.",
          },
        };
      return {
        exposureSeconds: lag,
        resolutionSeconds: 60,
        measuredBy,
        evidence: [...evidence, { what: "ReplicaLag, worst of the window", value: `${lag} s` }],
      };
    },
  };
}

/** Copies of a store (snapshots, replicated backups) in a standby region: the age of the newest. */
export function copyMeasurement(
  ctx: FreshnessContext,
  what: string,
  newest: { at: Date; arn: string } | undefined,
  failedSince: number,
): Measurement {
  const measuredBy = `the creation time of the newest ${what} in the standby region`;
  if (!newest)
    return {
      measuredBy,
      evidence: [{ what: `completed ${what}s`, value: "none" }],
      broken: { reason: `no ${what} has completed`, fix: `Look at why the ${what}s fail, and make one.` },
    };
  const evidence = [
    { what: `newest ${what}`, value: `${newest.arn}, ${newest.at.toISOString()}` },
    ...(failedSince > 0 ? [{ what: `failed since`, value: String(failedSince) }] : []),
  ];
  if (failedSince > 0)
    return {
      exposureSeconds: age(ctx, newest.at),
      measuredBy,
      evidence,
      broken: {
        reason: `${failedSince} ${what}${failedSince === 1 ? "" : "s"} failed since the newest that completed`,
        fix: `Look at why the ${what} failed (the source's events, the key it is encrypted with in the standby region) and copy again.`,
      },
    };
  return { exposureSeconds: age(ctx, newest.at), measuredBy, evidence };
}

/** The time the data in a snapshot copy is from: the original snapshot's, not the copy's. */
const dataTime = (s: DBSnapshot) => s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;

export const rdsStoreType: StoreType = {
  type: "rds",
  title: "RDS instances",
  permissions: [
    ...ops("RDS", "DescribeDBInstances", "DescribeDBSnapshots", "DescribeDBInstanceAutomatedBackups"),
    ...ops("CloudWatch", "GetMetricData"),
  ],
  rules: rdsRules,
  owns: (arn) => arn.service === "rds" && arn.resourceType === "db",
  async standbyHints(ctx) {
    const hints: StandbyHint[] = [];
    for (const region of ctx.primaryRegions)
      for (const db of (await ctx.region(region).list(DB_INSTANCES)).values()) {
        if (db.ReadReplicaSourceDBInstanceIdentifier || !db.DBInstanceArn) continue;
        // A replica in another region is named by its ARN; one in the same region by its identifier.
        const copies = [
          ...(db.ReadReplicaDBInstanceIdentifiers ?? []).map((r) => ({ arn: r, what: "the read replica" })),
          ...(db.DBInstanceAutomatedBackupsReplications ?? []).map((b) => ({
            arn: b.DBInstanceAutomatedBackupsArn ?? "",
            what: "the replicated automated backups",
          })),
        ];
        for (const c of copies) {
          const at = regionOf(c.arn);
          if (at && at !== region)
            hints.push({ store: db.DBInstanceArn, region: at, via: `${c.what} ${c.arn}` });
        }
      }
    return hints;
  },
  async discover(ctx) {
    const stores: PrimaryStore[] = [];
    const sources = new Map<string, { store: PrimaryStore; db: DBInstance }>();
    for (const region of ctx.primaryRegions)
      for (const db of (await ctx.region(region).list(DB_INSTANCES)).values()) {
        // A replica is a copy, not a store of its own (a same-region replica included); a member
        // of an Aurora or Multi-AZ DB cluster holds the cluster's data, measured as the cluster.
        if (db.ReadReplicaSourceDBInstanceIdentifier || db.DBClusterIdentifier) continue;
        const store: PrimaryStore = {
          type: "rds",
          arn: db.DBInstanceArn ?? "",
          name: db.DBInstanceIdentifier ?? "",
          region,
          // The primary's own posture (retention, Multi-AZ, ...), whether or not it has a copy.
          posture: { rules: rdsRules, primary: normalizeDbInstance(db), standby: null as DbPair },
        };
        stores.push(store);
        sources.set(store.arn, { store, db });
        sources.set(`${region}|${store.name}`, { store, db });
      }
    const sourceOf = (ref: string | undefined, region: string) =>
      ref
        ? (sources.get(ref) ?? sources.get(`${regionOf(ref) ?? region}|${ref.split(":").at(-1) ?? ref}`))
        : undefined;
    const protections: Protection[] = [];
    for (const region of ctx.standbyRegions) {
      const cache = ctx.region(region);
      const [instances, snapshots, backups] = await Promise.all([
        cache.list(DB_INSTANCES),
        cache.list(DB_SNAPSHOTS),
        cache.list(AUTOMATED_BACKUPS),
      ]);
      for (const db of instances.values()) {
        const source = db.ReadReplicaSourceDBInstanceIdentifier;
        const from = source && regionOf(source) !== region ? sourceOf(source, region) : undefined;
        if (from) protections.push(replicaProtection(from.store, from.db, db, region));
      }
      protections.push(...backupReplications(backups.values(), sources, region));
      protections.push(...snapshotCopies(snapshots.values(), sources, region));
    }
    return { stores, protections };
  },
};

/** The primaries by ARN and by "region|identifier", with their descriptions. */
type Sources = ReadonlyMap<string, { store: PrimaryStore; db: DBInstance }>;

/** Replicated automated backups: a backup of an instance of another region, kept in `region`. */
function backupReplications(
  backups: Iterable<DBInstanceAutomatedBackup>,
  sources: Sources,
  region: string,
): Protection[] {
  const out: Protection[] = [];
  for (const b of backups) {
    const from =
      b.DBInstanceArn && regionOf(b.DBInstanceArn) !== region ? sources.get(b.DBInstanceArn) : undefined;
    if (!from) continue;
    const latest = b.RestoreWindow?.LatestTime;
    out.push({
      kind: "rds-backup-replication",
      primary: from.store,
      standbyArn: b.DBInstanceAutomatedBackupsArn ?? null,
      standbyRegion: region,
      measure: (c) =>
        Promise.resolve(
          copyMeasurement(
            c,
            "replicated automated backup",
            latest ? { at: latest, arn: b.DBInstanceAutomatedBackupsArn ?? "" } : undefined,
            b.Status === "failed" ? 1 : 0,
          ),
        ),
    });
  }
  return out;
}

/** Snapshot copies from a primary region into `region`: the newest per source instance. */
function snapshotCopies(snapshots: Iterable<DBSnapshot>, sources: Sources, region: string): Protection[] {
  const copies = new Map<string, DBSnapshot[]>();
  for (const s of snapshots) {
    if (!s.SourceRegion || s.SourceRegion === region) continue;
    const from = sources.get(`${s.SourceRegion}|${s.DBInstanceIdentifier ?? ""}`);
    if (from) copies.set(from.store.arn, [...(copies.get(from.store.arn) ?? []), s]);
  }
  const out: Protection[] = [];
  for (const [arn, list] of copies) {
    const from = sources.get(arn);
    if (!from) continue;
    const done = list
      .filter((s) => s.Status === "available" && dataTime(s))
      .sort((a, b) => (dataTime(b)?.getTime() ?? 0) - (dataTime(a)?.getTime() ?? 0));
    const newest = done[0];
    const failed = list.filter(
      (s) =>
        s.Status === "failed" &&
        (!newest || (s.SnapshotCreateTime?.getTime() ?? 0) > (newest.SnapshotCreateTime?.getTime() ?? 0)),
    ).length;
    out.push({
      kind: "rds-snapshot-copy",
      primary: from.store,
      standbyArn: newest?.DBSnapshotArn ?? null,
      standbyRegion: region,
      measure: (c) =>
        Promise.resolve(
          copyMeasurement(
            c,
            "snapshot copy",
            newest ? { at: dataTime(newest) ?? new Date(0), arn: newest.DBSnapshotArn ?? "" } : undefined,
            failed,
          ),
        ),
    });
  }
  return out;
}
