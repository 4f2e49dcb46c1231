/**
 * What `drctl init` proposes from what it read (pure): the primary and standby regions, the pairs
 * the DR tags already declare, pairs AWS records (a read replica's source, a global table's
 * replicas, a replication rule's destination, a copied image's source) and pairs by twin names,
 * each with why; stores with their copies and a suggested RPO; applications by the tags teams
 * already use; near-miss DR tags with their fixes.
 */
import { nearMissFix, nearMissTags } from "../pairs/near-miss.js";
import { TAG, tidyArn } from "../pairs/tags.js";
import { isTaggedPrimary } from "../pairs/tagging-api.js";
import { inferStrategy, type StrategyChoice } from "./strategy.js";
import type { Copy, Resource, Survey } from "./survey.js";
import { twinBase } from "./twins.js";

export interface Proposal {
  primary: string;
  secondary: string;
  /** Why, in words, for the comment above the entry. */
  why: string;
  /** A suggested RPO in drctl's duration syntax ("5m"), for a data store. */
  rpo?: string;
  /** Written commented out: proposed, but not to be used as it is (an image id changes with each copy). */
  commented?: string;
}

export interface Plan {
  primary: string | undefined;
  standby: string | undefined;
  /** Why these regions, for people. */
  regionWhy: string[];
  tagged: { name: string; arn: string; region: string; secondary: string | undefined }[];
  proposals: Proposal[];
  /** Resources with more than one twin candidate: both listed, neither chosen. */
  ambiguous: { resource: Resource; candidates: Resource[] }[];
  unprotected: { name: string; arn: string; type: string }[];
  applications: {
    key: string | undefined;
    why: string;
    apps: { name: string; value: string; count: number }[];
  };
  nearMisses: { name: string; arn: string; region: string; what: string; fix: string }[];
  /** How the standby runs before a failover, and why drctl says so. */
  strategy: StrategyChoice;
}

/** Suggested RPOs by how the copy is made: continuous replication lags seconds, copies a day. */
const RPO_BY_KIND: Record<string, string> = {
  "rds-read-replica": "5m",
  "aurora-global": "5m",
  "dynamodb-global-table": "5m",
  "s3-replication": "15m",
  "efs-replication": "15m",
  "elasticache-global-datastore": "5m",
  "rds-backup-replication": "1h",
};
const rpoOf = (kind: string) => RPO_BY_KIND[kind] ?? "1d";
const RPO_ORDER = ["5m", "15m", "1h", "1d"];

const VIA: Record<string, string> = {
  "rds-read-replica": "AWS records it as the read replica's source",
  "dynamodb-global-table": "AWS records a replica of this global table there",
  "s3-replication": "the bucket's replication rule names it as destination",
  "ami-copy": "the copied image names it as its source",
};
const viaOf = (kind: string) => VIA[kind] ?? `AWS records it as a copy (${kind})`;

/** The region most often on one side of the evidence; ties go to the order the regions were given. */
function mostCounted(counts: Map<string, number>, order: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const r of order) if ((counts.get(r) ?? 0) > (counts.get(best ?? "") ?? 0)) best = r;
  return best;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const regionOfArn = (arn: string) => tidyArn(arn).split(":")[3] ?? "";

function chooseRegions(survey: Survey, regions: readonly string[], tagged: Plan["tagged"]) {
  const asPrimary = new Map<string, number>();
  const asStandby = new Map<string, number>();
  for (const t of tagged) {
    bump(asPrimary, t.region);
    if (t.secondary) bump(asStandby, regionOfArn(t.secondary));
  }
  for (const c of survey.copies) {
    bump(asPrimary, c.primary.region);
    bump(asStandby, c.standbyRegion);
  }
  const primary = mostCounted(asPrimary, regions) ?? regions[0];
  const others = regions.filter((r) => r !== primary);
  let standby = mostCounted(new Map([...asStandby].filter(([r]) => r !== primary)), others);
  const why = [
    `primary ${primary ?? "(none)"}: ${asPrimary.get(primary ?? "") ?? 0} tagged primaries and sources of copies${asPrimary.size === 0 ? " (nothing says so: the first region given)" : ""}`,
  ];
  if (standby) why.push(`standby ${standby}: ${asStandby.get(standby) ?? 0} tagged standbys and copies`);
  else if (others.length === 1) {
    standby = others[0];
    why.push(`standby ${standby ?? ""}: the only other region read (no copy or tag names it)`);
  } else why.push("no standby region: no copy or tag names one; set regions.standby by hand");
  return { primary, standby, regionWhy: why };
}

function taggedPairs(resources: readonly Resource[]): Plan["tagged"] {
  return resources
    .filter((r) => isTaggedPrimary(r.tags))
    .map((r) => ({
      name: r.name,
      arn: r.arn,
      region: r.region,
      secondary: r.tags[TAG.secondaryArn]?.trim(),
    }));
}

