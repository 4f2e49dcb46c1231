import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { collectLoadBalancer, LOAD_BALANCER_PERMISSIONS } from "./collect.js";
import type { NormalizedLoadBalancer } from "./normalize.js";
import { loadBalancerRules } from "./rules.js";

export const loadBalancerCollector: Collector<NormalizedLoadBalancer, LoadBalancer> = {
  type: "load-balancer",
  collect: (side) => collectLoadBalancer(side.cache, side.anchor),
};

export const loadBalancerModule: ResourceModule<NormalizedLoadBalancer, LoadBalancer> = {
  type: "load-balancer",
  title: "Load balancer",
  permissions: LOAD_BALANCER_PERMISSIONS,
  rules: loadBalancerRules,
  twins: oneTwin(loadBalancerCollector),
};
