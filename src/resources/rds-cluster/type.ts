/** The Aurora DB cluster as a readiness type: a primary cluster and its standby in another region. */
import type { DBCluster } from "@aws-sdk/client-rds";
import type { ResourceType } from "../module.js";
import { rdsClusterModule } from "./index.js";
import { rdsClusterPairing } from "./pairing.js";

export const rdsClusterType = {
  pairing: rdsClusterPairing,
  modules: [rdsClusterModule],
  // Its quota checks read region-wide usage that other resources change.
  readsState: true,
} as unknown as ResourceType<DBCluster>;
