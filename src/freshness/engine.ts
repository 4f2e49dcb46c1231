/**
 * Freshness: how much data would be lost if the primary region went down now. Every store type
 * lists the stores of the primary regions and the protections AWS records for them (replicas,
 * replication, copies); pairs declared by tags or drctl.yaml are checked against those; each
 * protection is measured (metrics batched per region) against the store's recovery point
 * objective; a store with no protection at all is unprotected; data-protection posture becomes
 * findings in the readiness scan's shape.
 */
import { formatArn, parseArn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import {
  FRESHNESS_SCHEMA_VERSION,
  STORE_STATUSES,
  type FreshnessResult,
  type StandbyRegion,
  type StoreResult,
  type StoreStatus,
} from "../core/freshness-result.js";
import { findingOf, type Finding } from "../core/finding.js";
import { checkDeclared, pairFinding, viaOf, type Declaration } from "../pairs/declared.js";
import { PAIR_RULES } from "../pairs/rules.js";
import { isTrue, TAG, tidyArn } from "../pairs/tags.js";
import { taggedResources, type TaggedResource } from "../pairs/tagged.js";
import { RegionCaches } from "../aws/region-cache.js";
import { applySuppressions } from "../core/suppressions.js";
import { pool } from "../util/pool.js";
import { MetricReader } from "../aws/metrics.js";
import type {
  FreshnessContext,
  PrimaryStore,
  Protection,
  StandbyHint,
  StoreType,
} from "../datastores/type.js";
import { storeReadError, type Discovered } from "../datastores/type.js";
import { measureProtection, unprotectedResults } from "./measure.js";
import { postureOf } from "./posture.js";
import type { FreshnessOptions } from "./options.js";

export type { FreshnessOptions } from "./options.js";

const storeName = (arn: string) => arn.split(/[:/]/).at(-1) ?? arn;

/** A pair people declared, its standby checked against the types. */
interface DeclaredPair {
  primary: string;
  standby: string;
  via: string;
}

/** Pairs people declared: tags on any resource (the secondaryARN), and pairs of drctl.yaml. */
function declaredPairs(
  tagged: readonly TaggedResource[],
  options: FreshnessOptions,
  typeOf: (arn: string) => StoreType | undefined,
  findings: Finding[],
): DeclaredPair[] {
  const out: DeclaredPair[] = [];
  const declare = (d: Declaration) => {
    const own = typeOf(d.primaryArn);
    if (!own) return; // no freshness check for this kind of resource
    const checked = checkDeclared(d, own, (arn) => typeOf(formatArn(arn)));
    if (!checked.ok) findings.push(pairFinding(d, { ...checked, status: "error" }));
    else out.push({ primary: d.primaryArn, standby: checked.standbyArn, via: viaOf(d.source) });
  };
  const declaration = (arn: string, secondary: string | undefined, source: Declaration["source"]) => ({
    name: storeName(arn),
    primaryArn: arn,
    primaryRegion: parseArn(arn).region,
    secondary,
    source,
  });
  for (const r of tagged) {
    const t = new Map(Object.entries(r.tags));
    if (!isTrue(t.get(TAG.enable)) || !isTrue(t.get(TAG.isPrimary)) || /:elasticloadbalancing:/.test(r.arn))
      continue;
    declare(declaration(r.arn, t.get(TAG.secondaryArn), "tags"));
  }
  for (const p of options.config.pairs) {
    if (p.secondary === undefined || /:elasticloadbalancing:/.test(tidyArn(p.primary))) continue;
    declare(declaration(tidyArn(p.primary), p.secondary, "config"));
  }
  return out;
}

/** The tags of every resource of the primary regions; a region that cannot be read is a finding. */
function primaryTags(
  aws: AwsClients,
  regions: readonly string[],
  findings: Finding[],
): Promise<TaggedResource[]> {
  return Promise.all(
    regions.map((region) =>
      taggedResources(aws, region).catch((err: unknown) => {
        findings.push(
          findingOf(PAIR_RULES.unreadable, {
            pair: `(tags in ${region})`,
            primaryArn: "",
            secondaryArn: null,
            status: "error",
            path: `tags[${region}]`,
            primary: region,
            secondary: null,
            message: `could not read the tags of ${region}'s resources (applications and tagged pairs there are unknown): ${err instanceof Error ? err.message : String(err)}`,
          }),
        );
        return [] as TaggedResource[];
      }),
    ),
  ).then((lists) => lists.flat());
}

/**
 * The standby regions to read: those given, then those AWS records copies in and those declared
 * pairs name, each with what says so first (a primary region is never its own standby).
 */
function standbyRegionsOf(
  options: FreshnessOptions,
  hints: readonly StandbyHint[],
  declared: readonly DeclaredPair[],
): StandbyRegion[] {
  const out = new Map<string, { via: string; more: number }>();
  const add = (region: string, via: string) => {
    if (!region || options.primaryRegions.includes(region)) return;
    const seen = out.get(region);
    if (seen) seen.more++;
    else out.set(region, { via, more: 0 });
  };
  for (const r of options.standbyRegions) add(r, options.standbyFrom ?? "given");
  for (const h of hints) add(h.region, h.via);
  for (const d of declared) add(parseArn(d.standby).region, `${d.via} of ${storeName(d.primary)}`);
  return [...out].map(([region, { via, more }]) => ({
    region,
    via: more > 0 ? `${via} (and ${more} more ${more === 1 ? "store" : "stores"} with a copy there)` : via,
  }));
}

export async function runFreshness(aws: AwsClients, options: FreshnessOptions): Promise<FreshnessResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  let ctx = contextOf(aws, options);
  const typeOf = typeOwning(options.types);

  // 1. The tags of the primary regions' resources (applications, declared pairs), and where each
  // type's primaries say their copies are: together, the standby regions to read.
  const [tagged, hints] = await Promise.all([
    primaryTags(aws, options.primaryRegions, findings),
    standbyHintsOf(options.types, ctx),
  ]);
  const declared = declaredPairs(tagged, options, typeOf, findings);
  const standby = standbyRegionsOf(options, hints, declared);
  ctx = { ...ctx, standbyRegions: standby.map((r) => r.region) };

  // 2. What each type finds in the primary and standby regions.
  const discovered = await discoverAll(options.types, ctx, findings);
  const stores = new Map<string, PrimaryStore>();
  for (const d of discovered) for (const s of d.stores) if (!stores.has(s.arn)) stores.set(s.arn, s);
  // 3. Declared pairs that AWS records no protection for are broken protections of their own.
  const protections = discovered.flatMap((d) => d.protections);
  protections.push(...unrecordedDeclarations(declared, protections, stores, typeOf));

  // 4. Measure every protection against its store's target; 5. a store with no protection at
  // all is unprotected, unless drctl.yaml says it needs none.
  const tagsOf = new Map(tagged.map((r) => [r.arn, r.tags]));
  const measuring = { options, ctx, tagsOf, findings };
  // All at once: a measurement makes no calls of its own but metric reads, which go out batched.
  const results: StoreResult[] = await pool(
    protections,
    options.concurrency ?? Math.max(1, protections.length),
    (p) => measureProtection(measuring, p),
  );
  results.push(...unprotectedResults(measuring, stores.values(), protections));

  // 6. Posture: the primary's own (once per store), then each protection's pair, then whole regions.
  findings.push(...postureOf(stores.values(), protections, discovered, options));
  applySuppressions(findings, options.config.suppressions, options.now);
  return {
    version: FRESHNESS_SCHEMA_VERSION,
    generatedAt: options.now.toISOString(),
    rpoSeconds: options.config.rpo,
    standbyRegions: standby,
    stores: sortedResults(results),
    findings,
    stats: {
      stores: results.length,
      durationMs: Math.round(performance.now() - started),
      calls: aws.counter.byOperation,
      retries: aws.counter.totalRetries,
    },
  };
}

