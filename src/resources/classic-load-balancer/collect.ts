import {
  DescribeLoadBalancerAttributesCommand,
  ElasticLoadBalancingClient,
  type LoadBalancerDescription,
} from "@aws-sdk/client-elastic-load-balancing";
import { mapAwsError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";
import { normalizeClassicLoadBalancer, type NormalizedClassicLoadBalancer } from "./normalize.js";

/** Tagged primaries through the tagging API; descriptions listed region-wide; attributes one call each. */
export const CLASSIC_LOAD_BALANCER_PERMISSIONS = [
  ...TAGGED_PERMISSIONS,
  ...ops("ELB", "DescribeLoadBalancers", "DescribeLoadBalancerAttributes"),
];

/** The load balancer's attributes (cross-zone, draining, idle timeout): one call; the rest was listed. */
export async function collectClassicLoadBalancer(
  cache: RegionCache,
  lb: LoadBalancerDescription,
): Promise<NormalizedClassicLoadBalancer> {
  try {
    const out = await cache
      .client(ElasticLoadBalancingClient)
      .send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: lb.LoadBalancerName }));
    return normalizeClassicLoadBalancer(lb, out.LoadBalancerAttributes ?? {});
  } catch (err) {
    throw mapAwsError(err, cache.site("ELB", "DescribeLoadBalancerAttributes"));
  }
}
