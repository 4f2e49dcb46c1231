import { DB_CLUSTERS, GLOBAL_CLUSTERS } from "../../aws/rds-lists.js";
import { ops } from "../../aws/services.js";
import { type GlobalCluster } from "@aws-sdk/client-rds";
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

const idOf = (arn: string) => arn.split(":").at(-1) ?? arn;

/**
 * A secondary cluster of an Aurora global database: its member synchronisation status, and how
 * far behind it is by AuroraGlobalDBRPOLag (AuroraGlobalDBReplicationLag where the RPO lag is not
 * published), read in the secondary's region.
 */
function secondary(
  primary: PrimaryStore,
  global: GlobalCluster,
  memberArn: string,
  sync: string | undefined,
): Protection {
  const region = parseArn(memberArn).region;
  const id = idOf(memberArn);
  return {
    kind: "aurora-global",
    primary,
    standbyArn: memberArn,
    standbyRegion: region,
    async measure(ctx): Promise<Measurement> {
      const measuredBy = `CloudWatch AWS/RDS AuroraGlobalDBRPOLag of ${id} (worst of ${formatDuration(ctx.windowSeconds)})`;
      const evidence = [
        { what: "global database", value: global.GlobalClusterIdentifier ?? "?" },
        { what: `synchronisation of ${id}`, value: sync ?? "(not reported)" },
      ];
      if (sync && sync !== "connected")
        return {
          measuredBy,
          evidence,
          broken: {
            reason: `the secondary cluster ${id} is ${sync}, not connected to the primary`,
            fix: "Wait for it to resynchronise (pending-resync) or look at the global database's events; a switchover now would lose data.",
          },
        };
      const read = (metric: string) =>
        ctx.metrics.read({
          region,
          namespace: "AWS/RDS",
          metric,
          dimensions: { DBClusterIdentifier: id },
          stat: "Maximum",
          periodSeconds: 60,
        });
      const rpoLag = worst(await read("AuroraGlobalDBRPOLag"));
      const lag = rpoLag ?? worst(await read("AuroraGlobalDBReplicationLag"));
      if (lag === undefined)
        return {
          measuredBy,
          evidence,
          unknown: {
            reason: `neither AuroraGlobalDBRPOLag nor AuroraGlobalDBReplicationLag has a data point for ${id} in the last ${formatDuration(ctx.windowSeconds)}`,
            fix: "Aurora publishes these for the secondary clusters of a global database: check the region and the cluster's engine version.",
          },
        };
      return {
        exposureSeconds: lag / 1000,
        resolutionSeconds: 60,
        measuredBy:
          rpoLag === undefined
            ? measuredBy.replace("AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag")
            : measuredBy,
        evidence: [
          ...evidence,
          {
            what: `${rpoLag === undefined ? "AuroraGlobalDBReplicationLag" : "AuroraGlobalDBRPOLag"}, worst of the window`,
            value: `${lag} ms`,
          },
        ],
      };
    },
  };
}

/** The Aurora clusters of the primary regions that replicate from none. */
async function primaryClusters(ctx: FreshnessContext): Promise<PrimaryStore[]> {
  const stores: PrimaryStore[] = [];
  for (const region of ctx.primaryRegions)
    for (const c of (await ctx.region(region).list(DB_CLUSTERS)).values()) {
      // A cluster that replicates from another is a copy, not a store of its own.
      if (c.ReplicationSourceIdentifier || !c.Engine?.startsWith("aurora")) continue;
      stores.push({ type: "aurora", arn: c.DBClusterArn ?? "", name: c.DBClusterIdentifier ?? "", region });
    }
  return stores;
}

/** The global databases whose writer is one of `stores`. */
async function globalsOf(
  ctx: FreshnessContext,
  stores: PrimaryStore[],
): Promise<{ g: GlobalCluster; primary: PrimaryStore }[]> {
  const [first] = ctx.primaryRegions;
  if (stores.length === 0 || !first) return [];
  const byArn = new Map(stores.map((s) => [s.arn, s]));
  const out: { g: GlobalCluster; primary: PrimaryStore }[] = [];
  // Global databases are listed from any region: the first primary region's list serves.
  for (const g of (await ctx.region(first).list(GLOBAL_CLUSTERS)).values()) {
    const writer = g.GlobalClusterMembers?.find((m) => m.IsWriter);
    const primary = writer?.DBClusterArn ? byArn.get(writer.DBClusterArn) : undefined;
    if (primary) out.push({ g, primary });
  }
  return out;
}

export const auroraStoreType: StoreType = {
  type: "aurora",
  title: "Aurora clusters",
  permissions: [
    ...ops("RDS", "DescribeDBClusters", "DescribeGlobalClusters"),
    ...ops("CloudWatch", "GetMetricData"),
  ],
  rules: [],
  owns: (arn) => arn.service === "rds" && arn.resourceType === "cluster",
  async standbyHints(ctx) {
    const stores = await primaryClusters(ctx);
    const hints: StandbyHint[] = [];
    for (const { g, primary } of await globalsOf(ctx, stores))
      for (const m of g.GlobalClusterMembers ?? []) {
        const region = m.DBClusterArn ? parseArn(m.DBClusterArn).region : primary.region;
        if (!m.IsWriter && region !== primary.region)
          hints.push({
            store: primary.arn,
            region,
            via: `the global database ${g.GlobalClusterIdentifier ?? ""}'s secondary ${m.DBClusterArn ?? ""}`,
          });
      }
    return hints;
  },
  async discover(ctx) {
    const stores = await primaryClusters(ctx);
    const protections: Protection[] = [];
    for (const { g, primary } of await globalsOf(ctx, stores))
      for (const m of g.GlobalClusterMembers ?? []) {
        if (m.IsWriter || !m.DBClusterArn || !ctx.standbyRegions.includes(parseArn(m.DBClusterArn).region))
          continue;
        protections.push(secondary(primary, g, m.DBClusterArn, m.SynchronizationStatus));
      }
    return { stores, protections };
  },
};