function contextOf(aws: AwsClients, options: FreshnessOptions): FreshnessContext {
  const caches = new RegionCaches(aws);
  const windowSeconds = options.config.freshness.window;
  return {
    aws,
    now: options.now,
    windowSeconds,
    metrics: new MetricReader(aws, {
      start: new Date(options.now.getTime() - windowSeconds * 1000),
      end: options.now,
    }),
    region: (r) => caches.for(r, undefined),
    primaryRegions: options.primaryRegions,
    standbyRegions: options.standbyRegions,
    settings: { backupRetentionDays: options.backupRetentionDays ?? { min: 7, max: 30 } },
  };
}

/** The type that owns an ARN, if any (an ARN that cannot be parsed has none). */
function typeOwning(types: readonly StoreType[]): (arn: string) => StoreType | undefined {
  return (arn) => {
    try {
      const parsed = parseArn(arn);
      return types.find((t) => t.owns(parsed));
    } catch {
      return undefined;
    }
  };
}

/** Where each type's primaries say their copies are. */
async function standbyHintsOf(types: readonly StoreType[], ctx: FreshnessContext): Promise<StandbyHint[]> {
  // A list that cannot be read here fails again in discover(), which reports it.
  const hints = await Promise.all(
    types.map((t) => (t.standbyHints ? t.standbyHints(ctx).catch(() => []) : Promise.resolve([]))),
  );
  return hints.flat();
}

