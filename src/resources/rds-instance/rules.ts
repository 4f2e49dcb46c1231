import { diffMaps, differ, show } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import {
  deletionProtectionDiffers,
  encryptionDiffers,
  engineDiffers,
  iamAuthDiffers,
  parametersDiffer,
  retentionDiffers as retentionDaysDiffer,
  switchDiffers,
  versionDiffers,
} from "../rds-common/compare.js";
import type { NormalizedDbInstance } from "./normalize.js";
import { rdsQuotaCheck } from "../rds-common/quota.js";

type DbRule = Rule<NormalizedDbInstance>;

/**
 * Settings of one engine mean nothing to another: with another engine (reported on its own) its
 * version, parameters and options are not compared.
 */
const sameEngine = (p: NormalizedDbInstance, s: NormalizedDbInstance) => p.engine === s.engine;

/** Backup retention: none at all on the standby while the primary keeps backups is high. */
function retentionDiffers(p: NormalizedDbInstance, s: NormalizedDbInstance): Difference[] {
  if (p.backupRetentionDays === s.backupRetentionDays || s.backupRetentionDays !== 0)
    return retentionDaysDiffer(p, s);
  return [
    {
      path: "backupRetentionDays",
      primary: p.backupRetentionDays,
      secondary: s.backupRetentionDays,
      message: `the standby keeps no automated backups (retention 0 days), the primary keeps them ${p.backupRetentionDays} days: once promoted it has no point-in-time recovery`,
      severity: "high",
    },
  ];
}

function replicaDiffers(p: NormalizedDbInstance, s: NormalizedDbInstance): Difference[] {
  const source = s.replicaSource;
  if (source === null || source === p.arn) return [];
  return [
    {
      path: "replicaSource",
      primary: p.arn,
      secondary: source,
      message: `the standby is a read replica of ${source}, not of this primary (${p.arn}): promoting it does not bring this primary's data`,
    },
  ];
}

const engineRules: DbRule[] = [
  {
    id: "rds-instance.engine",
    resourceType: "rds-instance",
    severity: "critical",
    title: "Database engine",
    compares: "the Engine of both instances (postgres, mysql, aurora-..., oracle-ee, sqlserver-se, ...)",
    rationale: "An application written for one engine cannot use another: the standby cannot take over.",
    remediation:
      "Recreate the standby with the primary's engine (a cross-region read replica of the primary has it).",
    check: engineDiffers,
  },
  {
    id: "rds-instance.engine-version",
    resourceType: "rds-instance",
    severity: "high",
    title: "Engine version",
    compares:
      "EngineVersion of one engine: another major version is high, another minor version of the same major is low",
    rationale:
      "Another major version changes SQL behaviour, extensions and drivers; a minor version differs only in fixes.",
    remediation:
      "Upgrade the older side (modify-db-instance --engine-version, with --allow-major-version-upgrade for a major version).",
    check: versionDiffers,
  },
  {
    id: "rds-instance.replica-source",
    resourceType: "rds-instance",
    severity: "critical",
    title: "Read replica of this primary",
    compares: "for a standby that is a read replica: whether its source is this primary",
    rationale:
      "A replica of another instance holds another database: promoting it loses this primary's data.",
    remediation:
      "Create the standby as a cross-region read replica of this primary (create-db-instance-read-replica --source-db-instance-identifier <primary ARN>), or fix the pair's secondaryARN.",
    check: replicaDiffers,
  },
  {
    id: "rds-instance.status",
    resourceType: "rds-instance",
    severity: "high",
    title: "Standby available",
    compares: "whether the standby's DBInstanceStatus is available (a replica can be promoted only then)",
    rationale:
      "A standby that is stopped, failed, storage-full or being modified cannot be promoted when needed.",
    remediation:
      "Start or repair the standby instance (start-db-instance, or resolve the state the console shows).",
    check: (p, s) =>
      s.status === "available"
        ? []
        : [
            {
              path: "status",
              primary: p.status,
              secondary: s.status,
              message: `the standby's status is ${s.status || "(unknown)"}, not available (the primary's: ${p.status || "(unknown)"})`,
            },
          ],
  },
];

