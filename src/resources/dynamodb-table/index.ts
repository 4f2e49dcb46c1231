import type { TableDescription } from "@aws-sdk/client-dynamodb";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectTable, DYNAMODB_TABLE_PERMISSIONS } from "./collect.js";
import type { NormalizedTable } from "./normalize.js";
import { dynamodbTableRules } from "./rules.js";

export const dynamodbTableCollector: Collector<NormalizedTable, TableDescription> = {
  type: "dynamodb-table",
  collect: (side) => collectTable(side.cache, side.anchor),
};

export const dynamodbTableModule: ResourceModule<NormalizedTable, TableDescription> = {
  type: "dynamodb-table",
  title: "DynamoDB table",
  permissions: DYNAMODB_TABLE_PERMISSIONS,
  rules: dynamodbTableRules,
  twins: oneTwin(dynamodbTableCollector),
};
