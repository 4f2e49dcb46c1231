import { differ } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import { rdsQuotaCheck } from "../rds-common/quota.js";
import {
  deletionProtectionDiffers,
  encryptionDiffers,
  engineDiffers,
  iamAuthDiffers,
  parametersDiffer,
  retentionDiffers,
  versionDiffers,
} from "../rds-common/compare.js";
import type { NormalizedDbCluster } from "./normalize.js";

type ClusterRule = Rule<NormalizedDbCluster>;

const classes = (list: readonly string[]) => (list.length === 0 ? "no instances" : list.join(", "));

/**
 * A primary in a global database needs its standby to be a secondary of the same one: a detached
 * cluster, or one of another global database, receives none of its writes.
 */
function membershipDiffers(p: NormalizedDbCluster, s: NormalizedDbCluster): Difference[] {
  if (!p.global || p.global.role !== "writer") return [];
  if (s.global?.id === p.global.id && s.global.role === "secondary") return [];
  const standby = !s.global
    ? "is in no global database (detached or never added)"
    : s.global.id !== p.global.id
      ? `is a member of the global database ${s.global.id}`
      : "is the writer";
  return [
    {
      path: "global",
      primary: `${p.global.id} writer`,
      secondary: s.global ? `${s.global.id} ${s.global.role}` : null,
      message: `the primary writes the global database ${p.global.id}, but the standby ${standby}, not a secondary of it`,
    },
  ];
}

function promotableDiffers(p: NormalizedDbCluster, s: NormalizedDbCluster): Difference[] {
  const why = [
    ...(s.status !== "available" ? [`its status is ${s.status || "(unknown)"}, not available`] : []),
    ...(s.global?.failingOver ? [`its global database ${s.global.id} is already failing over`] : []),
  ];
  if (why.length === 0) return [];
  return [
    {
      path: "promotable",
      primary: p.status,
      secondary: s.status,
      message: `the standby cannot be promoted now: ${why.join("; ")}`,
    },
  ];
}

const engineRules: ClusterRule[] = [
  {
    id: "rds-cluster.engine",
    resourceType: "rds-cluster",
    severity: "critical",
    title: "Database engine",
    compares: "the Engine of both clusters (aurora-postgresql, aurora-mysql, ...)",
    rationale: "An application written for one engine cannot use another: the standby cannot take over.",
    remediation:
      "Recreate the standby cluster with the primary's engine (as a secondary of its global database).",
    check: engineDiffers,
  },
  {
    id: "rds-cluster.engine-version",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Engine version",
    compares:
      "EngineVersion of one engine: another major version is high, another minor version of the same major is low",
    rationale:
      "Another major version changes SQL behaviour, extensions and drivers; a minor version differs only in fixes.",
    remediation:
      "Upgrade the older side (modify-db-cluster --engine-version, or modify-global-cluster for a global database).",
    check: versionDiffers,
  },
  {
    id: "rds-cluster.engine-mode",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Engine mode",
    compares: "EngineMode (provisioned, serverless, parallelquery, multimaster)",
    rationale:
      "Another mode scales, connects and fails over differently from what the application was built for.",
    remediation: "Recreate the standby cluster in the primary's engine mode.",
    check: (p, s) =>
      differ(
        "engineMode",
        p.engineMode,
        s.engineMode,
        `the standby's engine mode is ${s.engineMode}, the primary's ${p.engineMode}`,
      ),
  },
];

