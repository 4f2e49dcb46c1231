/**
 * The MSK (Kafka) cluster as a readiness type: a primary cluster and its standby in another
 * region, compared by version, brokers, storage, zones, encryption, authentication and
 * monitoring, never by ARNs, names, subnets or log groups.
 */
import type { Cluster } from "@aws-sdk/client-kafka";
import type { ResourceType } from "../module.js";
import { mskClusterModule } from "./index.js";
import { mskClusterPairing } from "./pairing.js";

export const mskClusterType = {
  pairing: mskClusterPairing,
  modules: [mskClusterModule],
} as unknown as ResourceType<Cluster>;
