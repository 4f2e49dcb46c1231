/** The RDS DB instance as a readiness type: a primary and its standby instance in another region. */
import type { DBInstance } from "@aws-sdk/client-rds";
import type { ResourceType } from "../module.js";
import { rdsInstanceModule } from "./index.js";
import { rdsInstancePairing } from "./pairing.js";

export const rdsInstanceType = {
  pairing: rdsInstancePairing,
  modules: [rdsInstanceModule],
} as unknown as ResourceType<DBInstance>;
