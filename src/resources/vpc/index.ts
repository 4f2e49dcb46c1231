import type { Vpc } from "@aws-sdk/client-ec2";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectVpc, VPC_PERMISSIONS } from "./collect.js";
import type { NormalizedVpc } from "./normalize.js";
import { vpcRules } from "./rules.js";

export const vpcCollector: Collector<NormalizedVpc, Vpc> = {
  type: "vpc",
  collect: (side) => collectVpc(side.cache, side.anchor, side.role),
};

export const vpcModule: ResourceModule<NormalizedVpc, Vpc> = {
  type: "vpc",
  title: "VPC",
  permissions: VPC_PERMISSIONS,
  rules: vpcRules,
  twins: oneTwin(vpcCollector),
};
