/**
 * The DynamoDB table as a readiness type: a primary table and its standby (tagged, listed in
 * drctl.yaml, or the replica a global table records) compared in keys, indexes, capacity and
 * data protection.
 */
import type { TableDescription } from "@aws-sdk/client-dynamodb";
import type { ResourceType } from "../module.js";
import { dynamodbTableModule } from "./index.js";
import { dynamodbTablePairing } from "./pairing.js";

export const dynamodbTableType = {
  pairing: dynamodbTablePairing,
  modules: [dynamodbTableModule],
} as unknown as ResourceType<TableDescription>;
