/**
 * The classic load balancer as a readiness type: the entry point of a workload that predates
 * ELBv2, compared by listeners, health check, zones, scheme and connection handling, never by
 * name, DNS name or certificate ARN.
 */
import type { LoadBalancerDescription } from "@aws-sdk/client-elastic-load-balancing";
import type { ResourceType } from "../module.js";
import { classicLoadBalancerModule } from "./index.js";
import { classicLoadBalancerPairing } from "./pairing.js";

export const classicLoadBalancerType = {
  pairing: classicLoadBalancerPairing,
  modules: [classicLoadBalancerModule],
} as unknown as ResourceType<LoadBalancerDescription>;
