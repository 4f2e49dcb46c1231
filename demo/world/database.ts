import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";

export interface Database {
  primaryArn: string;
  primaryEndpoint: string;
  replicaArn: string;
  replicaEndpoint: string;
}

/** The MySQL primary and its cross-region read replica in the standby region. */
export async function buildDatabase(primary: RDSClient, standby: RDSClient): Promise<Database> {
  const db = await primary.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: "app-db",
      Engine: "mysql",
      EngineVersion: "8.0.39",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: 20,
      MasterUsername: "app",
      MasterUserPassword: "demo-password-not-secret",
      BackupRetentionPeriod: 7,
      MultiAZ: true,
      StorageEncrypted: true,
    }),
  );
  const primaryArn = db.DBInstance?.DBInstanceArn ?? "";
  const replica = await standby.send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: "app-db-replica",
      SourceDBInstanceIdentifier: primaryArn,
      DBInstanceClass: "db.t3.micro",
    }),
  );
  return {
    primaryArn,
    primaryEndpoint: db.DBInstance?.Endpoint?.Address ?? "",
    replicaArn: replica.DBInstance?.DBInstanceArn ?? "",
    replicaEndpoint: replica.DBInstance?.Endpoint?.Address ?? "",
  };
}
