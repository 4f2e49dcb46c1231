import type { AwsOperation } from "../aws/services.js";
/**
 * The vocabulary of freshness: a data store of a primary region, the ways its data reaches the
 * standby region (protections), and what measuring one says. A data-store type is one folder of
 * src/datastores/ and one line of the catalogue (src/catalog.ts); the engine, the permission table and the docs
 * derive the rest from what the type declares here.
 */
import type { AwsClients } from "../aws/client-factory.js";
import type { Arn } from "../aws/arn.js";
import type { Evidence } from "../core/freshness-result.js";
import type { RuleInfo } from "../core/finding.js";
import type { RegionCache } from "../aws/region-cache.js";
import type { Rule } from "../core/rule.js";
import type { MetricReader } from "../aws/metrics.js";

/** A data store of a primary region, protected or not. */
export interface PrimaryStore {
  /** The store type that found it ("rds", "dynamodb", ...). */
  type: string;
  arn: string;
  name: string;
  region: string;
  /** The rules about the primary alone (the standby side null), checked whether or not it has a copy. */
  posture?: Posture<unknown>;
}

/** What a measurement found: how far behind the standby is, and on what evidence. */
export interface Measurement {
  /** The age of the newest primary data the standby lacks, in seconds; absent when not known. */
  exposureSeconds?: number;
  /** The exposure is a lower bound (a marker that never arrived in time). */
  atLeast?: boolean;
  resolutionSeconds?: number;
  measuredBy: string;
  evidence: Evidence[];
  /** Replication stopped, the destination missing, copies failing: why, and the fix. */
  broken?: { reason: string; fix: string };
  /** No way to tell (no data points, metrics not enabled): why, and how to make it measurable. */
  unknown?: { reason: string; fix: string };
}

/** The pair of descriptions a type's posture rules compare (the standby's is null when there is none). */
export interface Posture<T> {
  rules: readonly Rule<T>[];
  primary: T;
  standby: T;
}

/** One way a store's data reaches the standby region, and how to measure how far behind it is. */
export interface Protection {
  /** rds-read-replica, dynamodb-global-table, s3-replication, ami-copy, ... */
  kind: string;
  primary: PrimaryStore;
  standbyArn: string | null;
  standbyRegion: string | null;
  measure(ctx: FreshnessContext): Promise<Measurement>;
  /** The data-protection rules over both sides, when the type has some for this protection. */
  posture?: Posture<unknown>;
}

export interface FreshnessSettings {
  /** RDS backup retention expected on the primary, in days (dr-plan.md: 7-30). */
  backupRetentionDays: { min: number; max: number };
}

export interface FreshnessContext {
  aws: AwsClients;
  now: Date;
  /** The window metrics are read over (the worst value in it is the exposure). */
  windowSeconds: number;
  metrics: MetricReader;
  /** Region-wide lists, read once per region and account. */
  region(region: string): RegionCache;
  primaryRegions: readonly string[];
  standbyRegions: readonly string[];
  settings: FreshnessSettings;
}

/**
 * A region a primary store's data is copied to, as AWS records it on the primary's side (a
 * replica's ARN, a global table's replica regions, a replication rule's destination bucket):
 * where the standby is, without being told.
 */
export interface StandbyHint {
  /** The primary store's ARN. */
  store: string;
  region: string;
  /** What says so, for people: "the read replica arn:aws:rds:eu-west-1:...:db:app-db-replica". */
  via: string;
}

/** What a store type found. */
export interface Discovered {
  stores: PrimaryStore[];
  protections: Protection[];
  /** Checks of a region as a whole (the standby's launch templates launch images it has). */
  regionPosture?: { region: string; subject: string; posture: Posture<unknown> }[];
}

/** A kind of data store: how it is listed, the protections AWS records for it, its posture rules. */
export interface StoreType {
  type: string;
  title: string;
  /** The AWS operations it calls: its IAM actions, the README's table and the policy derive from these. */
  permissions: AwsOperation[];
  /** Whether an ARN names one of this type's stores (a secondaryARN tag, a pair in drctl.yaml). */
  owns(arn: Arn): boolean;
  /**
   * The stores of the primary regions and every protection AWS records for them, from
   * region-wide lists of the primary and standby regions (per store only what has no list form).
   */
  discover(ctx: FreshnessContext): Promise<Discovered>;
  /**
   * The regions the primaries' own descriptions name as holding their copies, read from the
   * primary regions' lists only (discover() reads the same lists again from the cache). Absent:
   * the type's copies are recorded only where they are (snapshot and image copies).
   */
  standbyHints?(ctx: FreshnessContext): Promise<StandbyHint[]>;
  /** The posture rules it may report, for docs/rules.md and the rule catalogue. */
  rules: readonly RuleInfo[];
}

/** The rule under which a data-store type that could not be listed or measured is reported. */
export function storeReadError(type: Pick<StoreType, "type" | "title">): RuleInfo {
  return {
    id: `${type.type}.unreadable`,
    resourceType: type.type,
    severity: "high",
    title: `${type.title} could not be read`,
    compares: "nothing: the AWS calls that list this type's stores or measure them failed",
    rationale: "What cannot be read cannot be said to be protected; every other store is still measured.",
    remediation:
      "Grant the permissions listed in the README to the role drctl runs as, or retry when throttling has passed.",
  };
}
