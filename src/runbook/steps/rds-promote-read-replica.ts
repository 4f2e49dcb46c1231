import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { z } from "zod";
import { parseArn } from "../../aws/arn.js";
import { waitFor, type StepKind, type StepContext } from "../step.js";

const params = z.strictObject({
  instance: z.string().min(1),
  /** The RPO target: refuse when the replica is further behind than this. */
  maxLagSeconds: z.number().int().min(0).default(900),
  /** Promote whatever the lag (or when it is unknown): the data behind is lost. */
  force: z.boolean().default(false),
});
type Params = z.infer<typeof params>;

async function describe(ctx: StepContext, id: string): Promise<DBInstance> {
  const out = await ctx.aws
    .get(RDSClient, ctx.region)
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const db = out.DBInstances?.[0];
  if (!db) throw new Error(`DB instance ${id} not found in ${ctx.region}`);
  return db;
}

/** The newest ReplicaLag datapoint of the last 10 minutes, in seconds, or undefined. */
async function replicaLag(ctx: StepContext, id: string): Promise<number | undefined> {
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
  return newest?.Maximum;
}

const isReplica = (db: DBInstance) => Boolean(db.ReadReplicaSourceDBInstanceIdentifier);

/** Promotes a (cross-region) read replica to a standalone primary; an instance already promoted is success. */
export const rdsPromoteReadReplicaStep: StepKind<Params> = {
  kind: "rds.promote-read-replica",
  description:
    "promotes a read replica after checking its lag against the RPO target, and waits until it is a standalone primary",
  permissions: ["rds:DescribeDBInstances", "rds:PromoteReadReplica", "cloudwatch:GetMetricStatistics"],
  params,
  outputs: ["endpoint", "port", "arn", "previousSource"],
  establishes: ["endpoint", "port", "arn"],
  async plan(ctx, p) {
    const db = await describe(ctx, p.instance);
    if (!isReplica(db))
      return {
        current: `${p.instance} is a standalone primary`,
        target: `${p.instance} is a standalone primary`,
        changes: false,
      };
    const lag = await replicaLag(ctx, p.instance);
    return {
      current: `${p.instance} replicates ${db.ReadReplicaSourceDBInstanceIdentifier ?? "?"} (lag ${lag === undefined ? "unknown" : `${lag} s`}, limit ${p.maxLagSeconds} s)`,
      target: `${p.instance} promoted to a standalone primary`,
      changes: true,
    };
  },
  async execute(ctx, p) {
    const rds = ctx.aws.get(RDSClient, ctx.region);
    const db = await describe(ctx, p.instance);
    const previousSource = db.ReadReplicaSourceDBInstanceIdentifier ?? "";
    if (isReplica(db)) {
      const lag = await replicaLag(ctx, p.instance);
      if (!p.force && (lag === undefined || lag > p.maxLagSeconds)) {
        throw new Error(
          lag === undefined
            ? `refusing to promote ${p.instance}: its replica lag is unknown (no ReplicaLag datapoint in 10 minutes); set force: true to promote anyway`
            : `refusing to promote ${p.instance}: it is ${lag} s behind, more than the ${p.maxLagSeconds} s allowed; set force: true to promote and lose that data`,
        );
      }
      if (db.DBInstanceStatus === "available")
        await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: p.instance }));
    }
    const promoted = await waitFor(
      async () => {
        const now = await describe(ctx, p.instance);
        return now.DBInstanceStatus === "available" && !isReplica(now) ? now : undefined;
      },
      ctx.signal,
      5000,
    );
    return {
      endpoint: promoted.Endpoint?.Address ?? "",
      port: String(promoted.Endpoint?.Port ?? ""),
      arn: promoted.DBInstanceArn ?? "",
      // What it replicated before this run ("" when it already stood alone): a failback replicates back there.
      previousSource,
    };
  },
  inverse(p, out, region) {
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
