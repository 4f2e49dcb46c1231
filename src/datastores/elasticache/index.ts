import { ops } from "../../aws/services.js";
import {
  DescribeGlobalReplicationGroupsCommand,
  ElastiCacheClient,
  paginateDescribeReplicationGroups,
  type GlobalReplicationGroup,
  type GlobalReplicationGroupMember,
  type ReplicationGroup,
} from "@aws-sdk/client-elasticache";
import { mapAwsError } from "../../aws/errors.js";
import { worst } from "../../aws/metrics.js";
import type {
  FreshnessContext,
  Measurement,
  PrimaryStore,
  Protection,
  StandbyHint,
  StoreType,
} from "../type.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { formatDuration } from "../../util/duration.js";

export const REPLICATION_GROUPS: RegionList<ReplicationGroup> = {
  name: "elasticache-replication-groups",
  service: "ElastiCache",
  operation: "DescribeReplicationGroups",
  async *pages(cache) {
    for await (const page of paginateDescribeReplicationGroups(
      { client: cache.client(ElastiCacheClient) },
      {},
    ))
      yield page.ReplicationGroups ?? [];
  },
  key: (g) => g.ReplicationGroupId ?? "",
};

function globalGroup(cache: RegionCache, id: string): Promise<GlobalReplicationGroup | undefined> {
  return cache.once(`elasticache-global:${id}`, async () => {
    try {
      const out = await cache
        .client(ElastiCacheClient)
        .send(
          new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }),
        );
      return out.GlobalReplicationGroups?.[0];
    } catch (err) {
      throw mapAwsError(err, cache.site("ElastiCache", "DescribeGlobalReplicationGroups"));
    }
  });
}

export const elasticacheStoreType: StoreType = {
  type: "elasticache",
  title: "ElastiCache replication groups",
  permissions: [
    ...ops("ElastiCache", "DescribeReplicationGroups", "DescribeGlobalReplicationGroups"),
    ...ops("CloudWatch", "GetMetricData"),
  ],
  rules: [],
  owns: (arn) => arn.service === "elasticache" && arn.resourceType === "replicationgroup",
  async standbyHints(ctx) {
    const hints: StandbyHint[] = [];
    for (const region of ctx.primaryRegions)
      for (const g of (await ctx.region(region).list(REPLICATION_GROUPS)).values()) {
        const info = g.GlobalReplicationGroupInfo;
        if (!info?.GlobalReplicationGroupId || info.GlobalReplicationGroupMemberRole === "SECONDARY")
          continue;
        const global = await globalGroup(ctx.region(region), info.GlobalReplicationGroupId);
        for (const m of global?.Members ?? [])
          if (m.Role === "SECONDARY" && m.ReplicationGroupRegion && m.ReplicationGroupRegion !== region)
            hints.push({
              store: g.ARN ?? "",
              region: m.ReplicationGroupRegion,
              via: `the global datastore ${info.GlobalReplicationGroupId}'s secondary ${m.ReplicationGroupId ?? ""}`,
            });
      }
    return hints;
  },
  async discover(ctx) {
    const stores: PrimaryStore[] = [];
    const protections: Protection[] = [];
    for (const region of ctx.primaryRegions)
      for (const g of (await ctx.region(region).list(REPLICATION_GROUPS)).values()) {
        const info = g.GlobalReplicationGroupInfo;
        // A secondary of a global datastore is a copy, not a store of its own.
        if (info?.GlobalReplicationGroupMemberRole === "SECONDARY") continue;
        const store: PrimaryStore = {
          type: "elasticache",
          arn: g.ARN ?? "",
          name: g.ReplicationGroupId ?? "",
          region,
        };
        stores.push(store);
        if (!info?.GlobalReplicationGroupId) continue;
        const global = await globalGroup(ctx.region(region), info.GlobalReplicationGroupId);
        for (const m of global?.Members ?? []) {
          if (
            m.Role !== "SECONDARY" ||
            !m.ReplicationGroupRegion ||
            !ctx.standbyRegions.includes(m.ReplicationGroupRegion)
          )
            continue;
          const standbyRegion = m.ReplicationGroupRegion;
          const secondaryId = m.ReplicationGroupId ?? "";
          protections.push({
            kind: "elasticache-global-datastore",
            primary: store,
            standbyArn: `arn:aws:elasticache:${standbyRegion}:${store.arn.split(":")[4] ?? ""}:replicationgroup:${secondaryId}`,
            standbyRegion,
            measure: (c) => measureGlobalMember(c, global, m),
          });
        }
      }
    return { stores, protections };
  },
};

/** How far a global datastore's secondary is behind: GlobalDatastoreReplicationLag of its primary node. */
async function measureGlobalMember(
  c: FreshnessContext,
  global: GlobalReplicationGroup | undefined,
  m: GlobalReplicationGroupMember,
): Promise<Measurement> {
  const standbyRegion = m.ReplicationGroupRegion ?? "";
  const secondaryId = m.ReplicationGroupId ?? "";
  const measuredBy = `CloudWatch AWS/ElastiCache GlobalDatastoreReplicationLag of ${secondaryId} (worst of ${formatDuration(c.windowSeconds)})`;
  const evidence = [
    { what: "global datastore", value: global?.GlobalReplicationGroupId ?? "?" },
    { what: `member ${secondaryId}`, value: m.Status ?? "?" },
  ];
  if (m.Status !== "associated")
    return {
      measuredBy,
      evidence,
      broken: {
        reason: `the secondary ${secondaryId} of the global datastore is ${m.Status ?? "?"}, not associated`,
        fix: "Associate the secondary cluster with the global datastore again (or recreate it).",
      },
    };
  // Published by the secondary's primary node: the replication group's node group id.
  const standbyGroup = (await c.region(standbyRegion).list(REPLICATION_GROUPS)).get(secondaryId);
  const node = standbyGroup?.NodeGroups?.[0]?.NodeGroupMembers?.find(
    (n) => n.CurrentRole === "primary",
  )?.CacheClusterId;
  const lag = node
    ? worst(
        await c.metrics.read({
          region: standbyRegion,
          namespace: "AWS/ElastiCache",
          metric: "GlobalDatastoreReplicationLag",
          dimensions: { CacheClusterId: node },
          stat: "Maximum",
          periodSeconds: 60,
        }),
      )
    : undefined;
  if (lag === undefined)
    return {
      measuredBy,
      evidence,
      unknown: {
        reason: `no GlobalDatastoreReplicationLag data point for ${secondaryId} in the last ${formatDuration(c.windowSeconds)}`,
        fix: "ElastiCache publishes it from the secondary's primary node: check the secondary's nodes in its region.",
      },
    };
  return {
    exposureSeconds: lag,
    resolutionSeconds: 60,
    measuredBy,
    evidence: [
      ...evidence,
      { what: "GlobalDatastoreReplicationLag, worst of the window", value: `${lag} s` },
    ],
  };
}
