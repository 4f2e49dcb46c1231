import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { drctlHome, parseStoreLocation, type StoreLocation } from "../history/open.js";
import type { Journal } from "./journal.js";

/**
 * The journal goes with the history: a DynamoDB history (dynamodb://TABLE?region=R) keeps the
 * journal in the same table, so runs started in the cloud are resumed and approved from a laptop;
 * otherwise ~/.drctl/journal.sqlite.
 */
export async function openJournal(
  storeLocation: string | StoreLocation,
  aws: () => Promise<AwsClients>,
): Promise<Journal> {
  const where =
    typeof storeLocation === "string"
      ? parseStoreLocation(storeLocation, "the store setting")
      : storeLocation;
  // Each journal is loaded only when used: a CLI run starts without the DynamoDB client, and the
  // Lambda bundle ships without the native module.
  if (where.kind === "dynamodb") {
    const { DynamoDbJournal } = await import("./journal-dynamodb.js");
    return new DynamoDbJournal(await aws(), where.table, where.region);
  }
  const { SqliteJournal } = await import("./journal-sqlite.js");
  return SqliteJournal.open(join(drctlHome(), "journal.sqlite"));
}
