/**
 * What the cluster type reads of RDS: every DB cluster and every Aurora global database, listed
 * once per region and run, and the parameters people set in a cluster parameter group, read once
 * per group.
 */
import {
  paginateDescribeDBClusterParameters,
  paginateDescribeDBClusters,
  paginateDescribeGlobalClusters,
  RDSClient,
  type DBCluster,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";
import { addParameters } from "../rds-instance/list.js";

/** Every DB cluster of the region by ARN, 100 a page. */
export const DB_CLUSTERS: RegionList<DBCluster> = {
  name: "rds-clusters",
  service: "RDS",
  operation: "DescribeDBClusters",
  async *pages(cache) {
    for await (const page of paginateDescribeDBClusters(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.DBClusters ?? [];
  },
  key: (c) => c.DBClusterArn ?? "",
};

/** Every Aurora global database of the account (any region's endpoint lists them all). */
export const GLOBAL_CLUSTERS: RegionList<GlobalCluster> = {
  name: "rds-global-clusters",
  service: "RDS",
  operation: "DescribeGlobalClusters",
  async *pages(cache) {
    for await (const page of paginateDescribeGlobalClusters(
      { client: cache.client(RDSClient), pageSize: 100 },
      {},
    ))
      yield page.GlobalClusters ?? [];
  },
  key: (g) => g.GlobalClusterArn ?? g.GlobalClusterIdentifier ?? "",
};

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
