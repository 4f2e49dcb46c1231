import { ops } from "../aws/services.js";
/**
 * Each store's freshness as CloudWatch metrics, so teams alarm on it with the tools they have:
 * namespace `drctl` (or freshness.metrics.namespace), dimensions application and store, in that
 * order (CloudWatch matches dimensions by name and value; keep alarms in the same order).
 *   ExposureSeconds  the age of the newest primary data the standby lacks (only when it was measured)
 *   RpoBreached      1 when the store is breach, broken or unprotected; 0 when ok
 *   Unmeasured       1 when the exposure could not be told (unknown, error); 0 otherwise
 * A store with nothing measured still gets RpoBreached or Unmeasured, so an alarm that treats
 * missing data as breaching also catches a run that did not happen.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import type { FreshnessResult, StoreResult } from "../core/freshness-result.js";

export const PUT_METRIC_PERMISSIONS = ops("CloudWatch", "PutMetricData");

/** The application dimension of a store that belongs to none. */
export const NO_APPLICATION = "none";

/** PutMetricData takes up to 1,000 metrics a call (and 1 MB); 1,000 datums here stay far below the size. */
const PER_CALL = 1000;

const BREACHED = new Set(["breach", "broken", "unprotected"]);
const UNMEASURED = new Set(["unknown", "error"]);

/**
 * The store dimension: its name, or, where two stores of one application share a name (a table
 * and a bucket both called "orders"), the name with its kind and region, so no two collide.
 */
function storeDimensions(stores: StoreResult[]): Map<StoreResult, { application: string; store: string }> {
  const key = (s: StoreResult) => `${s.application ?? NO_APPLICATION}\u0000${s.store}`;
  const count = new Map<string, number>();
  for (const s of stores) count.set(key(s), (count.get(key(s)) ?? 0) + 1);
  return new Map(
    stores.map((s) => [
      s,
      {
        application: s.application ?? NO_APPLICATION,
        store: (count.get(key(s)) ?? 0) > 1 ? `${s.store} (${s.kind}, ${s.primaryRegion})` : s.store,
      },
    ]),
  );
}

/** The datums of one run, timestamped with the run. */
export function freshnessDatums(result: FreshnessResult): MetricDatum[] {
  const at = new Date(result.generatedAt);
  const dims = storeDimensions(result.stores);
  return result.stores.flatMap((s) => {
    const d = dims.get(s) ?? { application: NO_APPLICATION, store: s.store };
    const Dimensions = [
      { Name: "application", Value: d.application },
      { Name: "store", Value: d.store },
    ];
    const datum = (MetricName: string, Value: number, Unit: "Seconds" | "Count"): MetricDatum => ({
      MetricName,
      Dimensions,
      Timestamp: at,
      Value,
      Unit,
    });
    return [
      ...(s.exposureSeconds !== null ? [datum("ExposureSeconds", s.exposureSeconds, "Seconds")] : []),
      datum("RpoBreached", BREACHED.has(s.status) ? 1 : 0, "Count"),
      datum("Unmeasured", UNMEASURED.has(s.status) ? 1 : 0, "Count"),
    ];
  });
}

/** Puts the run's metrics in `region`; returns how many were put and in how many calls. */
export async function putFreshnessMetrics(
  aws: AwsClients,
  region: string,
  result: FreshnessResult,
  namespace = "drctl",
): Promise<{ metrics: number; calls: number; namespace: string; region: string }> {
  const datums = freshnessDatums(result);
  const client = aws.get(CloudWatchClient, region);
  let calls = 0;
  for (let i = 0; i < datums.length; i += PER_CALL) {
    calls++;
    try {
      await client.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: datums.slice(i, i + PER_CALL) }),
      );
    } catch (err) {
      throw mapAwsError(err, { service: "CloudWatch", operation: "PutMetricData", region });
    }
  }
  return { metrics: datums.length, calls, namespace, region };
}
