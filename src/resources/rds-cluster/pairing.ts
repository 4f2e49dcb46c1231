/**
 * How DB clusters pair: tagged primaries through the tagging API, drctl.yaml pairs, and the Aurora
 * global databases RDS records (the writer's cluster is the primary, each secondary a standby).
 * Clusters are described by ARN from each region's DescribeDBClusters listing, read once a run.
 */
import type { DBCluster, GlobalCluster } from "@aws-sdk/client-rds";
import { parseArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import type { PairKind, Recorded } from "../../pairs/kind.js";
import { recordedPerRegion } from "../../pairs/recorded.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { pairingCache } from "../../aws/region-cache.js";
import { describeFromList } from "../rds-common/describe.js";
import { DB_CLUSTERS, GLOBAL_CLUSTERS } from "../../aws/rds-lists.js";
import { ownsDbCluster } from "../owns.js";

const regionOf = (arn: string) => {
  try {
    return parseArn(arn).region;
  } catch {
    return "";
  }
};

/** Each secondary of a global database whose writer is in one of `regions`, paired with the writer. */
export function globalPairs(global: GlobalCluster, regions: readonly string[]): Recorded<DBCluster>[] {
  const members = global.GlobalClusterMembers ?? [];
  const writer = members.find((m) => m.IsWriter)?.DBClusterArn;
  if (!writer || !regions.includes(regionOf(writer))) return [];
  return members.flatMap((m) =>
    m.IsWriter || !m.DBClusterArn || regionOf(m.DBClusterArn) === regionOf(writer)
      ? []
      : [
          {
            primaryArn: writer,
            standbyArn: m.DBClusterArn,
            via: `the Aurora global database ${global.GlobalClusterIdentifier ?? "?"}`,
          },
        ],
  );
}

/**
 * The secondaries of the global databases whose writers are in the primary regions. Global
 * databases are listed once, from the first primary region; a listing that fails is a finding
 * (tagged primaries are still found and compared).
 */
const recorded: PairKind<DBCluster>["recorded"] = (aws, regions) =>
  recordedPerRegion<DBCluster>("DB cluster", regions.slice(0, 1), async (home) => {
    const globals = await pairingCache(aws, home, undefined).list(GLOBAL_CLUSTERS);
    return [...globals.values()].flatMap((g) => globalPairs(g, regions));
  });

const describe = (aws: AwsClients, arns: readonly Arn[]) =>
  describeFromList(aws, arns, DB_CLUSTERS, "DB cluster");
const nameOf = (c: DBCluster) => c.DBClusterIdentifier ?? "";

export const rdsClusterPairing: PairKind<DBCluster> = {
  type: "rds-cluster",
  title: "DB cluster",
  owns: ownsDbCluster,
  tagged: taggedThroughTaggingApi({ owns: ownsDbCluster, describe, nameOf, title: "DB cluster" }),
  describe,
  nameOf,
  recorded,
};

export { ownsDbCluster };
