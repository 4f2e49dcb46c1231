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
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { PairKind, Recorded } from "../../pairs/kind.js";
import { recordedPerRegion } from "../../pairs/recorded.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { ownsTable } from "../owns.js";

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

/** The tables of `region` that `declared` (ARNs found by tag or in drctl.yaml) already names. */
function declaredNames(declared: ReadonlySet<string>, region: string): Set<string> {
  const names = new Set<string>();
  for (const arn of declared) {
    const m = /^arn:[^:]+:dynamodb:([^:]+):[^:]*:table\/([^/]+)$/.exec(arn);
    if (m && m[1] === region && m[2]) names.add(m[2]);
  }
  return names;
}

/** A table's description; a table deleted since it was listed is none. */
async function describeListed(client: DynamoDBClient, region: string, TableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName }))).Table;
  } catch (err) {
    const mapped = mapAwsError(err, { service: "DynamoDB", operation: "DescribeTable", region });
    if (mapped instanceof NotFoundError) return undefined;
    throw mapped;
  }
}

async function tableNames(client: DynamoDBClient, region: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListTables({ client, pageSize: 100 }, {}))
      names.push(...(page.TableNames ?? []));
  } catch (err) {
    throw mapAwsError(err, { service: "DynamoDB", operation: "ListTables", region });
  }
  return names;
}

/**
 * The replica pairs of a region's global tables. Tables already declared are not described again
 * (their tag or drctl.yaml entry says more than the replica does); the primaries found keep their
 * description, so pairing does not read them twice.
 */
async function recordedIn(
  aws: AwsClients,
  region: string,
  primaryRegions: readonly string[],
  declared: ReadonlySet<string>,
): Promise<Recorded<TableDescription>[]> {
  const client = aws.get(DynamoDBClient, region);
  const skip = declaredNames(declared, region);
  const names = (await tableNames(client, region)).filter((name) => !skip.has(name));
  const tables = await Promise.all(names.map((name) => describeListed(client, region, name)));
  return tables.flatMap((t) =>
    t ? replicaPairs(t, region, primaryRegions).map((r) => ({ ...r, primary: t })) : [],
  );
}

/** Each primary region's global tables; a region whose tables cannot be read is a finding. */
const recorded: PairKind<TableDescription>["recorded"] = (aws, primaryRegions, declared) =>
  recordedPerRegion("DynamoDB table", primaryRegions, (region) =>
    recordedIn(aws, region, primaryRegions, declared),
  );

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

export { ownsTable };
