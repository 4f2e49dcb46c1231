import type { DBInstance } from "@aws-sdk/client-rds";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectDbInstance, RDS_INSTANCE_PERMISSIONS } from "./collect.js";
import type { NormalizedDbInstance } from "./normalize.js";
import { rdsInstanceRules } from "./rules.js";

export const rdsInstanceCollector: Collector<NormalizedDbInstance, DBInstance> = {
  type: "rds-instance",
  collect: (side) => collectDbInstance(side.cache, side.anchor, side.role),
};

export const rdsInstanceModule: ResourceModule<NormalizedDbInstance, DBInstance> = {
  type: "rds-instance",
  title: "DB instance",
  permissions: RDS_INSTANCE_PERMISSIONS,
  rules: rdsInstanceRules,
  twins: oneTwin(rdsInstanceCollector),
};
