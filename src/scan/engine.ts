import type { AwsClients } from "../aws/client-factory.js";
import { discoverPairs, type PairKind } from "../pairs/discover.js";
import type { Pair } from "../pairs/kind.js";
import { pool } from "../util/pool.js";
import { modulesOf, type PairContext, type ScanType } from "../resources/module.js";
import { RegionCaches } from "../aws/region-cache.js";
import { comparePair } from "./compare-pair.js";
import {
  carriedOver,
  incrementalPlan,
  readEvidence,
  settingsKeyOf,
  type IncrementalScan,
} from "./incremental-run.js";

export type { IncrementalScan } from "./incremental-run.js";
import { applySuppressions } from "../core/suppressions.js";
import {
  SCAN_SCHEMA_VERSION,
  type PairEvidence,
  type PairResult,
  type PairTwin,
  type ScanResult,
  type Suppression,
} from "../core/scan-result.js";
import { SEVERITIES, severityRank, type Finding, type Severity, type Status } from "../core/finding.js";
import type { ScanSettings } from "../core/rule.js";
import { keepHeapCompact } from "../util/heap.js";

export interface ScanOptions {
  /** The resource types to pair and compare (the catalogue's, or fewer in a test). */
  types: readonly ScanType<never>[];
  primaryRegions: string[];
  /** Pairs from drctl.yaml; those of the types handed in are scanned. */
  configPairs: readonly { primary: string; secondary?: string }[];
  settings: ScanSettings;
  suppressions: readonly Suppression[];
  concurrency: number;
  /** Also report a `pass` finding for every rule that found nothing. */
  includePass?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Read only what may have changed since the previous scan; absent: read every pair. */
  incremental?: IncrementalScan;
  /** drctl's version: findings of another version are never carried over. */
  version?: string;
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
  about: Pick<PairResult, "type" | "primaryTags" | "evidence"> = {},
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
  return {
    name,
    primaryArn,
    secondaryArn,
    status,
    counts,
    findings: sorted,
    ...(twins ? { twins } : {}),
    ...about,
  };
}

/**
 * A readiness scan: discover pairs, read both sides of each (pairs in parallel, shared
 * region-wide lists, Route 53 once), compare through the pair, apply suppressions.
 */
export async function runScan(aws: AwsClients, options: ScanOptions): Promise<ScanResult> {
  // A scan allocates far more than it keeps: collect before the heap grows far past what it keeps.
  keepHeapCompact();
  const started = performance.now();
  const caches = new RegionCaches(aws);
  const types = options.types;
  const discovery = await discoverPairs(aws, {
    kinds: types.map((t) => t.pairing as PairKind<unknown>),
    primaryRegions: options.primaryRegions,
    configPairs: options.configPairs,
  });
  const settingsKey = settingsKeyOf(options, types);
  const plan = options.incremental
    ? await incrementalPlan(discovery.pairs, options.incremental, {
        now: options.settings.now,
        settingsKey,
        stateTypes: new Set(types.filter((t) => t.readsState).map((t) => t.pairing.type)),
      })
    : undefined;
  // A type's modules are loaded when its first pair is compared (see ScanType).
  const typeOf = new Map<PairKind<unknown>, ScanType<never>>(types.map((t) => [t.pairing, t]));
  const scanWide = scanWideReads(aws, options.primaryRegions[0] ?? "us-east-1");
  const toRead = plan ? discovery.pairs.filter((p) => plan.read.has(p.primaryArn)) : discovery.pairs;
  const previous = new Map(options.incremental?.previous?.pairs.map((p) => [p.primaryArn, p]));
  let done = 0;
  const compared: ComparedPair[] = await pool(toRead, options.concurrency, async (pair) => {
    const type = typeOf.get(pair.kind);
    const modules = type ? await modulesOf(type) : [];
    const outcome = await comparePair(pair, modules, caches, scanWide, options);
    options.onProgress?.(++done, toRead.length);
    const why = plan?.read.get(pair.primaryArn)?.detail ?? "full scan";
    const evidence = readEvidence(outcome, why, options.settings.now, previous.get(pair.primaryArn));
    return { pair, findings: outcome.findings, twins: outcome.twins, evidence };
  });
  for (const pair of discovery.pairs) {
    const before = plan?.carry.get(pair.primaryArn);
    if (before) compared.push({ pair, ...carriedOver(before) });
  }

  const { pairs, expiredSuppressions } = assemble(compared, discovery.findings, options);
  return {
    version: SCAN_SCHEMA_VERSION,
    generatedAt: options.settings.now.toISOString(),
    strategy: options.settings.strategy,
    pairs,
    expiredSuppressions,
    ...(discovery.notCompared.length > 0 ? { notCompared: discovery.notCompared } : {}),
    settingsKey,
    ...(plan ? { incremental: { ...plan.summary, read: toRead.length, carriedOver: plan.carry.size } } : {}),
    stats: {
      pairs: pairs.length,
      durationMs: Math.round(performance.now() - started),
      calls: aws.counter.byOperation,
      retries: aws.counter.totalRetries,
    },
  };
}

interface ComparedPair {
  pair: Pair;
  findings: Finding[];
  twins: PairTwin[];
  evidence: PairEvidence;
}

/** Pair-level findings join the pair they are about (or stand as pairs of their own); suppressions apply to all. */
function assemble(
  compared: readonly ComparedPair[],
  discoveryFindings: readonly Finding[],
  options: Pick<ScanOptions, "suppressions" | "settings">,
): { pairs: PairResult[]; expiredSuppressions: Suppression[] } {
  const byPrimary = new Map<
    string,
    {
      name: string;
      secondaryArn: string | null;
      findings: Finding[];
      twins?: PairTwin[];
      about?: Pick<PairResult, "type" | "primaryTags" | "evidence">;
    }
  >();
  for (const { pair, findings, twins, evidence } of compared)
    byPrimary.set(pair.primaryArn, {
      name: pair.name,
      secondaryArn: pair.standbyArn,
      findings,
      twins,
      about: { type: pair.kind.type, primaryTags: { ...pair.primaryTags }, evidence },
    });
  for (const f of discoveryFindings) {
    const entry = byPrimary.get(f.primaryArn) ?? { name: f.pair, secondaryArn: f.secondaryArn, findings: [] };
    entry.findings.push(f);
    byPrimary.set(f.primaryArn, entry);
  }
  const all = [...byPrimary.values()].flatMap((e) => e.findings);
  const expiredSuppressions = applySuppressions(all, options.suppressions, options.settings.now);
  const pairs = [...byPrimary.entries()]
    .map(([primaryArn, e]) => summarise(e.name, primaryArn, e.secondaryArn, e.findings, e.twins, e.about))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { pairs, expiredSuppressions };
}
