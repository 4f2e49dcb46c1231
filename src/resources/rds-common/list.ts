/**
 * What the RDS instance and cluster types read of RDS alike: every DB instance of a region, listed
 * once per run; the parameters people set in a DB or DB cluster parameter group and the options of
 * an option group, each read once per group and shared by every database that uses it.
 */
import {
  DescribeOptionGroupsCommand,
  paginateDescribeDBClusterParameters,
  paginateDescribeDBParameters,
  RDSClient,
  type DBInstance,
  type OptionGroup,
  type Parameter,
} from "@aws-sdk/client-rds";
import { mapAwsError } from "../../aws/errors.js";
import { DB_INSTANCES } from "../../aws/rds-lists.js";
import { pairingCacheOf, type RegionCache } from "../../aws/region-cache.js";

/**
 * An option group by name, read once per run and region and shared by every instance using it.
 * A default option group (default:engine-version) has no options and cannot be given any, so it
 * is not read at all.
 */
export function optionGroup(cache: RegionCache, name: string): Promise<OptionGroup | undefined> {
  if (name.startsWith("default:")) return Promise.resolve(undefined);
  return cache.once(`rds-option-group:${name}`, async () => {
    try {
      const out = await cache
        .client(RDSClient)
        .send(new DescribeOptionGroupsCommand({ OptionGroupName: name }));
      return out.OptionGroupsList?.[0];
    } catch (err) {
      throw mapAwsError(err, cache.site("RDS", "DescribeOptionGroups"));
    }
  });
}

/**
 * The parameters set by people in a DB (or DB cluster) parameter group (Source=user: the engine's
 * defaults are the same in every region and would only hide what was changed), name -> value,
 * read once per group and run.
 */
export function userParameters(
  cache: RegionCache,
  group: string,
  of: "instance" | "cluster" = "instance",
): Promise<Record<string, string>> {
  // A default group (default.postgres15, default.aurora-postgresql15) cannot be modified: nobody set anything in it.
  if (group.startsWith("default.")) return Promise.resolve({});
  const operation = of === "cluster" ? "DescribeDBClusterParameters" : "DescribeDBParameters";
  return cache.once(`rds-${of}-parameters:${group}`, async () => {
    const out: Record<string, string> = {};
    const config = { client: cache.client(RDSClient), pageSize: 100 };
    try {
      const pages =
        of === "cluster"
          ? paginateDescribeDBClusterParameters(config, {
              DBClusterParameterGroupName: group,
              Source: "user",
            })
          : paginateDescribeDBParameters(config, { DBParameterGroupName: group, Source: "user" });
      for await (const page of pages) addParameters(out, page.Parameters);
    } catch (err) {
      throw mapAwsError(err, cache.site("RDS", operation));
    }
    return out;
  });
}

/** Adds each named parameter with a value (a parameter listed without one is at its default). */
export function addParameters(
  out: Record<string, string>,
  parameters: readonly Parameter[] | undefined,
): void {
  for (const p of parameters ?? [])
    if (p.ParameterName && p.ParameterValue !== undefined) out[p.ParameterName] = p.ParameterValue;
}

/**
 * The region's DB instances for a comparison: the listing pairing already made with these clients
 * when it made one (a scan lists each region once), else read through the comparison's cache.
 */
export function regionInstances(cache: RegionCache): Promise<ReadonlyMap<string, DBInstance>> {
  return (pairingCacheOf(cache) ?? cache).list(DB_INSTANCES);
}