const capacityRules: ClusterRule[] = [
  {
    id: "rds-cluster.members",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Number of instances",
    compares: "how many DB instances each cluster has (a standby with fewer)",
    rationale:
      "A standby with fewer instances has fewer readers, or none to promote (a headless cluster), after failover.",
    remediation:
      "Add instances to the standby cluster (create-db-instance --db-cluster-identifier <standby>).",
    check: (p, s) =>
      s.instanceClasses.length >= p.instanceClasses.length
        ? []
        : differ(
            "members",
            p.instanceClasses.length,
            s.instanceClasses.length,
            `the standby cluster has ${s.instanceClasses.length} instances, the primary ${p.instanceClasses.length}`,
          ),
  },
  {
    id: "rds-cluster.instance-classes",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Instance classes",
    compares:
      "the instance classes of the members of each cluster, as one sorted list (counted apart by rds-cluster.members)",
    rationale: "Smaller instances cannot carry the primary's load after failover.",
    remediation:
      "Modify the standby's instances to the primary's classes (modify-db-instance --db-instance-class).",
    check: (p, s) => {
      const n = Math.min(p.instanceClasses.length, s.instanceClasses.length);
      const [pc, sc] = [p.instanceClasses.slice(0, n), s.instanceClasses.slice(0, n)];
      return differ(
        "instanceClasses",
        pc,
        sc,
        `the standby's instances are ${classes(s.instanceClasses)}, the primary's ${classes(p.instanceClasses)}`,
      );
    },
  },
  {
    id: "rds-cluster.instance-quota",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Standby region's DB instance quota",
    compares:
      "the standby region's DB instances (DescribeDBInstances) plus the members the primary cluster has beyond the standby's, against the DB instances quota (Service Quotas, rds L-7B6409FD, applied else default); a quota that cannot be read is a low finding saying so",
    rationale:
      "The instances a failover adds to the standby cluster (to carry the primary's readers) fail to create past the quota (InstanceQuotaExceeded), and an increase can take days.",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7B6409FD --desired-value N --region REGION (N: the total the finding names).",
    check: rdsQuotaCheck("dbInstances", "cluster's members"),
  },
  {
    id: "rds-cluster.storage-quota",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Standby region's DB storage quota",
    compares:
      "for Multi-AZ DB clusters (not Aurora, whose cluster volume is outside the quota): the standby region's allocated DB instance storage plus what the primary's members have beyond the standby's, against the Total storage for all DB instances quota (Service Quotas, rds L-7ADDB58A, GiB); a quota that cannot be read is a low finding saying so",
    rationale:
      "Members added or grown on the standby to match the primary fail past the region's storage quota (StorageQuotaExceeded).",
    remediation:
      "Request an increase before it is needed: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7ADDB58A --desired-value N --region REGION (N: the GiB the finding names).",
    check: rdsQuotaCheck("storageGiB", "cluster's members"),
  },
];

const protectionRules: ClusterRule[] = [
  {
    id: "rds-cluster.encryption",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Storage encryption",
    compares: "whether storage is encrypted (StorageEncrypted); the KMS key differs per region by nature",
    rationale:
      "Data the primary keeps encrypted would sit unencrypted after failover, against the same policy.",
    remediation: "Recreate the standby cluster encrypted with a KMS key of its region.",
    check: encryptionDiffers,
  },
  {
    id: "rds-cluster.backup-retention",
    resourceType: "rds-cluster",
    severity: "medium",
    title: "Backup retention",
    compares: "BackupRetentionPeriod",
    rationale: "A promoted standby keeping backups for fewer days allows recovery to fewer points in time.",
    remediation:
      "Set the standby's retention to the primary's (modify-db-cluster --backup-retention-period).",
    check: retentionDiffers,
  },
  {
    id: "rds-cluster.deletion-protection",
    resourceType: "rds-cluster",
    severity: "medium",
    title: "Deletion protection",
    compares: "DeletionProtection",
    rationale: "The cluster that carries production after failover can be deleted by mistake without it.",
    remediation: "Enable deletion protection on the standby (modify-db-cluster --deletion-protection).",
    check: deletionProtectionDiffers,
  },
  {
    id: "rds-cluster.iam-auth",
    resourceType: "rds-cluster",
    severity: "high",
    title: "IAM database authentication",
    compares: "IAMDatabaseAuthenticationEnabled",
    rationale: "Applications that log in with IAM tokens cannot connect to a standby without it.",
    remediation:
      "Enable IAM database authentication on the standby (modify-db-cluster --enable-iam-database-authentication).",
    check: iamAuthDiffers,
  },
  {
    id: "rds-cluster.parameters",
    resourceType: "rds-cluster",
    severity: "medium",
    title: "Cluster parameter group settings",
    compares:
      "the parameters set by people (Source=user) in each side's DB cluster parameter group, by parameter name, for one engine; the groups' names may differ",
    rationale: "Another setting changes how the database behaves the moment traffic moves.",
    remediation:
      "Set the parameter in the standby's cluster parameter group to the primary's value (modify-db-cluster-parameter-group).",
    check: parametersDiffer,
  },
];

const globalRules: ClusterRule[] = [
  {
    id: "rds-cluster.global-membership",
    resourceType: "rds-cluster",
    severity: "critical",
    title: "Secondary of the primary's global database",
    compares:
      "for a primary that writes an Aurora global database: whether the standby is a secondary of the same one",
    rationale:
      "A standby detached from the global database (or in another one) receives none of the primary's writes: it cannot take over with its data.",
    remediation:
      "Add the standby as a secondary cluster of the global database (create-db-cluster --global-cluster-identifier), or fix the pair's secondaryARN.",
    check: membershipDiffers,
  },
  {
    id: "rds-cluster.promotable",
    resourceType: "rds-cluster",
    severity: "high",
    title: "Standby can be promoted",
    compares: "whether the standby's Status is available and its global database is not already failing over",
    rationale: "A standby being modified, stopped or mid-failover cannot be promoted when needed.",
    remediation: "Start or repair the standby cluster, or wait for the global database's failover to finish.",
    check: promotableDiffers,
  },
];

export const rdsClusterRules: ClusterRule[] = [
  ...engineRules,
  ...capacityRules,
  ...protectionRules,
  ...globalRules,
];
