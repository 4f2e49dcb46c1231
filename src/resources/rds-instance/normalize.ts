import type { DBInstance, OptionGroup } from "@aws-sdk/client-rds";
import { majorVersion } from "../rds-common/compare.js";
import type { WithRdsQuotas } from "../rds-common/quota.js";

/** What the instance rules compare: meaning only (no names, ARNs of its own, key ARNs or zones). */
export interface NormalizedDbInstance extends WithRdsQuotas {
  /** Its own ARN: only to tell whether a read replica standby replicates this primary. */
  arn: string;
  status: string;
  engine: string;
  engineVersion: string;
  /** The version a major upgrade changes ("15" of 15.4, "8.0" of 8.0.35). */
  majorVersion: string;
  instanceClass: string;
  storageType: string;
  allocatedGiB: number;
  multiAz: boolean;
  encrypted: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
  iamAuth: boolean;
  performanceInsights: boolean;
  /** Parameters set by people in its parameter groups, name -> value. */
  parameters: Record<string, string>;
  /** Options of its option group, name -> their settings in words. */
  options: Record<string, string>;
  /** For a read replica: the ARN (or, in its own region, the identifier) of its source. */
  replicaSource: string | null;
}

/** An option in words: its version, port and settings with a value, in a stable order. */
export function optionsOf(group: OptionGroup | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of group?.Options ?? []) {
    if (!o.OptionName) continue;
    const settings = (o.OptionSettings ?? [])
      .filter((s) => s.Name && s.Value !== undefined && s.Value !== "")
      .map((s) => `${s.Name ?? ""}=${s.Value ?? ""}`)
      .sort();
    const parts = [
      ...(o.OptionVersion ? [`version ${o.OptionVersion}`] : []),
      ...(o.Port !== undefined ? [`port ${o.Port}`] : []),
      ...settings,
    ];
    out[o.OptionName] = parts.length > 0 ? parts.join(", ") : "(on)";
  }
  return out;
}

export function normalizeDbInstance(
  db: DBInstance,
  parameters: Record<string, string>,
  optionGroup: OptionGroup | undefined,
): NormalizedDbInstance {
  const engine = db.Engine ?? "";
  const engineVersion = db.EngineVersion ?? "";
  return {
    arn: db.DBInstanceArn ?? "",
    status: db.DBInstanceStatus ?? "",
    engine,
    engineVersion,
    majorVersion: majorVersion(engine, engineVersion),
    instanceClass: db.DBInstanceClass ?? "",
    storageType: db.StorageType ?? "",
    allocatedGiB: db.AllocatedStorage ?? 0,
    multiAz: db.MultiAZ ?? false,
    encrypted: db.StorageEncrypted ?? false,
    backupRetentionDays: db.BackupRetentionPeriod ?? 0,
    deletionProtection: db.DeletionProtection ?? false,
    iamAuth: db.IAMDatabaseAuthenticationEnabled ?? false,
    performanceInsights: db.PerformanceInsightsEnabled ?? false,
    parameters,
    options: optionsOf(optionGroup),
    replicaSource: db.ReadReplicaSourceDBInstanceIdentifier ?? null,
  };
}
