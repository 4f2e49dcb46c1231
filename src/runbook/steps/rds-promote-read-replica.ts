import { ops } from "../../aws/services.js";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { z } from "zod";
import { parseArn } from "../../aws/arn.js";
import { awsErrorCode } from "../../aws/errors.js";
import { NotFoundError, waitFor, waiting, type StepContext, type StepKind } from "../step.js";
import { nameOrAny } from "./grants.js";
import { aws, comment, dbField, minutesAgo, word } from "../manual.js";

const params = z.strictObject({
  instance: z.string().min(1).describe("The read replica to promote: its identifier, in the step's region."),
  /** The RPO target: refuse when the replica is further behind than this. */
  maxLagSeconds: z
    .number()
    .int()
    .min(0)
    .default(900)
    .describe(
      "The RPO target in seconds: the promotion is refused when the replica is further behind than this.",
    ),
  /** Promote whatever the lag (or when it is unknown): the data behind is lost. */
  force: z
    .boolean()
    .default(false)
    .describe("Promote whatever the lag (or when it is unknown): the data not yet replicated is lost."),
});
type Params = z.infer<typeof params>;

/** The instance as the step found it. */
interface Before {
  /** What it replicated ("" when it already stood alone). */
  source: string;
  status: string;
  /** The newest ReplicaLag in seconds, null when unknown; only read for a replica. */
  lag: number | null;
}

export async function describeDb(ctx: StepContext, id: string): Promise<DBInstance> {
  try {
    const out = await ctx.aws
      .get(RDSClient, ctx.region)
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    const db = out.DBInstances?.[0];
    if (db) return db;
  } catch (err) {
    if (!/NotFound/.test(awsErrorCode(err))) throw err;
  }
  throw new NotFoundError(`DB instance ${id} not found in ${ctx.region}`);
}

/** The newest ReplicaLag datapoint of the last 10 minutes, in seconds, or null. */
async function replicaLag(ctx: StepContext, id: string): Promise<number | null> {
  const now = Date.now();
  const out = await ctx.aws.get(CloudWatchClient, ctx.region).send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/RDS",
      MetricName: "ReplicaLag",
      Dimensions: [{ Name: "DBInstanceIdentifier", Value: id }],
      StartTime: new Date(now - 10 * 60_000),
      EndTime: new Date(now),
      Period: 60,
      Statistics: ["Maximum"],
    }),
  );
  const newest = [...(out.Datapoints ?? [])].sort(
    (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
  )[0];
  return newest?.Maximum ?? null;
}

const isReplica = (db: DBInstance) => Boolean(db.ReadReplicaSourceDBInstanceIdentifier);

/** Why a promotion would be refused (the RPO), or undefined. */
function refusal(p: Params, b: Before): string | undefined {
  if (!b.source || p.force) return undefined;
  if (b.lag === null)
    return `${p.instance}'s replica lag is unknown (no ReplicaLag datapoint in 10 minutes); set force: true to promote anyway`;
  if (b.lag > p.maxLagSeconds)
    return `${p.instance} is ${b.lag} s behind, more than the ${p.maxLagSeconds} s allowed; set force: true to promote and lose that data`;
  return undefined;
}

export const dbArn = (where: { partition: string; region: string; account: string }, id: unknown) =>
  `arn:${where.partition}:rds:${where.region}:${where.account}:db:${nameOrAny(id)}`;

