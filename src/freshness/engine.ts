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
import type { DrctlConfig } from "../config/schema.js";
import { checkDeclared, pairFinding, viaOf, type Declaration } from "../pairs/declared.js";
import { PAIR_RULES } from "../pairs/rules.js";
import { isTrue, TAG, tidyArn } from "../pairs/tags.js";
import { taggedResources, type TaggedResource } from "../pairs/tagged.js";
import { RegionCaches } from "../aws/region-cache.js";
import { applySuppressions } from "../core/suppressions.js";
import { formatDuration } from "../util/duration.js";
import { glob } from "../util/glob.js";
import { belongsTo } from "../config/applications.js";
import { pool } from "../util/pool.js";
import { MetricReader } from "../aws/metrics.js";
import type {
  FreshnessContext,
  Measurement,
  Posture,
  PrimaryStore,
  Protection,
  StandbyHint,
  StoreType,
} from "../datastores/type.js";
import { storeReadError, type Discovered } from "../datastores/type.js";

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

/** The rule that reports a store type that could not be read. */

const storeName = (arn: string) => arn.split(/[:/]/).at(-1) ?? arn;

interface Target {
  seconds: number;
  application: string | null;
}

/** The target of a store: its pair's in drctl.yaml, else its application's, else the default. */
function targetOf(options: FreshnessOptions, arn: string, tags: Record<string, string>): Target {
  const app = options.config.applications.find((a) => belongsTo(a, arn, tags));
  const pair = options.config.pairs.find((p) => tidyArn(p.primary) === arn && p.rpo !== undefined);
  return { seconds: pair?.rpo ?? app?.rpo ?? options.config.rpo, application: app?.name ?? null };
}

function statusOf(m: Measurement, rpo: number): StoreStatus {
  if (m.broken) return "broken";
  if (m.exposureSeconds === undefined) return "unknown";
  // "At least 2 min" says nothing against a 15 min target.
  if (m.atLeast && m.exposureSeconds <= rpo) return "unknown";
  return m.exposureSeconds > rpo ? "breach" : "ok";
}

function messageOf(p: Protection, m: Measurement, status: StoreStatus, rpo: number): string {
  const where = `${p.primary.name} (${p.kind}${p.standbyRegion ? ` to ${p.standbyRegion}` : ""})`;
  const behind =
    m.exposureSeconds === undefined
      ? ""
      : `${m.atLeast ? "at least " : ""}${formatDuration(m.exposureSeconds)} behind`;
  switch (status) {
    case "broken":
      return `${where}: ${m.broken?.reason ?? "broken"}`;
    case "unknown":
      return `${where}: exposure unknown: ${m.unknown?.reason ?? "no measurement"}`;
    case "breach":
      return `${where} is ${behind}, over its ${formatDuration(rpo)} target`;
    default:
      return `${where} is ${behind}; target ${formatDuration(rpo)}`;
  }
}

/**
 * The verdict on a store with no protection: unprotected when the standby regions were read and
 * hold no copy; unknown when no standby region is known (nothing given, nothing AWS records),
 * since copies of snapshots and images are recorded only where they are.
 */
function uncopied(
  s: PrimaryStore,
  checked: readonly string[],
): Pick<StoreResult, "status" | "measuredBy" | "message" | "remediation"> {
  if (checked.length === 0)
    return {
      status: "unknown",
      measuredBy:
        "AWS records no replica or replication of it; no standby region known to look for copies in",
      message: `${s.name} (${s.type} in ${s.region}): AWS records no replica or replication of it, and no standby region is known to look for copies in`,
      remediation:
        "Name the standby region (--standby-region REGION, or regions.standby in drctl.yaml) so its copies are looked for, or replicate the store into it.",
    };
  return {
    status: "unprotected",
    measuredBy: `no replica, replication or copy found in ${checked.join(", ")}`,
    message: `${s.name} (${s.type} in ${s.region}) has no copy in any other region: losing ${s.region} loses its data`,
    remediation:
      "Replicate it into the standby region (a cross-region replica, a global-table replica, a replication rule, a copy), or list it under freshness.ignore if it holds nothing to keep.",
  };
}

