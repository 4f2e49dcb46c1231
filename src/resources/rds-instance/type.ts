/** The RDS DB instance as a readiness type: a primary and its standby instance in another region. */
import type { DBInstance } from "@aws-sdk/client-rds";
import type { ResourceType } from "../module.js";
import { rdsInstanceModule } from "./index.js";
import { rdsInstancePairing } from "./pairing.js";

export const rdsInstanceType = {
  pairing: rdsInstancePairing,
  modules: [rdsInstanceModule],
  // Its quota checks read region-wide usage that other resources change.
  readsState: true,
} as unknown as ResourceType<DBInstance>;
