import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RuleInfo } from "../../core/finding.js";
import type { TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  ambiguousTwinRule,
  unmatchedOf,
  type PairContext,
  type ResourceModule,
  type Twin,
  type Unmatched,
} from "../module.js";
import type { Role } from "../../core/refs.js";
import type { Collector, Side } from "../side.js";
import { nameKeyer } from "../../core/twin-names.js";
import {
  matchTwins,
  type MatchResult,
  type TwinCandidate,
  type TwinEvidence,
  type TwinLink,
} from "../../core/twins.js";
import { listenersCollector } from "../listener/index.js";
import { targetGroupName } from "../listener/normalize.js";
import {
  collectTargetGroups,
  readTargetGroup,
  TARGET_GROUP_PERMISSIONS,
  type CollectedTargetGroups,
} from "./collect.js";
import type { NormalizedTargetGroup } from "./normalize.js";
import type { NormalizedListener } from "../listener/normalize.js";
import { TARGET_GROUPS } from "./list.js";
import { targetGroupRules } from "./rules.js";

export const targetGroupsCollector: Collector<CollectedTargetGroups, LoadBalancer> = {
  type: "target-group",
  async collect(side) {
    const listeners = await side.get(listenersCollector);
    return collectTargetGroups(
      side.cache,
      side.arn,
      listeners.flatMap((l) => l.targetGroupUses.map((u) => u.arn)),
    );
  },
};

const missingTargetGroup: RuleInfo = {
  id: "target-group.missing",
  resourceType: "target-group",
  severity: "high",
  title: "Target group without a twin",
  compares:
    "target groups matched through the listener action or rule that uses them, then by name, by name without region codes and role words, then by shape",
  rationale: "Traffic the primary sends to this group has nowhere equivalent to go on the standby.",
  remediation:
    "Create the target group on the standby with the primary's settings and use it from the same listener action.",
};

const notFound: RuleInfo = {
  id: "target-group.not-found",
  resourceType: "target-group",
  severity: "high",
  title: "A listener uses a target group that does not exist",
  compares:
    "whether every target group a listener action or rule names is in the region's list of target groups",
  rationale:
    "An action that forwards to a group that is not there answers 503 (or the group was deleted while the scan ran).",
  remediation:
    "Point the listener action at an existing target group, or recreate the group; then scan again.",
};

/** What a group is without its name: two groups of the same shape may be twins. */
const shape = (values: unknown[]) => JSON.stringify(values.map((v) => v ?? null));
const shapeOf = (tg: NormalizedTargetGroup) =>
  shape([
    tg.protocol,
    tg.port,
    tg.targetType,
    tg.healthCheck.protocol,
    tg.healthCheck.path,
    tg.healthCheck.matcherHttp,
  ]);
const shapeOfListed = (tg: TargetGroup) =>
  shape([
    tg.Protocol,
    tg.Port,
    tg.TargetType,
    tg.HealthCheckProtocol,
    tg.HealthCheckPath,
    tg.Matcher?.HttpCode,
  ]);

/** A group of the region no load balancer uses, as a candidate twin. */
interface Unused {
  candidate: TwinCandidate;
  group: TargetGroup;
}

/** The region's groups no load balancer uses whose name (or name without region and role) is one of `others`'. */
async function unusedNamedLike(
  side: Side<LoadBalancer>,
  own: CollectedTargetGroups,
  others: readonly TwinCandidate[],
  role: Role,
  context: PairContext,
): Promise<Unused[]> {
  const otherRole: Role = role === "primary" ? "standby" : "primary";
  const [ownKey, otherKey] = [nameKeyer(context.names[role]), nameKeyer(context.names[otherRole])];
  const wanted = new Set(others.flatMap((o) => [o.name.toLowerCase(), otherKey(o.name)]));
  const all = await side.cache.list(TARGET_GROUPS);
  return [...all.values()]
    .filter(
      (tg) =>
        (tg.LoadBalancerArns ?? []).length === 0 &&
        !own.found.has(tg.TargetGroupArn ?? "") &&
        (wanted.has((tg.TargetGroupName ?? "").toLowerCase()) ||
          wanted.has(ownKey(tg.TargetGroupName ?? ""))),
    )
    .map((tg) => ({
      group: tg,
      candidate: {
        id: tg.TargetGroupArn ?? "",
        name: tg.TargetGroupName ?? "",
        shape: shapeOfListed(tg),
      },
    }));
}

type Listeners = NormalizedListener[];

const candidatesOf = (groups: CollectedTargetGroups): TwinCandidate[] =>
  [...groups.found].map(([id, tg]) => ({ id, name: tg.name, shape: shapeOf(tg) }));

