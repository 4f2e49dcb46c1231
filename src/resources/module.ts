import type { AwsOperation } from "../aws/services.js";
import type { RuleInfo } from "../core/finding.js";
import type { AwsClients } from "../aws/client-factory.js";
import type { RegionCache } from "../aws/region-cache.js";
import type { PairKind } from "../pairs/kind.js";
import type { RefKind, Role } from "../core/refs.js";
import type { Collector, Side } from "./side.js";
import type { MatchResult, MatchSides, TwinLink } from "../core/twins.js";
import type { Difference, Rule, ScanSettings } from "../core/rule.js";

/** Two things compared as twins; `label` prefixes every path (e.g. listeners[443]). */
export interface Twin<T> {
  label: string;
  primary: T;
  secondary: T;
}

/**
 * A thing without a twin, reported under the module's `missingRule` (or `rule`). `about` names
 * the resource, so a difference elsewhere that follows from it (an action forwarding to a group
 * with no twin) is reported as its consequence.
 */
export interface Unmatched extends Difference {
  about?: { role: Role; id: string }[];
  rule?: RuleInfo;
}

/** What a resource module found to compare, what has no twin, and which twins it established. */
export interface Twins<T> {
  twins: Twin<T>[];
  unmatched: Unmatched[];
  /** The twins this module matched: other modules' references to them resolve through these. */
  links?: TwinLink[];
  /** Every resource it considered on each side: a reference to anything else does not exist. */
  listed?: Record<Role, { id: string; name: string }[]>;
  /**
   * When its findings change though nothing is changed (ISO 8601): a certificate reaching the
   * expiry threshold. An incremental scan re-reads the pair then, whatever else it hears.
   */
  recheckAt?: string;
}

/** What a pair's modules share beyond the two sides. */
export interface PairContext {
  /** The pair's anchor names and regions, for matching names that differ between regions. */
  names: MatchSides;
  /** The cache of any region (the load balancer a record points at may be anywhere). */
  region: (region: string) => RegionCache;
  /** A read shared by every pair of the scan, made once (Route 53's records: a global service). */
  scanWide<T>(key: string, load: (aws: AwsClients, homeRegion: string) => Promise<T>): Promise<T>;
  /** The scan's settings, for a module whose reads depend on them (when a certificate's finding changes). */
  settings?: ScanSettings;
}

/**
 * One resource type: its rules, the rule that reports a thing without a twin, the IAM actions
 * its collectors need, and how twins are found through the pair (never by ARN).
 */
export interface ResourceModule<T, A = unknown> {
  type: RefKind;
  title: string;
  /** The AWS operations it calls: its IAM actions, the README's table and the policy derive from these. */
  permissions: AwsOperation[];
  rules: Rule<T>[];
  missingRule?: RuleInfo;
  /** Rules this module reports without a check() of their own (resources not found, ...). */
  extraRules?: RuleInfo[];
  twins(primary: Side<A>, standby: Side<A>, context: PairContext): Promise<Twins<T>>;
}

/**
 * A type the scan pairs and compares: how its resources pair (tags, drctl.yaml, what AWS records),
 * and the modules that compare a pair's two anchors and what hangs off them. A load balancer's
 * modules compare it, its listeners, target groups, security groups, certificates and records.
 */
export interface ResourceType<A = unknown> {
  pairing: PairKind<A>;
  modules: readonly ResourceModule<never, A>[];
  /**
   * Its findings rest on state that changes with no API call (an alarm's state): an incremental
   * scan re-reads its pairs on their own cadence, whatever the change signals say.
   */
  readsState?: boolean;
}

/**
 * A type as a scan receives it: its modules at hand, or loaded when the first pair of it is found
 * (the catalogue's types load their modules and AWS SDK clients only then: see lazy-type.ts).
 */
export interface ScanType<A = unknown> {
  pairing: PairKind<A>;
  modules: readonly ResourceModule<never, A>[] | (() => Promise<readonly ResourceModule<never, A>[]>);
  /** As ResourceType's: its findings rest on state no API call changes. */
  readsState?: boolean;
}

/** The modules of a type, loaded if they are not yet. */
export async function modulesOf(type: ScanType<never>): Promise<readonly ResourceModule<unknown>[]> {
  return typeof type.modules === "function" ? await type.modules() : type.modules;
}

