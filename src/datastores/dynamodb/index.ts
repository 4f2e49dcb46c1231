import { ops } from "../../aws/services.js";
import { worst } from "../../aws/metrics.js";
import type { Measurement, PrimaryStore, Protection, StandbyHint, StoreType } from "../type.js";
import { formatDuration } from "../../util/duration.js";
import { TABLES, type Table } from "./list.js";
import { dynamodbRules, type NormalizedTable, type TablePair } from "./rules.js";

const normalized = (t: Table, region: string): NormalizedTable => ({
  name: t.description.TableName ?? "",
  region,
  pointInTimeRecovery: t.pointInTimeRecovery,
});

/**
 * A global table's replica (version 2019.11.21): ACTIVE in the standby region, and how far behind
 * it is by ReplicationLatency (published in the table's own region, per receiving region).
 */
function replicaProtection(
  primary: PrimaryStore,
  table: Table,
  replicaRegion: string,
  replicaStatus: string,
  standby: Table | undefined,
): Protection {
  const name = table.description.TableName ?? "";
  return {
    kind: "dynamodb-global-table",
    primary,
    standbyArn: standby?.description.TableArn ?? null,
    standbyRegion: replicaRegion,
    posture: {
      rules: dynamodbRules,
      primary: normalized(table, primary.region),
      standby: standby ? normalized(standby, replicaRegion) : null,
    },
    async measure(ctx): Promise<Measurement> {
      const measuredBy = `CloudWatch AWS/DynamoDB ReplicationLatency of ${name} to ${replicaRegion} (worst of ${formatDuration(ctx.windowSeconds)})`;
      const evidence = [
        { what: `replica in ${replicaRegion}`, value: replicaStatus },
        { what: "global table version", value: table.description.GlobalTableVersion ?? "(none)" },
      ];
      if (replicaStatus !== "ACTIVE" || !standby)
        return {
          measuredBy,
          evidence,
          broken: {
            reason: !standby
              ? `the replica of ${name} in ${replicaRegion} does not exist there`
              : `the replica of ${name} in ${replicaRegion} is ${replicaStatus}, not ACTIVE`,
            fix: "Look at the replica in the DynamoDB console of its region; remove and add it again if it stays so.",
          },
        };
      const latencyMs = worst(
        await ctx.metrics.read({
          region: primary.region,
          namespace: "AWS/DynamoDB",
          metric: "ReplicationLatency",
          dimensions: { TableName: name, ReceivingRegion: replicaRegion },
          stat: "Maximum",
          periodSeconds: 60,
        }),
      );
      if (latencyMs === undefined)
        return {
          measuredBy,
          evidence: [...evidence, { what: "ReplicationLatency data points", value: "none" }],
          unknown: {
            reason: `no ReplicationLatency data point for ${name} to ${replicaRegion} in the last ${formatDuration(ctx.windowSeconds)} (DynamoDB publishes it only while writes replicate)`,
            fix: "Write to the table (drctl freshness --canary --execute writes a marker) or read ReplicationLatency over a longer window (freshness.window).",
          },
        };
      return {
        exposureSeconds: latencyMs / 1000,
        resolutionSeconds: 60,
        measuredBy,
        evidence: [
          ...evidence,
          { what: "ReplicationLatency, worst of the window", value: `${latencyMs} ms` },
        ],
      };
    },
  };
}

export const dynamodbStoreType: StoreType = {
  type: "dynamodb",
  title: "DynamoDB tables",
  permissions: [
    ...ops("DynamoDB", "ListTables", "DescribeTable", "DescribeContinuousBackups"),
    ...ops("CloudWatch", "GetMetricData"),
  ],
  rules: dynamodbRules,
  owns: (arn) => arn.service === "dynamodb" && arn.resourceType === "table",
  async standbyHints(ctx) {
    const hints: StandbyHint[] = [];
    for (const region of ctx.primaryRegions)
      for (const table of (await ctx.region(region).list(TABLES)).values())
        for (const replica of table.description.Replicas ?? [])
          if (replica.RegionName && replica.RegionName !== region && table.description.TableArn)
            hints.push({
              store: table.description.TableArn,
              region: replica.RegionName,
              via: `the global table ${table.description.TableName ?? ""}'s replica in ${replica.RegionName}`,
            });
    return hints;
  },
  async discover(ctx) {
    const stores: PrimaryStore[] = [];
    const protections: Protection[] = [];
    const standbyTables = new Map(
      await Promise.all(ctx.standbyRegions.map(async (r) => [r, await ctx.region(r).list(TABLES)] as const)),
    );
    for (const region of ctx.primaryRegions)
      for (const table of (await ctx.region(region).list(TABLES)).values()) {
        const store: PrimaryStore = {
          type: "dynamodb",
          arn: table.description.TableArn ?? "",
          name: table.description.TableName ?? "",
          region,
          posture: { rules: dynamodbRules, primary: normalized(table, region), standby: null as TablePair },
        };
        stores.push(store);
        for (const replica of table.description.Replicas ?? []) {
          const replicaRegion = replica.RegionName ?? "";
          if (replicaRegion === region || !ctx.standbyRegions.includes(replicaRegion)) continue;
          const standby = standbyTables.get(replicaRegion)?.get(store.name);
          protections.push(
            replicaProtection(store, table, replicaRegion, replica.ReplicaStatus ?? "?", standby),
          );
        }
      }
    return { stores, protections };
  },
};
