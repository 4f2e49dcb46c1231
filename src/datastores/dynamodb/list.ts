import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  paginateListTables,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";

/** A table and whether point-in-time recovery is on. */
export interface Table {
  description: TableDescription;
  pointInTimeRecovery: boolean;
}

/**
 * Every table of the region by name: listed 100 a page, then described one by one (with its
 * point-in-time recovery status), as the API has no batch form of either.
 */
export const TABLES: RegionList<Table> = {
  name: "dynamodb-tables",
  service: "DynamoDB",
  operation: "ListTables/DescribeTable/DescribeContinuousBackups",
  async *pages(cache: RegionCache) {
    const client = cache.client(DynamoDBClient);
    for await (const page of paginateListTables({ client, pageSize: 100 }, {}))
      yield await Promise.all(
        (page.TableNames ?? []).map(async (name) => {
          const [table, backups] = await Promise.all([
            client.send(new DescribeTableCommand({ TableName: name })),
            client.send(new DescribeContinuousBackupsCommand({ TableName: name })).catch((err: unknown) => {
              throw mapAwsError(err, cache.site("DynamoDB", `DescribeContinuousBackups of ${name}`));
            }),
          ]);
          return {
            description: table.Table ?? { TableName: name },
            pointInTimeRecovery:
              backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
                ?.PointInTimeRecoveryStatus === "ENABLED",
          };
        }),
      );
  },
  key: (t) => t.description.TableName ?? "",
};