/** Findings from a pair of descriptions under a type's posture rules. */
function postureFindings(
  posture: Posture<unknown>,
  subject: { name: string; primaryArn: string; secondaryArn: string | null },
  options: FreshnessOptions,
): Finding[] {
  const settings = {
    strategy: "warm-standby" as const,
    certificateExpiryDays: 30,
    now: options.now,
    backupRetentionDays: options.backupRetentionDays ?? { min: 7, max: 30 },
  };
  return posture.rules.flatMap((rule) =>
    rule.check(posture.primary, posture.standby, settings).map((d) =>
      findingOf(rule, {
        pair: subject.name,
        primaryArn: subject.primaryArn,
        secondaryArn: subject.secondaryArn,
        status: d.status ?? "drift",
        path: d.path,
        primary: d.primary,
        secondary: d.secondary,
        message: d.message,
        ...(d.severity ? { severity: d.severity } : {}),
      }),
    ),
  );
}

/** Pairs people declared: tags on any resource (the secondaryARN), and pairs of drctl.yaml. */
function declaredPairs(
  tagged: readonly TaggedResource[],
  options: FreshnessOptions,
  typeOf: (arn: string) => StoreType | undefined,
  findings: Finding[],
): { primary: string; standby: string; via: string }[] {
  const out: { primary: string; standby: string; via: string }[] = [];
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
  declared: readonly { primary: string; standby: string; via: string }[],
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
    via: more > 0 ? `${via} (and ${more} more)` : via,
  }));
}

