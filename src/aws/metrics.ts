import { ops } from "./services.js";
/**
 * CloudWatch reads for every store of a run, batched: each store asks for the metrics it needs,
 * and the queries of one region and account go out together, up to 500 a GetMetricData call (the
 * API's limit), so 200 stores cost a handful of calls, not 200.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "./client-factory.js";
import { mapAwsError } from "./errors.js";

export const METRIC_PERMISSIONS = ops("CloudWatch", "GetMetricData");

export interface MetricQuery {
  region: string;
  account?: string;
  namespace: string;
  metric: string;
  /** In the order CloudWatch keys them (it matches by name and value). */
  dimensions: Record<string, string>;
  stat: "Maximum" | "Sum" | "Average";
  /** Seconds per data point: the resolution of what is read. */
  periodSeconds: number;
}

/** The data points of a window, newest first; none when the metric has no data there. */
export interface MetricSeries {
  points: { at: Date; value: number }[];
}

const PER_CALL = 500;

export class MetricReader {
  private queue = new Map<
    string,
    { query: MetricQuery; resolve: (s: MetricSeries) => void; reject: (e: unknown) => void }[]
  >();
  private scheduled = false;

  constructor(
    private readonly aws: AwsClients,
    private readonly window: { start: Date; end: Date },
  ) {}

  /** The series of one metric over the run's window; queued and sent with the others of its region. */
  read(query: MetricQuery): Promise<MetricSeries> {
    return new Promise((resolve, reject) => {
      const key = `${query.region}|${query.account ?? ""}`;
      this.queue.set(key, [...(this.queue.get(key) ?? []), { query, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // Everything asked for in this turn of the event loop goes out together.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batches = [...this.queue.values()];
    this.queue = new Map();
    await Promise.all(
      batches.flatMap((batch) =>
        Array.from({ length: Math.ceil(batch.length / PER_CALL) }, (_, i) =>
          this.send(batch.slice(i * PER_CALL, (i + 1) * PER_CALL)),
        ),
      ),
    );
  }

  private async send(
    batch: { query: MetricQuery; resolve: (s: MetricSeries) => void; reject: (e: unknown) => void }[],
  ): Promise<void> {
    const first = batch[0]?.query;
    if (!first) return;
    const queries: MetricDataQuery[] = batch.map(({ query }, i) => ({
      Id: `m${i}`,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: query.namespace,
          MetricName: query.metric,
          Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: query.periodSeconds,
        Stat: query.stat,
      },
    }));
    const series = new Map<string, MetricSeries>(batch.map((_, i) => [`m${i}`, { points: [] }]));
    try {
      const client = this.aws.get(CloudWatchClient, first.region, first.account);
      let token: string | undefined;
      do {
        const out = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: this.window.start,
            EndTime: this.window.end,
            ScanBy: "TimestampDescending",
            NextToken: token,
          }),
        );
        for (const r of out.MetricDataResults ?? []) {
          const s = series.get(r.Id ?? "");
          (r.Timestamps ?? []).forEach((at, j) => s?.points.push({ at, value: r.Values?.[j] ?? 0 }));
        }
        token = out.NextToken;
      } while (token);
    } catch (err) {
      const mapped = mapAwsError(err, {
        service: "CloudWatch",
        operation: "GetMetricData",
        region: first.region,
      });
      for (const b of batch) b.reject(mapped);
      return;
    }
    batch.forEach(({ resolve }, i) => {
      const s = series.get(`m${i}`) ?? { points: [] };
      s.points.sort((a, b) => b.at.getTime() - a.at.getTime());
      resolve(s);
    });
  }
}

/** The worst (largest) value of a series, or undefined without data. */
export function worst(series: MetricSeries): number | undefined {
  return series.points.length === 0 ? undefined : Math.max(...series.points.map((p) => p.value));
}
