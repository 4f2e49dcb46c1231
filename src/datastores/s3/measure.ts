import type { ReplicationRule } from "@aws-sdk/client-s3";
import { worst } from "../../aws/metrics.js";
import type { FreshnessContext, Measurement } from "../type.js";
import { formatDuration } from "../../util/duration.js";
import type { Bucket } from "./list.js";

/** A bucket's replication to one destination: the rules to it, and the destination if it exists. */
export interface Replication {
  source: Bucket;
  destination: string;
  rules: ReplicationRule[];
  target: Bucket | undefined;
}

type Evidence = Measurement["evidence"];

/**
 * How far behind a bucket's copy is: CloudWatch's ReplicationLatency (worst of the window) of
 * the rules that publish it, once the replication is known to work at all (a rule enabled, the
 * destination there, versioning on both, no failed operation).
 */
export async function measureReplication(ctx: FreshnessContext, r: Replication): Promise<Measurement> {
  const measuredBy = `CloudWatch AWS/S3 ReplicationLatency of ${r.source.name} to ${r.destination} (worst of ${formatDuration(ctx.windowSeconds)})`;
  const evidence = rulesEvidence(r.rules);
  const broken = configurationBroken(r);
  if (broken) return { measuredBy, evidence, broken };
  const ruleIds = r.rules.map((rule) => rule.ID ?? "(no id)");
  const measured = r.rules.filter(
    (rule) => rule.Status === "Enabled" && rule.Destination?.Metrics?.Status === "Enabled",
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
  const series = await readSeries(ctx, r, measured);
  return verdictOf(ctx, measuredBy, evidence, series);
}

function rulesEvidence(rules: readonly ReplicationRule[]): Evidence {
  return [
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
}

/** Why the replication cannot work as configured, if it cannot. */
function configurationBroken({ source, destination, rules, target }: Replication): Measurement["broken"] {
  const ruleIds = rules.map((r) => r.ID ?? "(no id)");
  if (!rules.some((r) => r.Status === "Enabled"))
    return {
      reason: `every rule of ${source.name} to ${destination} is disabled (${ruleIds.join(", ")})`,
      fix: "Enable the replication rule.",
    };
  if (!target)
    return {
      reason: `the destination bucket ${destination} does not exist (or is not this account's)`,
      fix: "Create the destination bucket in the standby region with versioning, or point the rule at the right bucket.",
    };
  if (source.versioning !== "Enabled" || target.versioning !== "Enabled")
    return {
      reason: `replication needs versioning on both buckets: ${source.name} ${source.versioning}, ${destination} ${target.versioning}`,
      fix: "Enable versioning on both buckets.",
    };
  return undefined;
}

interface RuleSeries {
  id: string;
  latency: number | undefined;
  failed: number;
}

/** Each measured rule's worst latency and failed operations in the window. */
function readSeries(
  ctx: FreshnessContext,
  { source, destination }: Replication,
  measured: readonly ReplicationRule[],
): Promise<RuleSeries[]> {
  const read = (metric: string, ruleId: string, stat: "Maximum" | "Sum") =>
    ctx.metrics.read({
      region: source.region,
      namespace: "AWS/S3",
      metric,
      dimensions: { SourceBucket: source.name, DestinationBucket: destination, RuleId: ruleId },
      stat,
      periodSeconds: 60,
    });
  return Promise.all(
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
}

function verdictOf(
  ctx: FreshnessContext,
  measuredBy: string,
  evidence: Evidence,
  series: readonly RuleSeries[],
): Measurement {
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
}
