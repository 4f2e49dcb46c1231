import {
  DescribeContinuousBackupsCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { normalizeTable, type NormalizedTable } from "./normalize.js";

/**
 * Tagged primaries come from the tagging API's region-wide listing; pairing describes tables (and
 * lists them only to find the replicas global tables record); each side then reads its
 * point-in-time recovery and its time to live. Auto scaling of provisioned capacity lives in
 * Application Auto Scaling, which drctl does not read.
 */
export const DYNAMODB_TABLE_PERMISSIONS = [
  ...TAGGED_PERMISSIONS,
  ...ops("DynamoDB", "ListTables", "DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive"),
];

/** Two calls per table: its continuous backups and its time to live (the description came with the pair). */
export async function collectTable(cache: RegionCache, table: TableDescription): Promise<NormalizedTable> {
  const client = cache.client(DynamoDBClient);
  const TableName = table.TableName;
  const [backups, ttl] = await Promise.all([
    client.send(new DescribeContinuousBackupsCommand({ TableName })),
    client.send(new DescribeTimeToLiveCommand({ TableName })),
  ]);
  return normalizeTable(table, backups.ContinuousBackupsDescription, ttl.TimeToLiveDescription);
}
