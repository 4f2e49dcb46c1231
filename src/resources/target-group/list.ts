import {
  ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionList } from "../../aws/region-cache.js";

/** Every target group of the region by ARN, 400 a page. */
export const TARGET_GROUPS: RegionList<TargetGroup> = {
  name: "target-groups",
  service: "ELBv2",
  operation: "DescribeTargetGroups",
  async *pages(cache) {
    const client = cache.client(ElasticLoadBalancingV2Client);
    for await (const page of paginateDescribeTargetGroups({ client, pageSize: 400 }, {}))
      yield page.TargetGroups ?? [];
  },
  key: (tg) => tg.TargetGroupArn ?? "",
};
