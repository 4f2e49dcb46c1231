/**
 * How MSK clusters pair: tagged primaries through the tagging API's region-wide listing (shared by
 * every type), and clusters described by ARN from one region-wide ListClustersV2 listing per
 * region and account for the run (it returns each cluster's full description, 100 a page).
 */
import { KafkaClient, paginateListClustersV2, type Cluster } from "@aws-sdk/client-kafka";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { NotFoundError } from "../../aws/errors.js";
import type { RegionList } from "../../aws/region-cache.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsMskCluster } from "../owns.js";

/** Every MSK cluster (provisioned and serverless) of a region and account, by ARN. */
export const MSK_CLUSTERS: RegionList<Cluster> = {
  name: "msk-clusters",
  service: "Kafka",
  operation: "ListClustersV2",
  async *pages(cache) {
    for await (const page of paginateListClustersV2({ client: cache.client(KafkaClient), pageSize: 100 }, {}))
      yield page.ClusterInfoList ?? [];
  },
  key: (c) => c.ClusterArn ?? "",
};

const nameOf = (c: Cluster) => c.ClusterName ?? "";

/** Clusters by ARN from their regions' listings: a cluster the listing lacks is not found. */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, Cluster | Error>> {
  const result = new Map<string, Cluster | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(MSK_CLUSTERS)).get(text);
        const site = cache.site("Kafka", "ListClustersV2");
        result.set(
          text,
          found ?? new NotFoundError(`not found: MSK cluster ${text}`, site, "NotFoundException", undefined),
        );
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}

const base = { type: "msk-cluster", title: "MSK cluster", owns: ownsMskCluster, describe, nameOf };

export const mskClusterPairing: PairKind<Cluster> = { ...base, tagged: taggedThroughTaggingApi(base) };

export { ownsMskCluster };
