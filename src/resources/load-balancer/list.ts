import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionList } from "../../aws/region-cache.js";

/**
 * Every load balancer of the region by DNS name (lower case), 400 a page: read only when a
 * record points at a load balancer outside its pair, to say which one it is.
 */
export const LOAD_BALANCERS_BY_DNS: RegionList<LoadBalancer> = {
  name: "load-balancers-by-dns",
  service: "ELBv2",
  operation: "DescribeLoadBalancers",
  async *pages(cache) {
    const client = cache.client(ElasticLoadBalancingV2Client);
    for await (const page of paginateDescribeLoadBalancers({ client, pageSize: 400 }, {}))
      yield page.LoadBalancers ?? [];
  },
  key: (lb) => (lb.DNSName ?? "").toLowerCase(),
};
