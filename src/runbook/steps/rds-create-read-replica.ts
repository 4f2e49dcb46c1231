import {
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import { waitFor, type StepContext, type StepKind } from "../step.js";

const params = z.strictObject({
  /** The new replica's identifier, in the step's region. */
  instance: z.string().min(1),
  /** The source instance's ARN (another region) or identifier (this region). */
  source: z.string().min(1),
  /** Default: the source's class. */
  instanceClass: z.string().optional(),
});
type Params = z.infer<typeof params>;

async function find(ctx: StepContext, id: string): Promise<DBInstance | undefined> {
  try {
    const out = await ctx.aws
      .get(RDSClient, ctx.region)
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return out.DBInstances?.[0];
  } catch (err) {
    if (/NotFound/.test(awsErrorCode(err))) return undefined;
    throw err;
  }
}

/** The source as RDS reports it on a replica: an ARN across regions, an identifier within one. */
const sameSource = (db: DBInstance, source: string) => {
  const have = db.ReadReplicaSourceDBInstanceIdentifier ?? "";
  return have === source || have.endsWith(`:db:${source}`) || source.endsWith(`:db:${have}`);
};

/** Creates a read replica (rebuilding replication in the other direction, for a failback). */
export const rdsCreateReadReplicaStep: StepKind<Params> = {
  kind: "rds.create-read-replica",
  description:
    "creates a read replica of a database (in another region by ARN) and waits until it is available; one that already replicates the source is success",
  permissions: ["rds:DescribeDBInstances", "rds:CreateDBInstanceReadReplica"],
  params,
  outputs: ["endpoint", "port", "arn"],
  establishes: ["endpoint", "port", "arn"],
  async plan(ctx, p) {
    const db = await find(ctx, p.instance);
    const target = `${p.instance} replicates ${p.source}`;
    if (!db) return { current: `${p.instance} does not exist`, target, changes: true };
    return {
      current: sameSource(db, p.source)
        ? target
        : `${p.instance} exists and ${db.ReadReplicaSourceDBInstanceIdentifier ? `replicates ${db.ReadReplicaSourceDBInstanceIdentifier}` : "stands alone"}`,
      target,
      changes: !sameSource(db, p.source),
    };
  },
  async execute(ctx, p) {
    const existing = await find(ctx, p.instance);
    if (existing && !sameSource(existing, p.source))
      throw new Error(
        `${p.instance} already exists in ${ctx.region} and does not replicate ${p.source}; choose another name or remove it`,
      );
    if (!existing) {
      await ctx.aws.get(RDSClient, ctx.region).send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: p.instance,
          SourceDBInstanceIdentifier: p.source,
          ...(p.instanceClass ? { DBInstanceClass: p.instanceClass } : {}),
        }),
      );
      ctx.log(`creating ${p.instance} as a replica of ${p.source}`);
    }
    const db = await waitFor(
      async () => {
        const now = await find(ctx, p.instance);
        return now?.DBInstanceStatus === "available" ? now : undefined;
      },
      ctx.signal,
      10_000,
    );
    return {
      endpoint: db.Endpoint?.Address ?? "",
      port: String(db.Endpoint?.Port ?? ""),
      arn: db.DBInstanceArn ?? "",
    };
  },
};