export async function runFreshness(aws: AwsClients, options: FreshnessOptions): Promise<FreshnessResult> {
  const started = performance.now();
  const caches = new RegionCaches(aws);
  const types = options.types;
  const windowSeconds = options.config.freshness.window;
  let ctx: FreshnessContext = {
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
  const findings: Finding[] = [];

  // 1. The tags of the primary regions' resources (applications, declared pairs), and where each
  // type's primaries say their copies are: together, the standby regions to read.
  const typeOf = (arn: string) => {
    try {
      const parsed = parseArn(arn);
      return types.find((t) => t.owns(parsed));
    } catch {
      return undefined;
    }
  };
  const [tagged, hints] = await Promise.all([
    primaryTags(aws, options.primaryRegions, findings),
    // A list that cannot be read here fails again in discover(), which reports it.
    Promise.all(
      types.map((t) => (t.standbyHints ? t.standbyHints(ctx).catch(() => []) : Promise.resolve([]))),
    ).then((h) => h.flat()),
  ]);
  const declared = declaredPairs(tagged, options, typeOf, findings);
  const standby = standbyRegionsOf(options, hints, declared);
  ctx = { ...ctx, standbyRegions: standby.map((r) => r.region) };

  // 2. What each type finds in the primary and standby regions.
  const discovered = await Promise.all(
    types.map((t) =>
      t.discover(ctx).then(
        (d) => d,
        (err: unknown) => {
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
        },
      ),
    ),
  );
  const tagsOf = new Map(tagged.map((r) => [r.arn, r.tags]));
  const ok = discovered.filter((d): d is Discovered => d !== undefined);
  const stores = new Map<string, PrimaryStore>();
  for (const d of ok) for (const s of d.stores) if (!stores.has(s.arn)) stores.set(s.arn, s);
  const protections = ok.flatMap((d) => d.protections);

  // 3. Declared pairs that AWS records no protection for are broken protections of their own.
  for (const d of declared) {
    if (protections.some((p) => p.primary.arn === d.primary && p.standbyArn === d.standby)) continue;
    const primary = stores.get(d.primary) ?? {
      type: typeOf(d.primary)?.type ?? "?",
      arn: d.primary,
      name: storeName(d.primary),
      region: parseArn(d.primary).region,
    };
    protections.push({
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
    });
  }

  // 4. Measure every protection against its store's target.
  // All at once: a measurement makes no calls of its own but metric reads, which go out batched.
  const results: StoreResult[] = await pool(
    protections,
    options.concurrency ?? Math.max(1, protections.length),
    async (p) => {
      const target = targetOf(options, p.primary.arn, tagsOf.get(p.primary.arn) ?? {});
      const base = {
        kind: p.kind,
        store: p.primary.name,
        application: target.application,
        primaryArn: p.primary.arn,
        primaryRegion: p.primary.region,
        standbyArn: p.standbyArn,
        standbyRegion: p.standbyRegion,
        checkedRegions: ctx.standbyRegions,
        rpoSeconds: target.seconds,
      };
      let m: Measurement;
      try {
        m = (await options.canary?.(p)) ?? (await p.measure(ctx));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const type = types.find((t) => t.type === p.primary.type);
        findings.push(
          findingOf(storeReadError(type ?? { type: p.primary.type, title: p.primary.type }), {
            pair: p.primary.name,
            primaryArn: p.primary.arn,
            secondaryArn: p.standbyArn,
            status: "error",
            path: `stores[${p.kind}]`,
            primary: null,
            secondary: null,
            message: `could not measure ${p.primary.name} (${p.kind}): ${message}`,
          }),
        );
        return {
          ...base,
          status: "error",
          exposureSeconds: null,
          measuredBy: "(could not be read)",
          message: `${p.primary.name} (${p.kind}): could not be measured: ${message}`,
          evidence: [],
        };
      }
      const status = statusOf(m, target.seconds);
      const remediation =
        m.broken?.fix ??
        m.unknown?.fix ??
        (status === "breach"
          ? "Find what slows the copy (write volume, the copy's schedule, the replica's size) or, if the business accepts more loss, raise the target in drctl.yaml."
          : undefined);
      return {
        ...base,
        status,
        exposureSeconds: m.exposureSeconds ?? null,
        ...(m.atLeast ? { exposureAtLeast: true } : {}),
        ...(m.resolutionSeconds !== undefined ? { resolutionSeconds: m.resolutionSeconds } : {}),
        measuredBy: m.measuredBy,
        message: messageOf(p, m, status, target.seconds),
        evidence: m.evidence,
        ...(remediation ? { remediation } : {}),
      };
    },
  );

  // 5. A store with no protection at all is unprotected, unless drctl.yaml says it needs none.
  const protectedArns = new Set(protections.map((p) => p.primary.arn));
  const ignored = (arn: string) => options.config.freshness.ignore.some((g) => glob(g).test(arn));
  for (const s of stores.values()) {
    if (protectedArns.has(s.arn) || ignored(s.arn)) continue;
    const target = targetOf(options, s.arn, tagsOf.get(s.arn) ?? {});
    results.push({
      kind: s.type,
      store: s.name,
      application: target.application,
      primaryArn: s.arn,
      primaryRegion: s.region,
      standbyArn: null,
      standbyRegion: null,
      checkedRegions: ctx.standbyRegions,
      rpoSeconds: target.seconds,
      exposureSeconds: null,
      evidence: [],
      ...uncopied(s, ctx.standbyRegions),
    });
  }

  // 6. Posture: the primary's own (once per store), then each protection's pair, then whole regions.
  const posture: Finding[] = [];
  for (const s of stores.values())
    if (s.posture)
      posture.push(
        ...postureFindings(s.posture, { name: s.name, primaryArn: s.arn, secondaryArn: null }, options),
      );
  for (const p of protections)
    if (p.posture)
      posture.push(
        ...postureFindings(
          p.posture,
          { name: p.primary.name, primaryArn: p.primary.arn, secondaryArn: p.standbyArn },
          options,
        ),
      );
  for (const d of ok)
    for (const r of d.regionPosture ?? [])
      posture.push(
        ...postureFindings(r.posture, { name: r.subject, primaryArn: "", secondaryArn: null }, options),
      );
  // The primary's own rules also run with each protection: one finding per place, never twice.
  const seen = new Set<string>();
  for (const f of posture) {
    const key = `${f.primaryArn}|${f.pair}|${f.ruleId}|${f.path}|${f.path.startsWith("standby") ? (f.secondaryArn ?? "") : ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  applySuppressions(findings, options.config.suppressions, options.now);

  const order = (s: StoreStatus) => STORE_STATUSES.indexOf(s);
  results.sort(
    (a, b) =>
      order(a.status) - order(b.status) || a.store.localeCompare(b.store) || a.kind.localeCompare(b.kind),
  );
  return {
    version: FRESHNESS_SCHEMA_VERSION,
    generatedAt: options.now.toISOString(),
    rpoSeconds: options.config.rpo,
    standbyRegions: standby,
    stores: results,
    findings,
    stats: {
      stores: results.length,
      durationMs: Math.round(performance.now() - started),
      calls: aws.counter.byOperation,
      retries: aws.counter.totalRetries,
    },
  };
}
