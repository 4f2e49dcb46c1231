/**
 * The load balancer as a readiness type: a pair of load balancers compared with what hangs off
 * them (listeners, target groups, security groups, certificates, DNS records).
 */
import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import { certificateModule } from "../certificate/index.js";
import { listenerModule } from "../listener/index.js";
import type { ResourceType } from "../module.js";
import { route53Module } from "../route53/index.js";
import { securityGroupModule } from "../security-group/index.js";
import { targetGroupModule } from "../target-group/index.js";
import { loadBalancerModule } from "./index.js";
import { loadBalancerPairing } from "./pairing.js";

export const loadBalancerType = {
  pairing: loadBalancerPairing,
  modules: [
    loadBalancerModule,
    listenerModule,
    targetGroupModule,
    securityGroupModule,
    certificateModule,
    route53Module,
  ],
} as unknown as ResourceType<LoadBalancer>;
