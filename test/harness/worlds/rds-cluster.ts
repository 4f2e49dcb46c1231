/** Aurora DB cluster pairs (one writer each): twins alike in meaning, and a planted difference. */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  RDSClient,
  type CreateDBClusterCommandInput,
} from "@aws-sdk/client-rds";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export const DB_CLUSTER = {
  Engine: "aurora-postgresql",
  EngineVersion: "15.4",
  StorageEncrypted: true,
  BackupRetentionPeriod: 7,
  MasterUsername: "orders",
  MasterUserPassword: "not-a-secret-1",
} satisfies Partial<CreateDBClusterCommandInput>;

/** A cluster like DB_CLUSTER, `over` changed, with one member of each class in `classes`; its ARN. */
export async function createDbCluster(
  aws: AwsClients,
  region: string,
  id: string,
  over: Partial<CreateDBClusterCommandInput> = {},
  classes: string[] = ["db.r6g.large"],
): Promise<string> {
  const rds = aws.get(RDSClient, region);
  const out = await rds.send(new CreateDBClusterCommand({ ...DB_CLUSTER, DBClusterIdentifier: id, ...over }));
  for (const [i, cls] of classes.entries())
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${id}-${i + 1}`,
        DBClusterIdentifier: id,
        Engine: over.Engine ?? DB_CLUSTER.Engine,
        DBInstanceClass: cls,
      }),
    );
  return required(out.DBCluster?.DBClusterArn, `ARN for DB cluster ${id}`);
}

async function clusterPair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standby: Partial<CreateDBClusterCommandInput>,
) {
  const standbyArn = await createDbCluster(aws, r.standbyRegion, names.standby, standby);
  const primaryArn = await createDbCluster(aws, r.primaryRegion, names.primary, {
    Tags: drTagList(standbyArn),
  });
  return { name: names.primary, primaryArn, standbyArn };
}

/** Cluster identifiers are lower case, so these twins are named by region code and by role only. */
export async function buildRdsClusterPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const identical = [await clusterPair(aws, r, twinNames("role", "ledger", r), {})];
  const planted = [
    {
      ...(await clusterPair(aws, r, twinNames("region-code", "payments", r), { BackupRetentionPeriod: 1 })),
      ruleId: "rds-cluster.backup-retention",
    },
  ];
  return { type: "rds-cluster", identical, planted };
}
