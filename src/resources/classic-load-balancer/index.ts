import type { LoadBalancerDescription } from "@aws-sdk/client-elastic-load-balancing";
import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { CLASSIC_LOAD_BALANCER_PERMISSIONS, collectClassicLoadBalancer } from "./collect.js";
import type { NormalizedClassicLoadBalancer } from "./normalize.js";
import { classicLoadBalancerRules } from "./rules.js";

export const classicLoadBalancerCollector: Collector<NormalizedClassicLoadBalancer, LoadBalancerDescription> =
  {
    type: "classic-load-balancer",
    collect: (side) => collectClassicLoadBalancer(side.cache, side.anchor),
  };

export const classicLoadBalancerModule: ResourceModule<
  NormalizedClassicLoadBalancer,
  LoadBalancerDescription
> = {
  type: "classic-load-balancer",
  title: "Classic load balancer",
  permissions: CLASSIC_LOAD_BALANCER_PERMISSIONS,
  rules: classicLoadBalancerRules,
  twins: oneTwin(classicLoadBalancerCollector),
};
