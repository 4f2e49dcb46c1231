/**
 * What AWS said changed, and when: the input of an incremental scan. A change names resources by
 * whatever the signal carries (ARNs, ids, names); the scan maps them to pairs through what each
 * pair read last time, so a signal never has to know what a pair is.
 */

/** Where a change was learnt: CloudTrail's LookupEvents, AWS Config, or the deployment's event rule. */
export type ChangeSource = "cloudtrail" | "config" | "event-rule";

export interface ChangeSignal {
  source: ChangeSource;
  /** What happened: the API call (ModifyListener) or, from AWS Config, the resource type (AWS::EC2::SecurityGroup). */
  what: string;
  /** When AWS says it happened (ISO 8601): the event time, or the configuration item's capture time. */
  at: string;
  region: string;
  /** The account it happened in, where the signal says. */
  account?: string;
  /** ARNs and ids of every resource the change names: its resources, and the ids in its request. */
  resources: string[];
  /**
   * When the history recorded it (the event rule's delivery can come minutes, after retries hours,
   * after the change): a change recorded after a pair's read re-reads it even if it happened before.
   */
  recordedAt?: string;
}

/** What one signal said for one region and account since a time, or why it could not say. */
export interface SignalReport {
  source: ChangeSource;
  region: string;
  account?: string;
  changes: ChangeSignal[];
  /** Why this signal could not be used here (denied, not enabled); the sweep covers what it would have. */
  unavailable?: string;
  /** More changes than it is worth listing: everything is read instead. */
  overflow?: boolean;
  /**
   * Resource types (drctl's, e.g. "load-balancer") this signal cannot see here (a Config recorder
   * that does not record them): a change to them is found only by another signal or the sweep.
   */
  notCovered?: string[];
}