/** What each type finds; a type that cannot be read is a finding, and the others go on. */
async function discoverAll(
  types: readonly StoreType[],
  ctx: FreshnessContext,
  findings: Finding[],
): Promise<Discovered[]> {
  const discovered = await Promise.all(
    types.map((t) =>
      t.discover(ctx).catch((err: unknown) => {
        findings.push(
          findingOf(storeReadError(t), {
            pair: `(${t.title})`,
            primaryArn: "",
            secondaryArn: null,
            status: "error",
            path: `type[${t.type}]`,
            primary: null,
            secondary: null,
            message: `could not read ${t.title.toLowerCase()}: ${err instanceof Error ? err.message : String(err)}`,
          }),
        );
        return undefined;
      }),
    ),
  );
  return discovered.filter((d): d is Discovered => d !== undefined);
}

/** A declared pair AWS records no protection for: a broken protection of its own. */
function unrecordedDeclarations(
  declared: readonly DeclaredPair[],
  protections: readonly Protection[],
  stores: ReadonlyMap<string, PrimaryStore>,
  typeOf: (arn: string) => StoreType | undefined,
): Protection[] {
  return declared
    .filter((d) => !protections.some((p) => p.primary.arn === d.primary && p.standbyArn === d.standby))
    .map((d) => {
      const primary = stores.get(d.primary) ?? {
        type: typeOf(d.primary)?.type ?? "?",
        arn: d.primary,
        name: storeName(d.primary),
        region: parseArn(d.primary).region,
      };
      return {
        kind: "declared-pair",
        primary,
        standbyArn: d.standby,
        standbyRegion: parseArn(d.standby).region || null,
        measure: () =>
          Promise.resolve({
            measuredBy: `the pair declared by ${d.via}`,
            evidence: [{ what: "declared standby", value: d.standby }],
            broken: {
              reason: `${d.via} names ${d.standby} as its standby, but AWS records no replica, replication or copy of ${primary.name} there`,
              fix: "Set up replication to the standby named (a replica, a global-table replica, a replication rule), or correct the declaration.",
            },
          }),
      };
    });
}

/** Worst first, then by store and kind. */
function sortedResults(results: StoreResult[]): StoreResult[] {
  const order = (s: StoreStatus) => STORE_STATUSES.indexOf(s);
  return results.sort(
    (a, b) =>
      order(a.status) - order(b.status) || a.store.localeCompare(b.store) || a.kind.localeCompare(b.kind),
  );
}
