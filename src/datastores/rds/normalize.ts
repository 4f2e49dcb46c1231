import type { DBInstance } from "@aws-sdk/client-rds";

/** What the data-protection rules compare of an instance. */
export interface NormalizedDbInstance {
  id: string;
  engine: string;
  engineVersion: string;
  multiAz: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
  encrypted: boolean;
}

export function normalizeDbInstance(db: DBInstance): NormalizedDbInstance {
  return {
    id: db.DBInstanceIdentifier ?? "",
    engine: db.Engine ?? "",
    engineVersion: db.EngineVersion ?? "",
    multiAz: db.MultiAZ ?? false,
    backupRetentionDays: db.BackupRetentionPeriod ?? 0,
    deletionProtection: db.DeletionProtection ?? false,
    encrypted: db.StorageEncrypted ?? false,
  };
}
