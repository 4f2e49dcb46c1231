import type { DBCluster } from "@aws-sdk/client-rds";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectDbCluster, RDS_CLUSTER_PERMISSIONS } from "./collect.js";
import type { NormalizedDbCluster } from "./normalize.js";
import { rdsClusterRules } from "./rules.js";

export const rdsClusterCollector: Collector<NormalizedDbCluster, DBCluster> = {
  type: "rds-cluster",
  collect: (side) => collectDbCluster(side.cache, side.anchor, side.role),
};

export const rdsClusterModule: ResourceModule<NormalizedDbCluster, DBCluster> = {
  type: "rds-cluster",
  title: "DB cluster",
  permissions: RDS_CLUSTER_PERMISSIONS,
  rules: rdsClusterRules,
  twins: oneTwin(rdsClusterCollector),
};
