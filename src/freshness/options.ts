import type { DrctlConfig } from "../config/schema.js";
import type { Measurement, Protection, StoreType } from "../datastores/type.js";

/** What a freshness run is asked: where to look, against which targets, with which types. */
export interface FreshnessOptions {
  primaryRegions: readonly string[];
  /**
   * The regions to look for copies in as given (--standby-region, regions.standby), possibly
   * none: the regions AWS records copies in (a replica's, a global table's replicas', a
   * replication rule's destination bucket's, a secondaryARN tag's) are always added, so a store
   * with a copy elsewhere is never called unprotected.
   */
  standbyRegions: readonly string[];
  /** Where the given standby regions come from, for people ("--standby-region"). */
  standbyFrom?: string;
  config: Pick<DrctlConfig, "rpo" | "applications" | "pairs" | "freshness" | "suppressions">;
  now: Date;
  /** Measures, by writing a marker, the protections it covers: what it says replaces the metrics. */
  canary?: (p: Protection) => Promise<Measurement> | undefined;
  /** The data-store types to measure with (the catalogue's, or fewer in a test). */
  types: readonly StoreType[];
  concurrency?: number;
  backupRetentionDays?: { min: number; max: number };
}
