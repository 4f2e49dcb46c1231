import type { AwsClients } from "../aws/client-factory.js";
import { discoverPairs, type Pair } from "../pairs/discover.js";
import { pool } from "../util/pool.js";
import {
  readErrorRule,
  type PairContext,
  type ResourceModule,
  type ResourceType,
} from "../resources/module.js";
import { brokenRefs, PairTwins } from "../core/refs.js";
import { RegionCaches } from "../aws/region-cache.js";
import { Side } from "../resources/side.js";
import { applySuppressions } from "../core/suppressions.js";
import {
  SCAN_SCHEMA_VERSION,
  type PairResult,
  type PairTwin,
  type ScanResult,
  type Suppression,
} from "../core/scan-result.js";
import {
  findingOf,
  SEVERITIES,
  severityRank,
  type Finding,
  type RuleInfo,
  type Severity,
  type Status,
} from "../core/finding.js";
import type { Difference, ScanSettings } from "../core/rule.js";

export interface ScanOptions {
  /** The resource types to pair and compare (the catalogue's, or fewer in a test). */
  types: readonly ResourceType<never>[];
  primaryRegions: string[];
  /** Pairs from drctl.yaml; those of the types handed in are scanned. */
  configPairs: readonly { primary: string; secondary?: string }[];
  settings: ScanSettings;
  suppressions: readonly Suppression[];
  concurrency: number;
  /** Also report a `pass` finding for every rule that found nothing. */
  includePass?: boolean;
  onProgress?: (done: number, total: number) => void;
}

const joinPath = (label: string, path: string) =>
  label === "" ? path : path === "" ? label : `${label}.${path}`;

interface Compared {
  findings: Finding[];
  twins: PairTwin[];
}

/**
 * One pair: every module finds its twins (through the pair, by name, by shape), then every rule
 * compares twins whose references have been resolved through those twins in one place, so two
 * references are equal when they point at twins, whatever their names.
 */
async function comparePair(
  pair: Pair,
  modules: readonly ResourceModule<unknown>[],
  caches: RegionCaches,
  scanWide: PairContext["scanWide"],
  options: ScanOptions,
): Promise<Compared> {
  const primary = new Side(
    "primary",
    pair.primaryArn,
    pair.primary,
    caches.for(pair.primaryRegion, pair.primaryAccount),
  );
  const standby = new Side(
    "standby",
    pair.standbyArn,
    pair.standby,
    caches.for(pair.standbyRegion, pair.standbyAccount),
  );
  const context: PairContext = {
    scanWide,
    names: {
      primary: { region: pair.primaryRegion, ownName: pair.name, otherName: pair.standbyName },
      standby: { region: pair.standbyRegion, ownName: pair.standbyName, otherName: pair.name },
    },
    region: (region) =>
      caches.for(region, region === pair.standbyRegion ? pair.standbyAccount : pair.primaryAccount),
  };
  const twins = new PairTwins();
  twins.record(pair.kind.type, [
    {
      primary: { id: primary.arn, name: pair.name },
      standby: { id: standby.arn, name: pair.standbyName },
      method: "pair",
      via:
        pair.source === "config"
          ? "pairs in drctl.yaml"
          : pair.source === "tags"
            ? "the secondaryARN tag"
            : pair.via,
    },
  ]);
  const findings: Finding[] = [];
  // Every finding of this pair is made here: the rule, then what it found (or that it found nothing).
  const add = (rule: RuleInfo, d: Omit<Partial<Difference>, "status"> & { status: Status }) => {
    const finding = findingOf(rule, {
      pair: pair.name,
      primaryArn: primary.arn,
      secondaryArn: standby.arn,
      status: d.status,
      path: d.path ?? "",
      primary: d.primary ?? null,
      secondary: d.secondary ?? null,
      message: d.message ?? `${rule.title}: no difference`,
      ...(d.severity ? { severity: d.severity } : {}),
    });
    findings.push(finding);
    return finding;
  };

  // 1. Twins, module by module (their reads run at once); a module that cannot be read is a finding.
  const matched = await Promise.all(
    modules.map(async (module) => {
      try {
        return await module.twins(primary, standby, context);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        add(readErrorRule(module), {
          status: "error",
          message: `could not read ${module.title.toLowerCase()}: ${message}`,
        });
        return undefined;
      }
    }),
  );
  /** "type|role|id" -> the finding that says this resource has no twin: the cause of what follows from it. */
  const causes = new Map<string, Finding>();
  modules.forEach((module, i) => {
    const m = matched[i];
    if (!m) return;
    if (m.links || m.listed) twins.record(module.type, m.links ?? [], m.listed);
    for (const u of m.unmatched) {
      const rule = u.rule ?? module.missingRule;
      if (!rule) continue;
      const finding = add(rule, { ...u, status: u.status ?? "missing" });
      for (const about of u.about ?? []) causes.set(`${module.type}|${about.role}|${about.id}`, finding);
    }
  });

  // 2. Rules on twins, references resolved through the pair.
  modules.forEach((module, i) => {
    const m = matched[i];
    if (!m) return;
    const resolved = m.twins.map((twin) => ({
      label: twin.label,
      primary: twins.resolve(twin.primary, "primary"),
      secondary: twins.resolve(twin.secondary, "standby"),
    }));
    for (const rule of module.rules) {
      let found = 0;
      for (const twin of resolved) {
        for (const d of rule.check(twin.primary, twin.secondary, options.settings)) {
          found++;
          const finding = add(rule, {
            ...d,
            status: d.status ?? "drift",
            path: joinPath(twin.label, d.path),
          });
          // A difference made by a reference with no twin follows from the finding about that resource.
          const cause = [...brokenRefs(d.primary), ...brokenRefs(d.secondary)]
            .map((r) => causes.get(`${r.$ref}|${r.role}|${r.id}`))
            .find((c) => c !== undefined && c !== finding);
          if (cause) finding.consequenceOf = { ruleId: cause.ruleId, path: cause.path };
        }
      }
      if (found === 0 && options.includePass) add(rule, { status: "pass" });
    }
  });
  return { findings, twins: twins.links.map(({ type, link }) => ({ type, ...link })) };
}

