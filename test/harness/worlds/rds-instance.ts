/** DB instance pairs: twins alike in meaning, and a pair with one planted difference. */
import { CreateDBInstanceCommand, RDSClient, type CreateDBInstanceCommandInput } from "@aws-sdk/client-rds";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

export const DB_INSTANCE = {
  Engine: "postgres",
  EngineVersion: "15.4",
  DBInstanceClass: "db.t3.micro",
  AllocatedStorage: 20,
  StorageType: "gp3",
  MasterUsername: "orders",
  MasterUserPassword: "not-a-secret-1",
  BackupRetentionPeriod: 7,
  StorageEncrypted: true,
} satisfies Partial<CreateDBInstanceCommandInput>;

/** A DB instance like DB_INSTANCE, `over` changed; its ARN. */
export async function createDbInstance(
  aws: AwsClients,
  region: string,
  id: string,
  over: Partial<CreateDBInstanceCommandInput> = {},
): Promise<string> {
  const out = await aws
    .get(RDSClient, region)
    .send(new CreateDBInstanceCommand({ ...DB_INSTANCE, DBInstanceIdentifier: id, ...over }));
  return required(out.DBInstance?.DBInstanceArn, `ARN for DB instance ${id}`);
}

async function instancePair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standby: Partial<CreateDBInstanceCommandInput>,
) {
  const standbyArn = await createDbInstance(aws, r.standbyRegion, names.standby, standby);
  const primaryArn = await createDbInstance(aws, r.primaryRegion, names.primary, {
    Tags: drTagList(standbyArn),
  });
  return { name: names.primary, primaryArn, standbyArn };
}

/** DB identifiers are lower case, so these twins are named by region code and by role only. */
export async function buildRdsInstancePairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const identical = [await instancePair(aws, r, twinNames("region-code", "orders-db", r), {})];
  const planted = [
    {
      ...(await instancePair(aws, r, twinNames("role", "billing-db", r), { BackupRetentionPeriod: 1 })),
      ruleId: "rds-instance.backup-retention",
    },
  ];
  return { type: "rds-instance", identical, planted };
}
