import { ops } from "../../aws/services.js";
import {
  ElasticLoadBalancingV2Client,
  DescribeLoadBalancerAttributesCommand,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../../aws/region-cache.js";
import { normalizeLoadBalancer, type NormalizedLoadBalancer } from "./normalize.js";

export const LOAD_BALANCER_PERMISSIONS = ops(
  "ELBv2",
  "DescribeLoadBalancers",
  "DescribeTags",
  "DescribeLoadBalancerAttributes",
);

/** One call per load balancer: its attributes (the description itself comes from a batched call). */
export async function collectLoadBalancer(
  cache: RegionCache,
  lb: LoadBalancer,
): Promise<NormalizedLoadBalancer> {
  const out = await cache
    .client(ElasticLoadBalancingV2Client)
    .send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  return normalizeLoadBalancer(lb, out.Attributes ?? []);
}
