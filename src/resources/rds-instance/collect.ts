import type { DBInstance } from "@aws-sdk/client-rds";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { optionGroup, userParameters } from "./list.js";
import { normalizeDbInstance, type NormalizedDbInstance } from "./normalize.js";

/** Tagged primaries through the tagging API; instances, parameters and options through RDS. */
export const RDS_INSTANCE_PERMISSIONS = [
  ...ops("RDS", "DescribeDBInstances", "DescribeDBParameters", "DescribeOptionGroups"),
  ...TAGGED_PERMISSIONS,
];

/**
 * The instance's parameters set by people (one call a parameter group, shared by every instance
 * using it) and its option group (one call a group, none for a default group); the description itself was listed.
 */
export async function collectDbInstance(cache: RegionCache, db: DBInstance): Promise<NormalizedDbInstance> {
  const groups = (db.DBParameterGroups ?? []).flatMap((g) =>
    g.DBParameterGroupName ? [g.DBParameterGroupName] : [],
  );
  const optionGroupName = db.OptionGroupMemberships?.[0]?.OptionGroupName;
  const [sets, options] = await Promise.all([
    Promise.all(groups.map((g) => userParameters(cache, g))),
    optionGroupName ? optionGroup(cache, optionGroupName) : undefined,
  ]);
  return normalizeDbInstance(db, Object.assign({}, ...sets) as Record<string, string>, options);
}
