import { ops } from "../../aws/services.js";
import type { ReplicationRule } from "@aws-sdk/client-s3";
import type { FreshnessContext, PrimaryStore, Protection, StandbyHint, StoreType } from "../type.js";
import { BUCKETS, type Bucket } from "./list.js";
import { s3Rules, type BucketPair } from "./rules.js";
import { measureReplication } from "./measure.js";

const bucketArn = (name: string) => `arn:aws:s3:::${name}`;
const destinationName = (rule: ReplicationRule) =>
  (rule.Destination?.Bucket ?? "").replace(/^arn:[^:]+:s3:::/, "");

/** Replication of a bucket to one destination in another region, by all its rules to it. */
function replication(
  primary: PrimaryStore,
  source: Bucket,
  destination: string,
  rules: ReplicationRule[],
  target: Bucket | undefined,
): Protection {
  return {
    kind: "s3-replication",
    primary,
    standbyArn: bucketArn(destination),
    standbyRegion: target?.region ?? null,
    posture: {
      rules: s3Rules,
      primary: {
        name: source.name,
        versioning: source.versioning,
        replicatesDeleteMarkers: rules.some((r) => r.DeleteMarkerReplication?.Status === "Enabled"),
      },
      standby: (target
        ? { name: target.name, versioning: target.versioning, replicatesDeleteMarkers: null }
        : null) as BucketPair,
    },
    measure: (ctx: FreshnessContext) => measureReplication(ctx, { source, destination, rules, target }),
  };
}

/** The bucket list is global: read once, through the first primary region. */
const allBuckets = (ctx: FreshnessContext) => {
  const [first] = ctx.primaryRegions;
  if (!first) return Promise.resolve(new Map<string, Bucket>());
  return ctx.region(first).list(BUCKETS);
};

export const s3StoreType: StoreType = {
  type: "s3",
  title: "S3 buckets",
  permissions: [
    ...ops("S3", "ListBuckets", "GetBucketLocation", "GetBucketVersioning", "GetBucketReplication"),
    ...ops("CloudWatch", "GetMetricData"),
  ],
  rules: s3Rules,
  owns: (arn) => arn.service === "s3" && !arn.resource.includes("/"),
  async standbyHints(ctx) {
    const all = await allBuckets(ctx);
    const hints: StandbyHint[] = [];
    for (const bucket of all.values()) {
      if (!ctx.primaryRegions.includes(bucket.region)) continue;
      for (const rule of bucket.replication?.rules ?? []) {
        const destination = all.get(destinationName(rule));
        if (destination && destination.region !== bucket.region)
          hints.push({
            store: bucketArn(bucket.name),
            region: destination.region,
            via: `the replication rule ${rule.ID ?? "(no id)"} of ${bucket.name} to ${destination.name}`,
          });
      }
    }
    return hints;
  },
  async discover(ctx) {
    const all = await allBuckets(ctx);
    const destinations = new Set(
      [...all.values()].flatMap((b) => (b.replication?.rules ?? []).map(destinationName)),
    );
    const stores: PrimaryStore[] = [];
    const protections: Protection[] = [];
    for (const bucket of all.values()) {
      // A bucket that is itself another's replication destination is a copy, not a store of its own.
      if (!ctx.primaryRegions.includes(bucket.region) || destinations.has(bucket.name)) continue;
      const store: PrimaryStore = {
        type: "s3",
        arn: bucketArn(bucket.name),
        name: bucket.name,
        region: bucket.region,
      };
      stores.push(store);
      const byDestination = new Map<string, ReplicationRule[]>();
      for (const rule of bucket.replication?.rules ?? [])
        byDestination.set(destinationName(rule), [...(byDestination.get(destinationName(rule)) ?? []), rule]);
      for (const [destination, rules] of byDestination) {
        const target = all.get(destination);
        // Replication within the region is no protection against losing the region.
        if (target && target.region === bucket.region) continue;
        protections.push(replication(store, bucket, destination, rules, target));
      }
    }
    return { stores, protections };
  },
};