const capacityRules: DbRule[] = [
  {
    id: "rds-instance.instance-class",
    resourceType: "rds-instance",
    severity: "high",
    title: "Instance class",
    compares: "DBInstanceClass (CPU and memory)",
    rationale: "A smaller standby cannot carry the primary's load after failover.",
    remediation: "Modify the standby to the primary's class (modify-db-instance --db-instance-class).",
    check: (p, s) =>
      differ(
        "instanceClass",
        p.instanceClass,
        s.instanceClass,
        `the standby's instance class is ${s.instanceClass}, the primary's ${p.instanceClass}`,
      ),
  },
  {
    id: "rds-instance.storage-type",
    resourceType: "rds-instance",
    severity: "medium",
    title: "Storage type",
    compares: "StorageType (gp2, gp3, io1, io2, standard)",
    rationale: "Another storage type gives other IOPS and throughput under the same load.",
    remediation: "Modify the standby's storage type (modify-db-instance --storage-type).",
    check: (p, s) =>
      differ(
        "storageType",
        p.storageType,
        s.storageType,
        `the standby's storage type is ${s.storageType}, the primary's ${p.storageType}`,
      ),
  },
  {
    id: "rds-instance.allocated-storage",
    resourceType: "rds-instance",
    severity: "high",
    title: "Allocated storage",
    compares: "AllocatedStorage: a standby smaller than the primary (a larger one is fine)",
    rationale: "A standby with less storage fills up, or cannot hold what the primary holds.",
    remediation: "Grow the standby's storage (modify-db-instance --allocated-storage).",
    check: (p, s) =>
      s.allocatedGiB >= p.allocatedGiB
        ? []
        : differ(
            "allocatedGiB",
            p.allocatedGiB,
            s.allocatedGiB,
            `the standby has ${s.allocatedGiB} GiB of storage, the primary ${p.allocatedGiB} GiB`,
          ),
  },
  {
    id: "rds-instance.instance-quota",
    resourceType: "rds-instance",
    severity: "high",
    title: "Standby region's DB instance quota",
    compares:
      "the standby region's DB instances (DescribeDBInstances) plus the instances the primary and its read replicas in its region count beyond the standby's, against the DB instances quota (Service Quotas, rds L-7B6409FD, applied else default); a quota that cannot be read is a low finding saying so",
    rationale:
      "Read replicas the primary relies on must be created again in the standby's region after failover; past the quota RDS refuses them (InstanceQuotaExceeded), and an increase can take days.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7B6409FD --desired-value N --region REGION (N: the total the finding names).",
    check: rdsQuotaCheck("dbInstances", "DB instance and its read replicas in its region"),
  },
  {
    id: "rds-instance.storage-quota",
    resourceType: "rds-instance",
    severity: "high",
    title: "Standby region's DB storage quota",
    compares:
      "the standby region's allocated storage of its DB instances (Aurora's cluster volumes excluded) plus the storage the primary and its read replicas in its region have beyond the standby's, against the Total storage for all DB instances quota (Service Quotas, rds L-7ADDB58A, GiB); a quota that cannot be read is a low finding saying so",
    rationale:
      "Growing the standby to the primary's storage, or creating its replicas, fails past the region's storage quota (StorageQuotaExceeded) exactly when the standby must take the load.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7ADDB58A --desired-value N --region REGION (N: the GiB the finding names).",
    check: rdsQuotaCheck("storageGiB", "DB instance and its read replicas in its region"),
  },
  {
    id: "rds-instance.multi-az",
    resourceType: "rds-instance",
    severity: "high",
    title: "Multi-AZ",
    compares: "MultiAZ",
    rationale: "A single-AZ standby loses the service again at the next zone failure once it is the primary.",
    remediation: "Enable Multi-AZ on the standby (modify-db-instance --multi-az), or on the primary.",
    check: (p, s) => switchDiffers("multiAz", "Multi-AZ", p.multiAz, s.multiAz),
  },
];

