import type { RecordIndex } from "../resources/route53/collect.js";
import type { Collector, Side } from "./side.js";
import type { Difference, Rule } from "./types.js";
import type { ResourceType, RuleInfo } from "../core/finding.js";

/** Two things compared as twins; `label` prefixes every path (e.g. listeners[443]). */
export interface Twin<T> {
  label: string;
  primary: T;
  secondary: T;
}

/** What a resource module found to compare, and what has no twin (reported under `missingRule`). */
export interface Twins<T> {
  twins: Twin<T>[];
  unmatched: Difference[];
}

/** What a pair's modules share beyond the two sides. */
export interface PairContext {
  records: () => Promise<RecordIndex>;
}

/**
 * One resource type: its rules, the rule that reports a thing without a twin, the IAM actions
 * its collectors need, and how twins are found through the pair (never by ARN).
 */
export interface ResourceModule<T> {
  type: ResourceType;
  title: string;
  permissions: string[];
  rules: Rule<T>[];
  missingRule?: RuleInfo;
  twins(primary: Side, standby: Side, context: PairContext): Promise<Twins<T>>;
}

/** Twins for a type of which each load balancer has exactly one (its attributes, its effective rules). */
export function oneTwin<T>(collector: Collector<T>): ResourceModule<T>["twins"] {
  return async (primary, standby) => {
    const [p, s] = await Promise.all([primary.get(collector), standby.get(collector)]);
    return { twins: [{ label: "", primary: p, secondary: s }], unmatched: [] };
  };
}