/** Twins for a type of which each anchor has exactly one (its attributes, its effective rules). */
export function oneTwin<T, A>(collector: Collector<T, A>): ResourceModule<T, A>["twins"] {
  return async (primary, standby) => {
    const [p, s] = await Promise.all([primary.get(collector), standby.get(collector)]);
    return { twins: [{ label: "", primary: p, secondary: s }], unmatched: [] };
  };
}

/** The rule that reports a resource type that could not be read for a pair. */
export function readErrorRule(module: Pick<ResourceModule<unknown>, "type" | "title">): RuleInfo {
  return {
    id: `${module.type}.unreadable`,
    resourceType: module.type,
    severity: "high",
    title: `${module.title} could not be read`,
    compares:
      "nothing: the AWS calls for this resource type failed (access denied, throttled to exhaustion, not found)",
    rationale:
      "What cannot be read cannot be proven ready; the rest of the pair and every other pair are still checked.",
    remediation:
      "Grant the permissions listed in the README to the scanning role, or retry when throttling has passed.",
  };
}

/** The rule under which two candidates that could both be a resource's twin are reported. */
export function ambiguousTwinRule(module: Pick<ResourceModule<unknown>, "type" | "title">): RuleInfo {
  return {
    id: `${module.type}.ambiguous-twin`,
    resourceType: module.type,
    severity: "medium",
    title: `${module.title}: more than one candidate twin`,
    compares:
      "whether the twin of a resource is clear: two resources of one side whose names come to the same key (region codes and role words removed) are never guessed between",
    rationale:
      "A resource compared with the wrong twin reports differences that are not there and hides those that are.",
    remediation:
      "Rename one of the two (or remove the one no longer used), or use both from the same listener action or rule on each side so the pair shows which is which.",
  };
}

/**
 * The unmatched resources of a twin match as differences: each without a twin, and each group of
 * candidates too alike to choose from. `label` gives a resource's path; `what` names its kind.
 */
export function unmatchedOf(
  match: MatchResult,
  module: Pick<ResourceModule<unknown>, "type" | "title">,
  label: (name: string) => string,
  what: string,
  why: (role: Role, id: string) => string = () => "",
): Unmatched[] {
  const ambiguousIds = new Set(
    match.ambiguous.flatMap((a) => [
      ...a.primary.map((c) => `primary|${c.id}`),
      ...a.standby.map((c) => `standby|${c.id}`),
    ]),
  );
  const out: Unmatched[] = [];
  for (const a of match.ambiguous) {
    const [pNames, sNames] = [a.primary.map((c) => c.name), a.standby.map((c) => c.name)];
    const first = a.primary[0] ?? a.standby[0];
    out.push({
      path: label(first?.name ?? a.key),
      primary: pNames,
      secondary: sNames,
      status: "missing",
      rule: ambiguousTwinRule(module),
      message: `drctl cannot tell which ${what} is which: the primary's ${pNames.join(" and ")} and the standby's ${sNames.join(" and ")} all look alike without their region and role words`,
      about: [
        ...a.primary.map((c) => ({ role: "primary" as const, id: c.id })),
        ...a.standby.map((c) => ({ role: "standby" as const, id: c.id })),
      ],
    });
  }
  for (const c of match.unmatchedPrimary) {
    if (ambiguousIds.has(`primary|${c.id}`)) continue;
    const reason = why("primary", c.id);
    out.push({
      path: label(c.name),
      primary: c.name,
      secondary: null,
      status: "missing",
      about: [{ role: "primary", id: c.id }],
      message: `${what} ${c.name} has no twin on the standby${reason ? ` (${reason})` : ""}`,
    });
  }
  for (const c of match.unmatchedStandby) {
    if (ambiguousIds.has(`standby|${c.id}`)) continue;
    const reason = why("standby", c.id);
    out.push({
      path: label(c.name),
      primary: null,
      secondary: c.name,
      status: "missing",
      about: [{ role: "standby", id: c.id }],
      message: `the standby's ${what} ${c.name} has no twin on the primary${reason ? ` (${reason})` : ""}`,
    });
  }
  return out;
}