/** Promotes a (cross-region) read replica to a standalone primary; an instance already promoted is success. */
export const rdsPromoteReadReplicaStep: StepKind<Params, Before> = {
  kind: "rds.promote-read-replica",
  example: { instance: "orders-replica", maxLagSeconds: 300 },
  description:
    "promotes a read replica after checking its lag against the RPO target, and waits until it is a standalone primary",
  permissions: [
    ...ops("RDS", "DescribeDBInstances", "PromoteReadReplica"),
    ...ops("CloudWatch", "GetMetricStatistics"),
  ],
  params,
  outputs: ["endpoint", "port", "arn", "previousSource"],
  establishes: ["endpoint", "port", "arn"],
  replication: "promotes",
  idempotent: true,
  reconciles:
    "done when the instance no longer replicates or its promotion is under way; otherwise promotes (lag checked again)",
  grants: (p, where) => [{ actions: ["rds:PromoteReadReplica"], resources: [dbArn(where, p.instance)] }],
  manual: (p, region) => [
    aws("cloudwatch", "get-metric-statistics", region, {
      namespace: "AWS/RDS",
      "metric-name": "ReplicaLag",
      dimensions: word("Name=DBInstanceIdentifier,Value=", p.instance),
      statistics: "Maximum",
      period: 60,
      "start-time": minutesAgo(10),
      "end-time": minutesAgo(0),
    }) +
      comment(
        "the newest Maximum must be at most ",
        p.maxLagSeconds ?? 900,
        " s; above it (or with no datapoint) promote only if losing that much data is accepted",
      ),
    aws("rds", "promote-read-replica", region, { "db-instance-identifier": p.instance }),
    aws("rds", "wait db-instance-available", region, { "db-instance-identifier": p.instance }),
  ],
  manualOutputs: (p, region) => ({
    endpoint: { command: dbField(p.instance, region, "Endpoint.Address") },
    port: { command: dbField(p.instance, region, "Endpoint.Port") },
    arn: { command: dbField(p.instance, region, "DBInstanceArn") },
    previousSource: {
      command: dbField(p.instance, region, "ReadReplicaSourceDBInstanceIdentifier"),
      before: true,
    },
  }),
  async read(ctx, p) {
    const db = await describeDb(ctx, p.instance);
    return {
      source: db.ReadReplicaSourceDBInstanceIdentifier ?? "",
      status: db.DBInstanceStatus ?? "",
      lag: isReplica(db) ? await replicaLag(ctx, p.instance) : null,
    };
  },
  plan(_ctx, p, b) {
    if (!b.source)
      return {
        current: `${p.instance} is a standalone primary`,
        target: `${p.instance} is a standalone primary`,
        changes: false,
      };
    const refused = refusal(p, b);
    return {
      current: `${p.instance} replicates ${b.source} (lag ${b.lag === null ? "unknown" : `${b.lag} s`}, limit ${p.maxLagSeconds} s)`,
      target: `${p.instance} promoted to a standalone primary`,
      changes: true,
      ...(refused ? { refused } : {}),
    };
  },
  async apply(ctx, p, now) {
    if (!now.source) return {};
    const refused = refusal(p, now);
    if (refused) throw new Error(`refusing to promote: ${refused}`);
    // Not available: a promotion (or another change) is already under way; settle waits for it.
    if (now.status === "available")
      await ctx.aws
        .get(RDSClient, ctx.region)
        .send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: p.instance }));
    return {};
  },
  async settle(ctx, p, before) {
    const promoted = await waitFor(
      async () => {
        const now = await describeDb(ctx, p.instance);
        return now.DBInstanceStatus === "available" && !isReplica(now) ? now : undefined;
      },
      waiting(ctx, `${p.instance} to be promoted and available`),
      5000,
    );
    return {
      endpoint: promoted.Endpoint?.Address ?? "",
      port: String(promoted.Endpoint?.Port ?? ""),
      arn: promoted.DBInstanceArn ?? "",
      // What it replicated before this run ("" when it already stood alone): a failback replicates back there.
      previousSource: before.source,
    };
  },
  async reconcile(ctx, p) {
    const db = await describeDb(ctx, p.instance);
    if (!isReplica(db)) return { decision: "done", detail: `${p.instance} stands alone` };
    if (db.DBInstanceStatus !== "available")
      return {
        decision: "done",
        detail: `${p.instance} is ${db.DBInstanceStatus ?? "?"}: its promotion is under way`,
      };
    return {
      decision: "redo",
      detail: `${p.instance} still replicates ${db.ReadReplicaSourceDBInstanceIdentifier ?? "?"}`,
    };
  },
  inverse(p, out, region) {
    if (out.previousSource === undefined || !out.arn) return undefined;
    if (!out.previousSource) return [];
    // The old primary holds data older than the promotion: replicate the promoted database back
    // into the old primary's region under a new name, then promote that copy.
    const old = out.previousSource.startsWith("arn:")
      ? parseArn(out.previousSource)
      : { region, resource: `db:${out.previousSource}` };
    const name = `${old.resource.replace(/^db:/, "")}-failback`;
    return [
      {
        suffix: "replicate",
        kind: "rds.create-read-replica",
        region: old.region,
        params: { instance: name, source: out.arn },
      },
      {
        suffix: "promote",
        kind: "rds.promote-read-replica",
        region: old.region,
        params: { instance: name, maxLagSeconds: p.maxLagSeconds },
      },
    ];
  },
};