/** One proposal per store with copies: its continuous copy first, with the RPO that copy can keep. */
function recordedProposals(copies: readonly Copy[], primary: string | undefined, claimed: Set<string>) {
  const byStore = new Map<string, Copy[]>();
  for (const c of copies)
    if (c.primary.region === primary) byStore.set(c.primary.arn, [...(byStore.get(c.primary.arn) ?? []), c]);
  const out: Proposal[] = [];
  for (const [arn, list] of byStore) {
    const sorted = [...list].sort(
      (a, b) => RPO_ORDER.indexOf(rpoOf(a.kind)) - RPO_ORDER.indexOf(rpoOf(b.kind)),
    );
    const best = sorted[0];
    if (!best) continue;
    for (const c of list) claimed.add(c.standbyArn);
    claimed.add(arn);
    const more = sorted.slice(1).map((c) => `${c.kind} to ${c.standbyArn}`);
    const why = `${best.primary.name}: ${viaOf(best.kind)} (${best.kind})${more.length ? `; also copied: ${more.join(", ")}` : ""}`;
    out.push({
      primary: arn,
      secondary: best.standbyArn,
      why,
      rpo: rpoOf(best.kind),
      ...(best.kind === "ami-copy"
        ? { commented: "an image's copy is a new image each time: freshness finds the newest copy itself" }
        : {}),
    });
  }
  return out;
}

/** Pairs by twin names between the primary and standby regions, among resources nothing pairs yet. */
function twinProposals(
  survey: Survey,
  plan: Pick<Plan, "primary" | "standby">,
  comparable: (arn: string) => boolean,
  claimed: Set<string>,
) {
  const { primary, standby } = plan;
  const free = (r: Resource) =>
    !claimed.has(r.arn) && comparable(r.arn) && r.tags[TAG.isPrimary] === undefined;
  const here = survey.resources.filter((r) => r.region === primary && free(r));
  const there = survey.resources.filter((r) => r.region === standby && free(r));
  const proposals: Proposal[] = [];
  const ambiguous: Plan["ambiguous"] = [];
  for (const r of here) {
    const base = twinBase(r.name, [primary ?? "", standby ?? ""]);
    if (base === "") continue;
    const twins = there.filter(
      (t) => t.type === r.type && twinBase(t.name, [primary ?? "", standby ?? ""]) === base,
    );
    if (twins.length > 1) ambiguous.push({ resource: r, candidates: twins });
    const [twin] = twins;
    if (twins.length !== 1 || !twin) continue;
    proposals.push({
      primary: r.arn,
      secondary: twin.arn,
      why: `${r.name} (${primary ?? ""}) and ${twin.name} (${standby ?? ""}) are twins by name: both are "${base}" once region and role words are set aside`,
    });
  }
  return { proposals, ambiguous };
}

/** The tag teams already group by: the first of these carried by the most resources of the primary region. */
const APP_KEYS = ["Application", "app", "aws:cloudformation:stack-name", "service"];

function applicationsOf(resources: readonly Resource[]): Plan["applications"] {
  const counts = APP_KEYS.map((key) => ({ key, n: resources.filter((r) => r.tags[key]?.trim()).length }));
  const best = counts.reduce((a, b) => (b.n > a.n ? b : a));
  const seen = counts.filter((c) => c.n > 0).map((c) => `${c.key} on ${c.n}`);
  if (best.n === 0)
    return {
      key: undefined,
      why: `no resource carries any of ${APP_KEYS.join(", ")}: add applications by hand`,
      apps: [],
    };
  const values = new Map<string, number>();
  for (const r of resources) {
    const v = r.tags[best.key]?.trim();
    if (v) bump(values, v);
  }
  return {
    key: best.key,
    why: `grouped by the \`${best.key}\` tag, the most used of ${APP_KEYS.join(", ")} (${seen.join(", ")} resources)`,
    apps: [...values]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([value, count]) => ({ name: value, value, count })),
  };
}

export function propose(
  survey: Survey,
  regions: readonly string[],
  comparable: (arn: string) => boolean,
): Plan {
  const tagged = taggedPairs(survey.resources);
  const chosen = chooseRegions(survey, regions, tagged);
  const claimed = new Set<string>(
    tagged.flatMap((t) => [t.arn, ...(t.secondary ? [tidyArn(t.secondary)] : [])]),
  );
  const recorded = recordedProposals(survey.copies, chosen.primary, claimed);
  const twins = twinProposals(survey, chosen, comparable, claimed);
  const copied = new Set(survey.copies.map((c) => c.primary.arn));
  const copies = new Set(survey.copies.map((c) => c.standbyArn));
  const unprotected = survey.stores
    .filter((s) => s.region === chosen.primary && !copied.has(s.arn) && !copies.has(s.arn))
    .map((s) => ({ name: s.name, arn: s.arn, type: s.type }));
  const nearMisses = survey.resources.flatMap((r) =>
    nearMissTags(r.tags).map((m) => ({
      name: r.name,
      arn: r.arn,
      region: r.region,
      what: m.what,
      fix: nearMissFix(r.arn, r.region, m),
    })),
  );
  return {
    ...chosen,
    tagged,
    proposals: [...recorded, ...twins.proposals],
    ambiguous: twins.ambiguous,
    unprotected,
    applications: applicationsOf(survey.resources.filter((r) => r.region === chosen.primary)),
    nearMisses,
    strategy: inferStrategy(survey.groups, chosen.primary, chosen.standby),
  };
}
