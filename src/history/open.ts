import { homedir } from "node:os";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { parseStoreLocation, type StoreLocation } from "../config/store-location.js";
import type { HistoryStore } from "./types.js";

export { parseStoreLocation, type StoreLocation } from "../config/store-location.js";

/** ~/.drctl, or $DRCTL_HOME: where the embedded history, outbox and site live by default. */
export function drctlHome(): string {
  return process.env.DRCTL_HOME ?? join(homedir(), ".drctl");
}

export function defaultStoreLocation(): string {
  return join(drctlHome(), "history.sqlite");
}

/**
 * Opens the history named by `location`: a file path (SQLite), or dynamodb://TABLE?region=REGION.
 * The DynamoDB store needs the AWS clients; the SQLite one does not.
 */
export async function openStore(
  location: string | StoreLocation,
  aws: () => Promise<AwsClients>,
): Promise<HistoryStore> {
  const where = typeof location === "string" ? parseStoreLocation(location, "the store setting") : location;
  // Each store is loaded only when used: a CLI run starts without the DynamoDB client, and the
  // Lambda bundle uses DynamoDB and ships without the native module.
  if (where.kind === "dynamodb") {
    const { DynamoDbHistory } = await import("./dynamodb.js");
    return new DynamoDbHistory(await aws(), where.table, where.region);
  }
  const { SqliteHistory } = await import("./sqlite.js");
  return SqliteHistory.open(where.file);
}
