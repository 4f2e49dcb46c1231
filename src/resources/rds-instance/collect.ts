import type { DBInstance } from "@aws-sdk/client-rds";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { SERVICE_QUOTA_PERMISSIONS } from "../../aws/service-quotas.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { optionGroup, regionInstances, userParameters } from "../rds-common/list.js";
import { normalizeDbInstance, type NormalizedDbInstance } from "./normalize.js";
import { footprintOf, instancesNamed, rdsRegionQuotas, type RdsFootprint } from "../rds-common/quota.js";

/** Tagged primaries through the tagging API; instances, parameters and options through RDS. */
export const RDS_INSTANCE_PERMISSIONS = [
  ...ops("RDS", "DescribeDBInstances", "DescribeDBParameters", "DescribeOptionGroups"),
  ...TAGGED_PERMISSIONS,
  ...SERVICE_QUOTA_PERMISSIONS,
];

/**
 * What the instance takes of the region's RDS quotas: itself and its read replicas in its region
 * (a failover brings them up in the standby too; replicas in other regions are named by ARN).
 */
async function instanceFootprint(cache: RegionCache, db: DBInstance): Promise<RdsFootprint | undefined> {
  const all = await regionInstances(cache).catch(() => undefined);
  if (!all) return undefined;
  const replicas = (db.ReadReplicaDBInstanceIdentifiers ?? []).filter((id) => !id.startsWith("arn:"));
  return footprintOf([db, ...instancesNamed(all, replicas)]);
}

/**
 * The instance's parameters set by people (one call a parameter group, shared by every instance
 * using it) and its option group (one call a group, none for a default group); the description itself was listed.
 * On the standby, the region's DB instance and storage quotas too (two reads a region).
 */
export async function collectDbInstance(
  cache: RegionCache,
  db: DBInstance,
  role: "primary" | "standby",
): Promise<NormalizedDbInstance> {
  const groups = (db.DBParameterGroups ?? []).flatMap((g) =>
    g.DBParameterGroupName ? [g.DBParameterGroupName] : [],
  );
  const optionGroupName = db.OptionGroupMemberships?.[0]?.OptionGroupName;
  const [sets, options, footprint, regionQuotas] = await Promise.all([
    Promise.all(groups.map((g) => userParameters(cache, g))),
    optionGroupName ? optionGroup(cache, optionGroupName) : undefined,
    instanceFootprint(cache, db),
    role === "standby" ? rdsRegionQuotas(cache) : undefined,
  ]);
  return {
    ...normalizeDbInstance(db, Object.assign({}, ...sets) as Record<string, string>, options),
    ...(footprint ? { footprint } : {}),
    ...(regionQuotas ? { regionQuotas } : {}),
  };
}
