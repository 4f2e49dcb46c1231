import type { StoreType } from "./type.js";
import { auroraStoreType } from "./aurora/index.js";
import { backupStoreType } from "./backup/index.js";
import { dynamodbStoreType } from "./dynamodb/index.js";
import { efsStoreType } from "./efs/index.js";
import { elasticacheStoreType } from "./elasticache/index.js";
import { imagesStoreType } from "./images/index.js";
import { rdsStoreType } from "./rds/index.js";
import { s3StoreType } from "./s3/index.js";

/** Every data-store type freshness measures; adding one is a folder and a line here. */
export const STORE_TYPES: readonly StoreType[] = [
  rdsStoreType,
  auroraStoreType,
  dynamodbStoreType,
  s3StoreType,
  efsStoreType,
  elasticacheStoreType,
  imagesStoreType,
  backupStoreType,
];
