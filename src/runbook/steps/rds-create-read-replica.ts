import { ops } from "../../aws/services.js";
import { CreateDBInstanceReadReplicaCommand, RDSClient, type DBInstance } from "@aws-sdk/client-rds";
import { z } from "zod";
import { NotFoundError, waitFor, waiting, type StepContext, type StepKind } from "../step.js";
import { known } from "./grants.js";
import { dbArn, describeDb } from "./rds-promote-read-replica.js";
import { aws, dbField } from "../manual.js";

const params = z.strictObject({
  /** The new replica's identifier, in the step's region. */
  instance: z.string().min(1).describe("The new replica's identifier, in the step's region."),
  /** The source instance's ARN (another region) or identifier (this region). */
  source: z
    .string()
    .min(1)
    .describe("The source instance: its ARN (in another region) or identifier (in this region)."),
  /** Default: the source's class. */
  instanceClass: z.string().optional().describe("The replica's instance class (default: the source's)."),
});
type Params = z.infer<typeof params>;

async function find(ctx: StepContext, id: string): Promise<DBInstance | undefined> {
  try {
    return await describeDb(ctx, id);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The source as RDS reports it on a replica: an ARN across regions, an identifier within one. */
const sameSource = (have: string, source: string) =>
  have !== "" && (have === source || have.endsWith(`:db:${source}`) || source.endsWith(`:db:${have}`));

/** The instance the step would create, as it is: absent, or what it replicates ("" when it stands alone). */
type Before = { exists: false } | { exists: true; source: string };

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const db = await find(ctx, p.instance);
  return db ? { exists: true, source: db.ReadReplicaSourceDBInstanceIdentifier ?? "" } : { exists: false };
}

const taken = (p: Params, b: Before) =>
  b.exists && !sameSource(b.source, p.source)
    ? `${p.instance} already exists and ${b.source ? `replicates ${b.source}` : "stands alone"}; choose another name or remove it`
    : undefined;

/** Creates a read replica (rebuilding replication in the other direction, for a failback). */
export const rdsCreateReadReplicaStep: StepKind<Params, Before> = {
  kind: "rds.create-read-replica",
  example: {
    instance: "orders-replica",
    source: "arn:aws:rds:us-west-2:111122223333:db:orders",
    instanceClass: "db.r6g.large",
  },
  description:
    "creates a read replica of a database (in another region by ARN) and waits until it is available; one that already replicates the source is success",
  permissions: ops("RDS", "DescribeDBInstances", "CreateDBInstanceReadReplica"),
  params,
  outputs: ["endpoint", "port", "arn"],
  establishes: ["endpoint", "port", "arn"],
  replication: "replicates",
  idempotent: true,
  reconciles:
    "done when the instance exists and replicates the source; redone when it does not exist; a person decides when the name is taken by another",
  grants: (p, where) => {
    const source = known(p.source);
    return [
      {
        actions: ["rds:CreateDBInstanceReadReplica"],
        resources: [dbArn(where, p.instance), source?.startsWith("arn:") ? source : dbArn(where, source)],
      },
    ];
  },
  manual: (p, region) => [
    aws("rds", "create-db-instance-read-replica", region, {
      "db-instance-identifier": p.instance,
      "source-db-instance-identifier": p.source,
      "db-instance-class": p.instanceClass,
    }),
    aws("rds", "wait db-instance-available", region, { "db-instance-identifier": p.instance }),
  ],
  manualOutputs: (p, region) => ({
    endpoint: { command: dbField(p.instance, region, "Endpoint.Address") },
    port: { command: dbField(p.instance, region, "Endpoint.Port") },
    arn: { command: dbField(p.instance, region, "DBInstanceArn") },
  }),
  read,
  plan(_ctx, p, b) {
    const target = `${p.instance} replicates ${p.source}`;
    const fails = taken(p, b);
    if (!b.exists) return { current: `${p.instance} does not exist`, target, changes: true };
    return {
      current: sameSource(b.source, p.source)
        ? target
        : `${p.instance} exists and ${b.source ? `replicates ${b.source}` : "stands alone"}`,
      target,
      changes: !sameSource(b.source, p.source),
      ...(fails ? { fails } : {}),
    };
  },
  async apply(ctx, p, now) {
    const fails = taken(p, now);
    if (fails) throw new Error(fails);
    if (!now.exists) {
      await ctx.aws.get(RDSClient, ctx.region).send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: p.instance,
          SourceDBInstanceIdentifier: p.source,
          ...(p.instanceClass ? { DBInstanceClass: p.instanceClass } : {}),
        }),
      );
      ctx.log(`creating ${p.instance} as a replica of ${p.source}`);
    }
    return {};
  },
  async settle(ctx, p) {
    const db = await waitFor(
      async () => {
        const now = await find(ctx, p.instance);
        return now?.DBInstanceStatus === "available" ? now : undefined;
      },
      waiting(ctx, `read replica ${p.instance} to be available`),
      10_000,
    );
    return {
      endpoint: db.Endpoint?.Address ?? "",
      port: String(db.Endpoint?.Port ?? ""),
      arn: db.DBInstanceArn ?? "",
    };
  },
  async reconcile(ctx, p) {
    const now = await read(ctx, p);
    if (!now.exists) return { decision: "redo", detail: `${p.instance} does not exist yet` };
    if (sameSource(now.source, p.source))
      return { decision: "done", detail: `${p.instance} replicates ${p.source}` };
    return { decision: "ask", detail: taken(p, now) ?? `${p.instance} exists` };
  },
};
