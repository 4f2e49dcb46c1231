import { homedir } from "node:os";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { InputError } from "../errors.js";
import { DynamoDbHistory } from "./dynamodb.js";
import type { HistoryStore } from "./types.js";

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
export async function openStore(location: string, aws: () => Promise<AwsClients>): Promise<HistoryStore> {
  if (location.startsWith("dynamodb://")) {
    const url = new URL(location);
    const table = url.hostname || url.pathname.replace(/^\/+/, "");
    const region = url.searchParams.get("region");
    if (!table || !region)
      throw new InputError(`store ${JSON.stringify(location)}: expected dynamodb://TABLE?region=REGION`);
    return new DynamoDbHistory(await aws(), table, region);
  }
  // Loaded only when used: the Lambda bundle uses DynamoDB and ships without the native module.
  const { SqliteHistory } = await import("./sqlite.js");
  return SqliteHistory.open(location);
}
