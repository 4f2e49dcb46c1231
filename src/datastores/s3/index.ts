import { ops } from "../../aws/services.js";
import type { ReplicationRule } from "@aws-sdk/client-s3";
import { worst } from "../../aws/metrics.js";
import type {
  FreshnessContext,
  Measurement,
  PrimaryStore,
  Protection,
  StandbyHint,
  StoreType,
} from "../type.js";
import { formatDuration } from "../../util/duration.js";
import { BUCKETS, type Bucket } from "./list.js";
import { s3Rules, type BucketPair } from "./rules.js";

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
  const ruleIds = rules.map((r) => r.ID ?? "(no id)");
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
    async measure(ctx: FreshnessContext): Promise<Measurement> {
      const measuredBy = `CloudWatch AWS/S3 ReplicationLatency of ${source.name} to ${destination} (worst of ${formatDuration(ctx.windowSeconds)})`;
      const evidence = [
        {
          what: "replication rules",
          value: rules.map((r) => `${r.ID ?? "(no id)"} ${r.Status ?? "?"}`).join(", "),
        },
        {
          what: "Replication Time Control",
          value: rules.some((r) => r.Destination?.ReplicationTime?.Status === "Enabled")
            ? "on (15 min for 99.99% of objects)"
            : "off",
        },
      ];
      const broken = (reason: string, fix: string): Measurement => ({
        measuredBy,
        evidence,
        broken: { reason, fix },
      });
      if (!rules.some((r) => r.Status === "Enabled"))
        return broken(
          `every rule of ${source.name} to ${destination} is disabled (${ruleIds.join(", ")})`,
          "Enable the replication rule.",
        );
      if (!target)
        return broken(
          `the destination bucket ${destination} does not exist (or is not this account's)`,
          "Create the destination bucket in the standby region with versioning, or point the rule at the right bucket.",
        );
      if (source.versioning !== "Enabled" || target.versioning !== "Enabled")
        return broken(
          `replication needs versioning on both buckets: ${source.name} ${source.versioning}, ${destination} ${target.versioning}`,
          "Enable versioning on both buckets.",
        );
      const measured = rules.filter(
        (r) => r.Status === "Enabled" && r.Destination?.Metrics?.Status === "Enabled",
      );
      if (measured.length === 0)
        return {
          measuredBy,
          evidence,
          unknown: {
            reason: `replication metrics are not enabled on ${ruleIds.join(", ")}, so the replication latency is not published`,
            fix: `Enable replication metrics on rule ${ruleIds[0] ?? ""} (Destination.Metrics.Status Enabled), or measure with drctl freshness --canary --execute.`,
          },
        };
      const read = (metric: string, ruleId: string, stat: "Maximum" | "Sum") =>
        ctx.metrics.read({
          region: source.region,
          namespace: "AWS/S3",
          metric,
          dimensions: { SourceBucket: source.name, DestinationBucket: destination, RuleId: ruleId },
          stat,
          periodSeconds: 60,
        });
      const series = await Promise.all(
        measured.map(async (r) => {
          // Both asked for at once, so they go out in the same batch.
          const [latency, failed] = await Promise.all([
            read("ReplicationLatency", r.ID ?? "", "Maximum"),
            read("OperationsFailedReplication", r.ID ?? "", "Sum"),
          ]);
          return {
            id: r.ID ?? "",
            latency: worst(latency),
            failed: failed.points.reduce((n, p) => n + p.value, 0),
          };
        }),
      );
      const failed = series.reduce((n, s) => n + s.failed, 0);
      const latencies = series.map((s) => s.latency).filter((v): v is number => v !== undefined);
      const more = [
        ...evidence,
        { what: "OperationsFailedReplication in the window", value: String(failed) },
        ...series.map((s) => ({
          what: `ReplicationLatency of ${s.id}, worst of the window`,
          value: s.latency === undefined ? "no data" : `${s.latency} s`,
        })),
      ];
      if (failed > 0)
        return {
          measuredBy,
          evidence: more,
          ...(latencies.length ? { exposureSeconds: Math.max(...latencies) } : {}),
          broken: {
            reason: `${failed} object operations failed to replicate in the last ${formatDuration(ctx.windowSeconds)}`,
            fix: "Look at the replication role's permissions on both buckets and their KMS keys; S3 Batch Replication replicates what failed.",
          },
        };
      if (latencies.length === 0)
        return {
          measuredBy,
          evidence: more,
          unknown: {
            reason: `no ReplicationLatency data point in the last ${formatDuration(ctx.windowSeconds)} (S3 publishes it only while objects replicate)`,
            fix: "Write to the bucket (drctl freshness --canary --execute writes a marker) or read over a longer window (freshness.window).",
          },
        };
      return { exposureSeconds: Math.max(...latencies), resolutionSeconds: 60, measuredBy, evidence: more };
    },
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
