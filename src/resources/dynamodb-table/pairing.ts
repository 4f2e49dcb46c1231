/**
 * How DynamoDB tables pair: tagged primaries through the tagging API, tables described by ARN one
 * call each (DescribeTable has no batch form), and a global table (version 2019.11.21) paired
 * with its replica in another region as DescribeTable records it, tags or not.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  paginateListTables,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError } from "../../aws/errors.js";
import type { PairKind, Recorded } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";

/** Whether an ARN names a table (not one of its streams, indexes, exports or backups). */
export function ownsTable(arn: Arn): boolean {
  return arn.service === "dynamodb" && arn.resourceType === "table" && !arn.resourceId.includes("/");
}

async function describeOne(aws: AwsClients, arn: Arn): Promise<TableDescription | Error> {
  const site = { service: "DynamoDB", operation: "DescribeTable", region: arn.region, account: arn.account };
  try {
    const out = await aws
      .get(DynamoDBClient, arn.region, arn.account)
      .send(new DescribeTableCommand({ TableName: arn.resourceId }));
    return out.Table ?? new Error(`DescribeTable returned no table for ${formatArn(arn)}`);
  } catch (err) {
    return mapAwsError(err, site);
  }
}

/** Tables by ARN, each in its own region and account, one DescribeTable each. */
async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, TableDescription | Error>> {
  const read = await Promise.all(
    arns.map(async (arn) => [formatArn(arn), await describeOne(aws, arn)] as const),
  );
  return new Map(read);
}

/**
 * The replicas a global table (2019.11.21) records, as pairs: the table in the primary region and
 * the same table in the first replica region that is not itself a primary region (a replica in
 * another primary region is that region's own primary, not a standby).
 */
export function replicaPairs(
  table: TableDescription,
  region: string,
  primaryRegions: readonly string[],
): Recorded[] {
  if (table.GlobalTableVersion !== "2019.11.21" || !table.TableArn) return [];
  const standbyRegion = (table.Replicas ?? [])
    .map((r) => r.RegionName ?? "")
    .filter((r) => r !== "" && r !== region && !primaryRegions.includes(r))
    .sort()[0];
  if (!standbyRegion) return [];
  return [
    {
      primaryArn: table.TableArn,
      standbyArn: table.TableArn.replace(`:dynamodb:${region}:`, `:dynamodb:${standbyRegion}:`),
      via: `the global table's replica in ${standbyRegion}`,
    },
  ];
}

async function recordedIn(aws: AwsClients, region: string, primaryRegions: readonly string[]) {
  const client = aws.get(DynamoDBClient, region);
  const out: Recorded[] = [];
  try {
    for await (const page of paginateListTables({ client, pageSize: 100 }, {})) {
      const tables = await Promise.all(
        (page.TableNames ?? []).map((name) => client.send(new DescribeTableCommand({ TableName: name }))),
      );
      for (const t of tables) if (t.Table) out.push(...replicaPairs(t.Table, region, primaryRegions));
    }
  } catch (err) {
    throw mapAwsError(err, { service: "DynamoDB", operation: "ListTables/DescribeTable", region });
  }
  return out;
}

/**
 * A region whose tables cannot be listed records no pair here: its tagged listing fails alike and
 * is reported there as unreadable, and one failed read must not end the whole scan.
 */
async function recorded(aws: AwsClients, primaryRegions: readonly string[]): Promise<Recorded[]> {
  const perRegion = await Promise.all(
    primaryRegions.map((r) => recordedIn(aws, r, primaryRegions).catch((): Recorded[] => [])),
  );
  return perRegion.flat();
}

const kind = {
  title: "DynamoDB table",
  owns: ownsTable,
  describe,
  nameOf: (t: TableDescription) => t.TableName ?? "",
};

export const dynamodbTablePairing: PairKind<TableDescription> = {
  type: "dynamodb-table",
  ...kind,
  tagged: taggedThroughTaggingApi(kind),
  recorded,
};
