/**
 * The standby region's RDS quotas, shared by DB instances and DB clusters: how many DB instances
 * (rds L-7B6409FD) and how much storage (rds L-7ADDB58A, GiB) the region holds, against what it
 * uses now (from the region's instance list, read once a run) plus what a failover adds there.
 * Aurora's cluster volumes do not count against the storage quota; only the instances' allocated
 * storage of the other engines does.
 */
import type { DBInstance } from "@aws-sdk/client-rds";
import type { RegionCache } from "../../aws/region-cache.js";
import { QUOTAS, quotaIn } from "../../aws/service-quotas.js";
import type { Difference } from "../../core/rule.js";
import { quotaDifferences, type QuotaUsage } from "../quota-check.js";
import { regionInstances } from "./list.js";

/** How many DB instances, and how much of the storage quota, a database (and what goes with it) takes. */
export interface RdsFootprint {
  instances: number;
  storageGiB: number;
}

/** The standby region's use of its DB instance and storage quotas. */
export interface RdsRegionQuotas {
  dbInstances: QuotaUsage;
  storageGiB: QuotaUsage;
}

/** Aurora's storage is its cluster volume, outside the storage quota (its instances say 1 GiB). */
const countsStorage = (db: DBInstance) => !(db.Engine ?? "").startsWith("aurora");

/** The DB instances and storage quota these instances take. */
export function footprintOf(instances: Iterable<DBInstance>): RdsFootprint {
  let count = 0;
  let storageGiB = 0;
  for (const db of instances) {
    count++;
    if (countsStorage(db)) storageGiB += db.AllocatedStorage ?? 0;
  }
  return { instances: count, storageGiB };
}

/** The instances of the region's list with these identifiers (ARNs name other regions' and are left out). */
export function instancesNamed(all: ReadonlyMap<string, DBInstance>, ids: Iterable<string>): DBInstance[] {
  const wanted = new Set(ids);
  return [...all.values()].filter((db) => wanted.has(db.DBInstanceIdentifier ?? ""));
}

/** The region's use of both quotas, read once per region: the instance list is the pairing's. */
export async function rdsRegionQuotas(cache: RegionCache): Promise<RdsRegionQuotas> {
  const [instances, dbQuota, storageQuota] = await Promise.all([
    regionInstances(cache).then(
      (all) => ({ used: footprintOf(all.values()) }),
      (err: unknown) => ({ error: (err as Error).message }),
    ),
    quotaIn(cache, QUOTAS.dbInstances),
    quotaIn(cache, QUOTAS.dbStorage),
  ]);
  const region = cache.region;
  const inUse = (pick: (f: RdsFootprint) => number) =>
    "used" in instances ? { count: pick(instances.used) } : { error: instances.error };
  return {
    dbInstances: { region, inUse: inUse((f) => f.instances), quota: dbQuota },
    storageGiB: { region, inUse: inUse((f) => f.storageGiB), quota: storageQuota },
  };
}

/** A database pair's footprints and, on the standby, its region's quotas: what the rules below read. */
export interface WithRdsQuotas {
  footprint?: RdsFootprint;
  regionQuotas?: RdsRegionQuotas;
}

/**
 * Whether the standby region holds the DB instances (or storage) the primary takes beyond what
 * the standby takes already, on top of what the region uses now.
 */
export function rdsQuotaCheck(
  which: "dbInstances" | "storageGiB",
  what: string,
): (p: WithRdsQuotas, s: WithRdsQuotas) => Difference[] {
  const unit = which === "dbInstances" ? "DB instances" : "GiB of DB instance storage";
  const pick = (f: RdsFootprint) => (which === "dbInstances" ? f.instances : f.storageGiB);
  return (p, s) => {
    const usage = s.regionQuotas?.[which];
    if (!usage || !p.footprint || !s.footprint) return [];
    const [onPrimary, onStandby] = [pick(p.footprint), pick(s.footprint)];
    return quotaDifferences({
      path: `regionQuotas.${which}`,
      usage,
      adds: onPrimary - onStandby,
      unit,
      because: `the primary's ${what} take${onPrimary === 1 ? "s" : ""} ${onPrimary}, the standby's ${onStandby}`,
    });
  };
}
