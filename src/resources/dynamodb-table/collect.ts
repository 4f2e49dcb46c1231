import {
  ApplicationAutoScalingClient,
  paginateDescribeScalableTargets,
  paginateDescribeScalingPolicies,
  type ScalableTarget,
  type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeContinuousBackupsCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { AccessDeniedError } from "../../aws/errors.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { normalizeTable, scalingKey, type NormalizedTable, type TableScaling } from "./normalize.js";

/**
 * Tagged primaries come from the tagging API's region-wide listing; pairing describes tables (and
 * lists them only to find the replicas global tables record); each side then reads its
 * point-in-time recovery and its time to live. Auto scaling lives in Application Auto Scaling:
 * its DynamoDB scalable targets (and, where a table has any, its scaling policies) are listed
 * once per region and shared by every table there.
 */
export const DYNAMODB_TABLE_PERMISSIONS = [
  ...TAGGED_PERMISSIONS,
  ...ops("DynamoDB", "ListTables", "DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"),
  ...ops("ApplicationAutoScaling", "DescribeScalableTargets", "DescribeScalingPolicies"),
];

/** Every DynamoDB scalable target of a region (tables and global indexes), read once per region. */
export const DYNAMODB_SCALABLE_TARGETS: RegionList<ScalableTarget> = {
  name: "dynamodb-scalable-targets",
  service: "ApplicationAutoScaling",
  operation: "DescribeScalableTargets",
  async *pages(cache) {
    const client = cache.client(ApplicationAutoScalingClient);
    for await (const page of paginateDescribeScalableTargets(
      { client, pageSize: 50 },
      { ServiceNamespace: "dynamodb" },
    ))
      yield page.ScalableTargets ?? [];
  },
  key: (t) => `${t.ResourceId ?? ""}|${t.ScalableDimension ?? ""}`,
};

/** Every DynamoDB scaling policy of a region, read once per region (10 a page, the API's most). */
export const DYNAMODB_SCALING_POLICIES: RegionList<ScalingPolicy> = {
  name: "dynamodb-scaling-policies",
  service: "ApplicationAutoScaling",
  operation: "DescribeScalingPolicies",
  async *pages(cache) {
    const client = cache.client(ApplicationAutoScalingClient);
    for await (const page of paginateDescribeScalingPolicies(
      { client, pageSize: 10 },
      { ServiceNamespace: "dynamodb" },
    ))
      yield page.ScalingPolicies ?? [];
  },
  key: (p) => p.PolicyARN ?? `${p.ResourceId ?? ""}|${p.ScalableDimension ?? ""}|${p.PolicyName ?? ""}`,
};

/**
 * The table's scalable targets; its policies are listed only when it has some (most tables have
 * none). Application Auto Scaling is another service, often left out of a read-only role: a denied
 * read is said on the table (its capacity is then not compared), and the rest of the table is still
 * compared. Any other failure (throttled to exhaustion, unreachable) leaves the table unread.
 */
async function scalingOf(cache: RegionCache, table: TableDescription): Promise<TableScaling> {
  const name = table.TableName ?? "";
  const mine = <T extends { ResourceId?: string; ScalableDimension?: string }>(items: Iterable<T>) =>
    [...items].filter((i) => scalingKey(name, i.ResourceId ?? "", i.ScalableDimension ?? "") !== undefined);
  try {
    const targets = mine((await cache.list(DYNAMODB_SCALABLE_TARGETS)).values());
    if (targets.length === 0) return { targets, policies: [] };
    return { targets, policies: mine((await cache.list(DYNAMODB_SCALING_POLICIES)).values()) };
  } catch (err) {
    if (err instanceof AccessDeniedError) return { targets: [], policies: [], unread: err.message };
    throw err;
  }
}

/**
 * Two calls per table (its continuous backups and its time to live: the description came with the
 * pair) and the region's auto scaling, listed once per region.
 */
export async function collectTable(cache: RegionCache, table: TableDescription): Promise<NormalizedTable> {
  const client = cache.client(DynamoDBClient);
  const TableName = table.TableName;
  const [backups, ttl, scaling] = await Promise.all([
    client.send(new DescribeContinuousBackupsCommand({ TableName })),
    client.send(new DescribeTimeToLiveCommand({ TableName })),
    scalingOf(cache, table),
  ]);
  return normalizeTable(table, backups.ContinuousBackupsDescription, ttl.TimeToLiveDescription, scaling);
}
