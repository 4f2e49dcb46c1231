import type { Cluster } from "@aws-sdk/client-kafka";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { normalizeMskCluster, type NormalizedMskCluster } from "./normalize.js";
import { mskClusterRules } from "./rules.js";

/** Tagged primaries through the tagging API; clusters through one region-wide ListClustersV2 listing. */
export const MSK_CLUSTER_PERMISSIONS = [...TAGGED_PERMISSIONS, ...ops("Kafka", "ListClustersV2")];

/** The cluster was described with the region's listing: no further call. */
export const mskClusterCollector: Collector<NormalizedMskCluster, Cluster> = {
  type: "msk-cluster",
  collect: (side) => Promise.resolve(normalizeMskCluster(side.anchor)),
};

export const mskClusterModule: ResourceModule<NormalizedMskCluster, Cluster> = {
  type: "msk-cluster",
  title: "MSK cluster",
  permissions: MSK_CLUSTER_PERMISSIONS,
  rules: mskClusterRules,
  twins: oneTwin(mskClusterCollector),
};
