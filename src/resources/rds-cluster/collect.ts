import type { DBCluster } from "@aws-sdk/client-rds";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { GLOBAL_CLUSTERS } from "../../aws/rds-lists.js";
import { SERVICE_QUOTA_PERMISSIONS } from "../../aws/service-quotas.js";
import { footprintOf, instancesNamed, rdsRegionQuotas } from "../rds-common/quota.js";
import { regionInstances, userParameters } from "../rds-common/list.js";
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
  ...SERVICE_QUOTA_PERMISSIONS,
];

/**
 * The cluster's members' classes and its global database (from the region's lists, read once a
 * run) and its cluster parameters set by people (one call a group, shared by the clusters using it).
 * What its members take of the region's RDS quotas and, on the standby, the region's quotas
 * (two reads a region).
 */
export async function collectDbCluster(
  cache: RegionCache,
  cluster: DBCluster,
  role: "primary" | "standby",
): Promise<NormalizedDbCluster> {
  const group = cluster.DBClusterParameterGroup;
  const [instances, globals, parameters, regionQuotas] = await Promise.all([
    regionInstances(cache),
    cache.list(GLOBAL_CLUSTERS),
    group ? userParameters(cache, group, "cluster") : {},
    role === "standby" ? rdsRegionQuotas(cache) : undefined,
  ]);
  const members = (cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier ?? "");
  return {
    ...normalizeDbCluster(cluster, [...instances.values()], parameters, globals.values()),
    footprint: footprintOf(instancesNamed(instances, members)),
    ...(regionQuotas ? { regionQuotas } : {}),
  };
}
