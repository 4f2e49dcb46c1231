/**
 * What the cluster type reads of RDS: every DB cluster and every Aurora global database, listed
 * once per region and run, and the parameters people set in a cluster parameter group, read once
 * per group.
 */
import { paginateDescribeDBClusterParameters, RDSClient } from "@aws-sdk/client-rds";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { addParameters } from "../rds-common/list.js";

/** The parameters set by people in a DB cluster parameter group (Source=user), name -> value. */
export function userClusterParameters(cache: RegionCache, group: string): Promise<Record<string, string>> {
  // A default group (default.aurora-postgresql15) cannot be modified: nobody set anything in it.
  if (group.startsWith("default.")) return Promise.resolve({});
  return cache.once(`rds-cluster-parameters:${group}`, async () => {
    const out: Record<string, string> = {};
    try {
      for await (const page of paginateDescribeDBClusterParameters(
        { client: cache.client(RDSClient), pageSize: 100 },
        { DBClusterParameterGroupName: group, Source: "user" },
      ))
        addParameters(out, page.Parameters);
    } catch (err) {
      throw mapAwsError(err, cache.site("RDS", "DescribeDBClusterParameters"));
    }
    return out;
  });
}
