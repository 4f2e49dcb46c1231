import type { DrctlConfig } from "../config/schema.js";
import type { StoreLocation } from "../config/store-location.js";

/**
 * The configuration with drctl's own DynamoDB table (its history, and the runbook journal beside
 * it) under freshness.ignore: drctl's record of its runs is not the application's data, and reporting it unprotected in every run
 * would only teach people to skim past "unprotected".
 */
export function ignoringOwnStore(config: DrctlConfig, location: StoreLocation): DrctlConfig {
  if (location.kind !== "dynamodb") return config;
  const own = `arn:*:dynamodb:${location.region}:*:table/${location.table}`;
  return { ...config, freshness: { ...config.freshness, ignore: [...config.freshness.ignore, own] } };
}
