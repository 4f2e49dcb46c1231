import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectLoadBalancer, LOAD_BALANCER_PERMISSIONS } from "./collect.js";
import type { NormalizedLoadBalancer } from "./normalize.js";
import { loadBalancerRules } from "./rules.js";

export const loadBalancerCollector: Collector<NormalizedLoadBalancer> = {
  type: "load-balancer",
  collect: (side) => collectLoadBalancer(side.cache, side.lb),
};

export const loadBalancerModule: ResourceModule<NormalizedLoadBalancer> = {
  type: "load-balancer",
  title: "Load balancer",
  permissions: LOAD_BALANCER_PERMISSIONS,
  rules: loadBalancerRules,
  twins: oneTwin(loadBalancerCollector),
};