/**
 * Reads shared by every pair of one scan (Route 53's records, a global service), each made once
 * through the home region's clients; a failed one stays failed for the scan, as every pair needs it.
 */
function scanWideReads(aws: AwsClients, homeRegion: string): PairContext["scanWide"] {
  const memo = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: (aws: AwsClients, home: string) => Promise<T>) => {
    let hit = memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load(aws, homeRegion);
      hit.catch(() => undefined);
      memo.set(key, hit);
    }
    return hit;
  };
}

const STATUS_ORDER: Status[] = ["error", "missing", "drift"];

/** A pair's result from its findings: counts by severity, worst status, findings in report order. */
export function summarise(
  name: string,
  primaryArn: string,
  secondaryArn: string | null,
  findings: Finding[],
  twins?: PairTwin[],
): PairResult {
  // A consequence is fixed with its cause: it is listed, but counted once, as its cause.
  const live = findings.filter((f) => f.status !== "pass" && !f.suppressed && !f.consequenceOf);
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, live.filter((f) => f.severity === s).length]),
  ) as Record<Severity, number>;
  // Information (an empty standby in a pilot light) is counted but does not make a pair drift.
  const status =
    STATUS_ORDER.find((s) => live.some((f) => f.status === s && f.severity !== "info")) ?? "pass";
  const sorted = [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.resourceType.localeCompare(b.resourceType) ||
      a.path.localeCompare(b.path),
  );
  return { name, primaryArn, secondaryArn, status, counts, findings: sorted, ...(twins ? { twins } : {}) };
}

/**
 * A readiness scan: discover pairs, read both sides of each (pairs in parallel, shared
 * region-wide lists, Route 53 once), compare through the pair, apply suppressions.
 */
export async function runScan(aws: AwsClients, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const caches = new RegionCaches(aws);
  const types = options.types as readonly ResourceType<unknown>[];
  const discovery = await discoverPairs(aws, {
    kinds: types.map((t) => t.pairing),
    primaryRegions: options.primaryRegions,
    configPairs: options.configPairs,
  });
  const modulesOf = new Map(types.map((t) => [t.pairing, t.modules as readonly ResourceModule<unknown>[]]));
  const scanWide = scanWideReads(aws, options.primaryRegions[0] ?? "us-east-1");
  let done = 0;
  const compared = await pool(discovery.pairs, options.concurrency, async (pair) => {
    const modules = modulesOf.get(pair.kind) ?? [];
    const { findings, twins } = await comparePair(pair, modules, caches, scanWide, options);
    options.onProgress?.(++done, discovery.pairs.length);
    return { pair, findings, twins };
  });

  // Pair-level findings join the pair they are about (or stand as pairs of their own).
  const byPrimary = new Map<
    string,
    { name: string; secondaryArn: string | null; findings: Finding[]; twins?: PairTwin[] }
  >();
  for (const { pair, findings, twins } of compared)
    byPrimary.set(pair.primaryArn, {
      name: pair.name,
      secondaryArn: pair.standbyArn,
      findings,
      twins,
    });
  for (const f of discovery.findings) {
    const entry = byPrimary.get(f.primaryArn) ?? { name: f.pair, secondaryArn: f.secondaryArn, findings: [] };
    entry.findings.push(f);
    byPrimary.set(f.primaryArn, entry);
  }
  const all = [...byPrimary.values()].flatMap((e) => e.findings);
  const expiredSuppressions = applySuppressions(all, options.suppressions, options.settings.now);
  const pairs = [...byPrimary.entries()]
    .map(([primaryArn, e]) => summarise(e.name, primaryArn, e.secondaryArn, e.findings, e.twins))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    version: SCAN_SCHEMA_VERSION,
    generatedAt: options.settings.now.toISOString(),
    strategy: options.settings.strategy,
    pairs,
    expiredSuppressions,
    stats: {
      pairs: pairs.length,
      durationMs: Math.round(performance.now() - started),
      calls: aws.counter.byOperation,
      retries: aws.counter.totalRetries,
    },
  };
}
