/**
 * How DB instances pair: tagged primaries through the tagging API, drctl.yaml pairs, and the
 * cross-region read replicas RDS records (the source is the primary, its replica the standby).
 * Every read is a region-wide DescribeDBInstances listing, once per region and account for a run;
 * instances are described by ARN from those lists.
 */
import type { DBInstance } from "@aws-sdk/client-rds";
import { parseArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import type { PairKind, Recorded } from "../../pairs/kind.js";
import { recordedPerRegion } from "../../pairs/recorded.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { DB_INSTANCES } from "../../aws/rds-lists.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsDbInstance } from "../owns.js";
import { describeFromList } from "../rds-common/describe.js";

/** The cross-region read replicas a source lists (same-region replicas are no DR standby). */
export function crossRegionReplicas(db: DBInstance): Recorded<DBInstance>[] {
  const source = db.DBInstanceArn ?? "";
  const region = source ? parseArn(source).region : "";
  const replicas = new Set((db.ReadReplicaDBInstanceIdentifiers ?? []).filter((id) => id.startsWith("arn:")));
  return [...replicas].flatMap((replica) => {
    try {
      if (parseArn(replica).region === region) return [];
    } catch {
      return [];
    }
    return [{ primaryArn: source, standbyArn: replica, via: "the cross-region read replica it lists" }];
  });
}

/**
 * The cross-region read replicas of the primary regions' instances, from the region's listing
 * (read once, shared with describe); a region whose instances cannot be listed is a finding.
 */
const recorded: PairKind<DBInstance>["recorded"] = (aws, regions) =>
  recordedPerRegion("DB instance", regions, async (region) =>
    [...(await pairingCache(aws, region, undefined).list(DB_INSTANCES)).values()].flatMap((db) =>
      crossRegionReplicas(db).map((r) => ({ ...r, primary: db })),
    ),
  );

const describe = (aws: AwsClients, arns: readonly Arn[]) =>
  describeFromList(aws, arns, DB_INSTANCES, "DB instance");
const nameOf = (db: DBInstance) => db.DBInstanceIdentifier ?? "";

export const rdsInstancePairing: PairKind<DBInstance> = {
  type: "rds-instance",
  title: "DB instance",
  owns: ownsDbInstance,
  tagged: taggedThroughTaggingApi({ owns: ownsDbInstance, describe, nameOf, title: "DB instance" }),
  describe,
  nameOf,
  recorded,
};

export { ownsDbInstance };
