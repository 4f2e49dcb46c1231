import type { DBCluster } from "@aws-sdk/client-rds";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { DB_INSTANCES, GLOBAL_CLUSTERS } from "../../aws/rds-lists.js";
import { userClusterParameters } from "./list.js";
import { normalizeDbCluster, type NormalizedDbCluster } from "./normalize.js";

/** Tagged primaries through the tagging API; clusters, members, global databases and parameters through RDS. */
export const RDS_CLUSTER_PERMISSIONS = [
  ...ops(
    "RDS",
    "DescribeDBClusters",
    "DescribeDBInstances",
    "DescribeGlobalClusters",
    "DescribeDBClusterParameters",
  ),
  ...TAGGED_PERMISSIONS,
];

/**
 * The cluster's members' classes and its global database (from the region's lists, read once a
 * run) and its cluster parameters set by people (one call a group, shared by the clusters using it).
 */
export async function collectDbCluster(cache: RegionCache, cluster: DBCluster): Promise<NormalizedDbCluster> {
  const group = cluster.DBClusterParameterGroup;
  const [instances, globals, parameters] = await Promise.all([
    cache.list(DB_INSTANCES),
    cache.list(GLOBAL_CLUSTERS),
    group ? userClusterParameters(cache, group) : {},
  ]);
  return normalizeDbCluster(cluster, [...instances.values()], parameters, globals.values());
}