const protectionRules: DbRule[] = [
  {
    id: "rds-instance.encryption",
    resourceType: "rds-instance",
    severity: "high",
    title: "Storage encryption",
    compares: "whether storage is encrypted (StorageEncrypted); the KMS key differs per region by nature",
    rationale:
      "Data the primary keeps encrypted would sit unencrypted after failover, against the same policy.",
    remediation:
      "Recreate the standby encrypted (a cross-region read replica of an encrypted primary with --kms-key-id of the standby's region).",
    check: encryptionDiffers,
  },
  {
    id: "rds-instance.backup-retention",
    resourceType: "rds-instance",
    severity: "medium",
    title: "Backup retention",
    compares: "BackupRetentionPeriod; none at all on the standby while the primary keeps backups is high",
    rationale: "A promoted standby without automated backups has no point-in-time recovery.",
    remediation:
      "Set the standby's retention to the primary's (modify-db-instance --backup-retention-period).",
    check: retentionDiffers,
  },
  {
    id: "rds-instance.deletion-protection",
    resourceType: "rds-instance",
    severity: "medium",
    title: "Deletion protection",
    compares: "DeletionProtection",
    rationale: "The instance that carries production after failover can be deleted by mistake without it.",
    remediation: "Enable deletion protection on the standby (modify-db-instance --deletion-protection).",
    check: deletionProtectionDiffers,
  },
  {
    id: "rds-instance.iam-auth",
    resourceType: "rds-instance",
    severity: "high",
    title: "IAM database authentication",
    compares: "IAMDatabaseAuthenticationEnabled",
    rationale: "Applications that log in with IAM tokens cannot connect to a standby without it.",
    remediation:
      "Enable IAM database authentication on the standby (modify-db-instance --enable-iam-database-authentication).",
    check: iamAuthDiffers,
  },
  {
    id: "rds-instance.performance-insights",
    resourceType: "rds-instance",
    severity: "low",
    title: "Performance Insights",
    compares: "PerformanceInsightsEnabled",
    rationale: "Without it the promoted standby's load cannot be diagnosed as the primary's was.",
    remediation:
      "Enable Performance Insights on the standby (modify-db-instance --enable-performance-insights).",
    check: (p, s) =>
      switchDiffers(
        "performanceInsights",
        "Performance Insights",
        p.performanceInsights,
        s.performanceInsights,
      ),
  },
];

const settingsRules: DbRule[] = [
  {
    id: "rds-instance.parameters",
    resourceType: "rds-instance",
    severity: "medium",
    title: "Parameter group settings",
    compares:
      "the parameters set by people (Source=user) in each side's DB parameter groups, by parameter name, for one engine; the groups' names may differ",
    rationale:
      "Another max_connections, timeout or SQL mode changes how the database behaves the moment traffic moves.",
    remediation:
      "Set the parameter in the standby's parameter group to the primary's value (modify-db-parameter-group), or fix the primary.",
    check: parametersDiffer,
  },
  {
    id: "rds-instance.options",
    resourceType: "rds-instance",
    severity: "medium",
    title: "Option group options",
    compares:
      "the options of each side's option group by option name, with their version, port and settings, for one engine",
    rationale:
      "An option the application uses (TDE, timezone, audit, native backup) missing on the standby breaks it.",
    remediation:
      "Add the option with the primary's settings to the standby's option group (add-option-to-option-group).",
    check: (p, s) =>
      !sameEngine(p, s)
        ? []
        : diffMaps("options", p.options, s.options, (name, a, b) =>
            a === undefined
              ? `the standby has option ${name} (${show(b)}) that the primary lacks`
              : b === undefined
                ? `the standby lacks option ${name} (${show(a)}) that the primary has`
                : `option ${name} is ${show(b)} on the standby, ${show(a)} on the primary`,
          ),
  },
];

export const rdsInstanceRules: DbRule[] = [
  ...engineRules,
  ...capacityRules,
  ...protectionRules,
  ...settingsRules,
];
