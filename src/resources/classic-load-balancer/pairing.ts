/**
 * How classic load balancers pair: tagged primaries through the tagging API's region-wide listing
 * (shared by every type), and load balancers described by ARN from one region-wide
 * DescribeLoadBalancers listing (400 a page) per region and account for the run: asked by name,
 * the call fails as a whole for one name that does not exist.
 */
import {
  ElasticLoadBalancingClient,
  paginateDescribeLoadBalancers,
  type LoadBalancerDescription,
} from "@aws-sdk/client-elastic-load-balancing";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { NotFoundError } from "../../aws/errors.js";
import type { RegionList } from "../../aws/region-cache.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsClassicLoadBalancer } from "../owns.js";

/** Every classic load balancer of a region and account by name. */
export const CLASSIC_LOAD_BALANCERS: RegionList<LoadBalancerDescription> = {
  name: "elb-classic-load-balancers",
  service: "ELB",
  operation: "DescribeLoadBalancers",
  async *pages(cache) {
    for await (const page of paginateDescribeLoadBalancers(
      { client: cache.client(ElasticLoadBalancingClient), pageSize: 400 },
      {},
    ))
      yield page.LoadBalancerDescriptions ?? [];
  },
  key: (lb) => lb.LoadBalancerName ?? "",
};

const nameOf = (lb: LoadBalancerDescription) => lb.LoadBalancerName ?? "";

/** Load balancers by ARN from their regions' listings: one the list lacks is not found. */
async function describe(
  aws: AwsClients,
  arns: readonly Arn[],
): Promise<Map<string, LoadBalancerDescription | Error>> {
  const result = new Map<string, LoadBalancerDescription | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(CLASSIC_LOAD_BALANCERS)).get(arn.resourceId);
        const site = cache.site("ELB", "DescribeLoadBalancers");
        const missing = `not found: classic load balancer ${arn.resourceId} in ${arn.region}`;
        result.set(text, found ?? new NotFoundError(missing, site, "LoadBalancerNotFound", undefined));
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}

const base = {
  type: "classic-load-balancer",
  title: "Classic load balancer",
  owns: ownsClassicLoadBalancer,
  describe,
  nameOf,
};

export const classicLoadBalancerPairing: PairKind<LoadBalancerDescription> = {
  ...base,
  tagged: taggedThroughTaggingApi(base),
};

export { ownsClassicLoadBalancer };
