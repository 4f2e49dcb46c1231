import type { DBCluster, DBInstance, GlobalCluster } from "@aws-sdk/client-rds";
import { majorVersion } from "../rds-common/compare.js";
import type { WithRdsQuotas } from "../rds-common/quota.js";

/** A cluster's place in an Aurora global database. */
export interface GlobalRole {
  /** The global database's identifier: one name for all its members, in every region. */
  id: string;
  role: "writer" | "secondary";
  /** A failover or switchover of the global database is under way (FailoverState). */
  failingOver: boolean;
}

/** What the cluster rules compare: meaning only (no names, ARNs of its own, key ARNs or zones). */
export interface NormalizedDbCluster extends WithRdsQuotas {
  status: string;
  engine: string;
  engineVersion: string;
  majorVersion: string;
  engineMode: string;
  /** The instance classes of its members, sorted (one entry a member; serverless v2 is db.serverless). */
  instanceClasses: string[];
  encrypted: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
  iamAuth: boolean;
  /** Parameters set by people in its cluster parameter group, name -> value. */
  parameters: Record<string, string>;
  /** Its global database, or null for a cluster of no global database. */
  global: GlobalRole | null;
}

/** The global database a cluster is a member of, and its role there. */
export function globalRoleOf(arn: string, globals: Iterable<GlobalCluster>): GlobalRole | null {
  for (const g of globals) {
    const member = (g.GlobalClusterMembers ?? []).find((m) => m.DBClusterArn === arn);
    if (!member) continue;
    return {
      id: g.GlobalClusterIdentifier ?? "",
      role: member.IsWriter ? "writer" : "secondary",
      failingOver: g.FailoverState?.Status !== undefined,
    };
  }
  return null;
}

export function normalizeDbCluster(
  cluster: DBCluster,
  instances: readonly DBInstance[],
  parameters: Record<string, string>,
  globals: Iterable<GlobalCluster>,
): NormalizedDbCluster {
  const engine = cluster.Engine ?? "";
  const engineVersion = cluster.EngineVersion ?? "";
  const classOf = new Map(instances.map((i) => [i.DBInstanceIdentifier ?? "", i.DBInstanceClass ?? "?"]));
  return {
    status: cluster.Status ?? "",
    engine,
    engineVersion,
    majorVersion: majorVersion(engine, engineVersion),
    engineMode: cluster.EngineMode ?? "provisioned",
    instanceClasses: (cluster.DBClusterMembers ?? [])
      .map((m) => classOf.get(m.DBInstanceIdentifier ?? "") ?? "?")
      .sort(),
    encrypted: cluster.StorageEncrypted ?? false,
    backupRetentionDays: cluster.BackupRetentionPeriod ?? 0,
    deletionProtection: cluster.DeletionProtection ?? false,
    iamAuth: cluster.IAMDatabaseAuthenticationEnabled ?? false,
    parameters,
    global: globalRoleOf(cluster.DBClusterArn ?? "", globals),
  };
}
