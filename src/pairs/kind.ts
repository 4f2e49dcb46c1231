/**
 * What a type of resource tells the pairing mechanism: which ARNs are its own, how its tagged
 * primaries are found in a region, how its resources are read by ARN, and what AWS itself records
 * as its copies in another region. One mechanism pairs every type with these; a type never writes
 * its own discovery.
 */
import type { Arn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import type { Finding, RuleInfo } from "../core/finding.js";

/** A resource of a type found tagged in a region, described as the type reads it. */
export interface Tagged<R> {
  arn: string;
  name: string;
  resource: R;
  tags: Readonly<Record<string, string | undefined>>;
}

/** A primary and the standby AWS records for it (a read replica names its source). */
export interface Recorded<R = unknown> {
  primaryArn: string;
  standbyArn: string;
  /** How AWS says so, for the report: "the read replica's source". */
  via: string;
  /** The primary as read to find the pair, so that it is not read again; absent: read by ARN. */
  primary?: R;
}

/** The pairs AWS records, and a finding for each region (or resource) that could not be read. */
export interface RecordedPairs<R> {
  found: Recorded<R>[];
  findings: Finding[];
}

export interface PairKind<R> {
  /** The type's id ("load-balancer", "autoscaling-group", ...): findings' resourceType. */
  type: string;
  /** "Load balancer": for messages. */
  title: string;
  /** Whether an ARN names a resource of this type. */
  owns(arn: Arn): boolean;
  /**
   * The resources of a region tagged as primaries (or every resource with its tags: the
   * mechanism decides what the tags say). A tag read that fails for some resources is a finding
   * on those resources; a failure of the whole listing throws.
   */
  tagged(aws: AwsClients, region: string): Promise<{ found: Tagged<R>[]; findings: Finding[] }>;
  /** Resources by ARN, in their own regions and accounts: each ARN to its resource or why not. */
  describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, R | Error>>;
  nameOf(resource: R): string;
  /** Why two resources of the type cannot be compared at all (an ALB against an NLB), if so. */
  incompatible?(primary: R, standby: R): { message: string; primary: unknown; standby: unknown } | undefined;
  /**
   * Pairs AWS itself records for the primaries of these regions (replicas, global members), but
   * for the primaries already `declared` (ARNs found by tag or in drctl.yaml: they need not be
   * read again). A read that fails is a finding (recordedPerRegion); the rest still pair.
   */
  recorded?(
    aws: AwsClients,
    primaryRegions: readonly string[],
    declared: ReadonlySet<string>,
  ): Promise<RecordedPairs<R>>;
  /** Overrides the generic rule for a standby ARN of another type (kept for rule ids in use). */
  otherKindRule?: RuleInfo;
}

/** Two resources of one type, one in each region, ready to compare. */
export interface Pair<R = unknown> {
  kind: PairKind<R>;
  /** The primary's name, which names the pair. */
  name: string;
  /** The standby's name (often not the primary's). */
  standbyName: string;
  /** Where the pair was declared: the DR tags, drctl.yaml, or what AWS records. */
  source: "tags" | "config" | "aws";
  /** How, in words: "the secondaryARN tag", "pairs in drctl.yaml", "the read replica's source". */
  via: string;
  primary: R;
  standby: R;
  primaryArn: string;
  standbyArn: string;
  primaryRegion: string;
  standbyRegion: string;
  primaryAccount: string;
  standbyAccount: string;
  /** The primary's tags as found with it ({} for a pair from drctl.yaml or from what AWS records). */
  primaryTags: Readonly<Record<string, string>>;
}
