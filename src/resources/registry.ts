import type { ResourceModule } from "./module.js";
import { certificateModule } from "./certificate/index.js";
import { listenerModule } from "./listener/index.js";
import { loadBalancerModule } from "./load-balancer/index.js";
import { route53Module } from "./route53/index.js";
import { securityGroupModule } from "./security-group/index.js";
import { targetGroupModule } from "./target-group/index.js";

/** Every resource type the scan compares; adding one is a folder and a line here. */
export const RESOURCE_MODULES: readonly ResourceModule<never>[] = [
  loadBalancerModule,
  listenerModule,
  targetGroupModule,
  securityGroupModule,
  certificateModule,
  route53Module,
] as unknown as readonly ResourceModule<never>[];