/** Through the pair: the groups the same listener position (port, default or rule, weight) uses. */
function evidenceOf(pl: Listeners, sl: Listeners): TwinEvidence[] {
  const standbyUses = new Map<string, string[]>();
  for (const u of sl.flatMap((l) => l.targetGroupUses))
    standbyUses.set(u.key, [...(standbyUses.get(u.key) ?? []), u.arn]);
  return pl
    .flatMap((l) => l.targetGroupUses)
    .flatMap((u) =>
      (standbyUses.get(u.key) ?? []).map((s) => ({ primaryId: u.arn, standbyId: s, via: u.via })),
    );
}

/** Where a group is used, in words ("listener 443 default action"). */
const usedBy = (uses: Listeners, arn: string) => [
  ...new Set(
    uses
      .flatMap((l) => l.targetGroupUses)
      .filter((u) => u.arn === arn)
      .map((u) => u.via),
  ),
];

/** Groups without a twin, and groups a listener forwards to that do not exist. */
function unmatchedGroups(
  match: MatchResult,
  sides: { role: Role; groups: CollectedTargetGroups; listeners: Listeners }[],
): Unmatched[] {
  const [p, s] = sides;
  const unmatched: Unmatched[] = unmatchedOf(
    match,
    targetGroupModule,
    (name) => `targetGroups[${name}]`,
    "target group",
    (role, id) => {
      const via = usedBy((role === "primary" ? p : s)?.listeners ?? [], id);
      return via.length ? `used by ${via.join(", ")}` : "used by no listener";
    },
  );
  for (const { role, groups, listeners } of sides)
    for (const arn of groups.notFound)
      unmatched.push({
        path: `targetGroups[${targetGroupName(arn)}]`,
        primary: role === "primary" ? arn : null,
        secondary: role === "standby" ? arn : null,
        status: "missing",
        rule: notFound,
        about: [{ role, id: arn }],
        message: `the ${role}'s ${usedBy(listeners, arn).join(", ")} forwards to target group ${targetGroupName(arn)}, which does not exist`,
      });
  return unmatched;
}

/** Reads what was matched among the unused groups (two calls each), like the others. */
async function readMatchedExtras(
  links: readonly TwinLink[],
  sides: { groups: CollectedTargetGroups; extras: Unused[]; side: Side<LoadBalancer> }[],
): Promise<void> {
  for (const { groups, extras, side } of sides)
    for (const x of extras)
      if (links.some((l) => l.primary.id === x.candidate.id || l.standby.id === x.candidate.id)) {
        const read = await readTargetGroup(side.cache, x.group);
        if (read) groups.found.set(x.candidate.id, read);
      }
}

export const targetGroupModule: ResourceModule<NormalizedTargetGroup, LoadBalancer> = {
  type: "target-group",
  title: "Target groups",
  permissions: TARGET_GROUP_PERMISSIONS,
  rules: targetGroupRules,
  missingRule: missingTargetGroup,
  extraRules: [notFound, ambiguousTwinRule({ type: "target-group", title: "Target groups" })],
  async twins(primary, standby, context) {
    const [pl, sl, pg, sg] = await Promise.all([
      primary.get(listenersCollector),
      standby.get(listenersCollector),
      primary.get(targetGroupsCollector),
      standby.get(targetGroupsCollector),
    ]);
    // A group of the region that no load balancer uses, named like one of the other side's, is a
    // candidate too: the twin may exist while the listener that should use it points elsewhere.
    const [pExtra, sExtra] = await Promise.all([
      unusedNamedLike(primary, pg, candidatesOf(sg), "primary", context),
      unusedNamedLike(standby, sg, candidatesOf(pg), "standby", context),
    ]);
    const all = matchTwins(
      [...candidatesOf(pg), ...pExtra.map((x) => x.candidate)],
      [...candidatesOf(sg), ...sExtra.map((x) => x.candidate)],
      evidenceOf(pl, sl),
      context.names,
    );
    // An unused group that found no twin was only a candidate: nothing to report about it.
    const extraIds = new Set([...pExtra, ...sExtra].map((x) => x.candidate.id));
    const match: MatchResult = {
      ...all,
      unmatchedPrimary: all.unmatchedPrimary.filter((c) => !extraIds.has(c.id)),
      unmatchedStandby: all.unmatchedStandby.filter((c) => !extraIds.has(c.id)),
    };
    await readMatchedExtras(all.links, [
      { groups: pg, extras: pExtra, side: primary },
      { groups: sg, extras: sExtra, side: standby },
    ]);
    const twins: Twin<NormalizedTargetGroup>[] = match.links.flatMap((link) => {
      const [a, b] = [pg.found.get(link.primary.id), sg.found.get(link.standby.id)];
      return a && b ? [{ label: `targetGroups[${a.name}]`, primary: a, secondary: b }] : [];
    });
    const unmatched = unmatchedGroups(match, [
      { role: "primary", groups: pg, listeners: pl },
      { role: "standby", groups: sg, listeners: sl },
    ]);
    const listed = (groups: CollectedTargetGroups) =>
      [...groups.found].map(([id, tg]) => ({ id, name: tg.name }));
    return { twins, unmatched, links: match.links, listed: { primary: listed(pg), standby: listed(sg) } };
  },
};
