/**
 * How DB instances pair: tagged primaries through the tagging API, drctl.yaml pairs, and the
 * cross-region read replicas RDS records (the source is the primary, its replica the standby).
 * Every read is a region-wide DescribeDBInstances listing, once per region and account for a run;
 * instances are described by ARN from those lists.
 */
import type { DBInstance } from "@aws-sdk/client-rds";
import { formatArn, parseArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { NotFoundError } from "../../aws/errors.js";
import type { RegionList } from "../../aws/region-cache.js";
import type { PairKind, Recorded } from "../../pairs/kind.js";
import { recordedPerRegion } from "../../pairs/recorded.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { DB_INSTANCES } from "../../aws/rds-lists.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsDbInstance } from "../owns.js";

/**
 * Resources by ARN from their regions' lists: one listing per region and account whatever the
 * number of ARNs; an ARN the list lacks is not found, a list that cannot be read fails its ARNs.
 */
export async function describeFromList<T>(
  aws: AwsClients,
  arns: readonly Arn[],
  list: RegionList<T>,
  what: string,
): Promise<Map<string, T | Error>> {
  const result = new Map<string, T | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(list)).get(text);
        result.set(
          text,
          found ??
            new NotFoundError(
              `not found: ${what} ${text}`,
              cache.site("RDS", list.operation),
              "NotFound",
              undefined,
            ),
        );
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}

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
