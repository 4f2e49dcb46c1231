import type { AwsClients } from "../aws/client-factory.js";
import { discoverPairs } from "../pairs/discover.js";
import { pool } from "../util/pool.js";
import type { PairContext, ResourceModule, ResourceType } from "../resources/module.js";
import { RegionCaches } from "../aws/region-cache.js";
import { comparePair } from "./compare-pair.js";
import { applySuppressions } from "../core/suppressions.js";
import {
  SCAN_SCHEMA_VERSION,
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
  about: Pick<PairResult, "type" | "primaryTags"> = {},
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
    {
      name: string;
      secondaryArn: string | null;
      findings: Finding[];
      twins?: PairTwin[];
      about?: Pick<PairResult, "type" | "primaryTags">;
    }
  >();
  for (const { pair, findings, twins } of compared)
    byPrimary.set(pair.primaryArn, {
      name: pair.name,
      secondaryArn: pair.standbyArn,
      findings,
      twins,
      about: { type: pair.kind.type, primaryTags: { ...pair.primaryTags } },
    });
  for (const f of discovery.findings) {
    const entry = byPrimary.get(f.primaryArn) ?? { name: f.pair, secondaryArn: f.secondaryArn, findings: [] };
    entry.findings.push(f);
    byPrimary.set(f.primaryArn, entry);
  }
  const all = [...byPrimary.values()].flatMap((e) => e.findings);
  const expiredSuppressions = applySuppressions(all, options.suppressions, options.settings.now);
  const pairs = [...byPrimary.entries()]
    .map(([primaryArn, e]) => summarise(e.name, primaryArn, e.secondaryArn, e.findings, e.twins, e.about))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    version: SCAN_SCHEMA_VERSION,
    generatedAt: options.settings.now.toISOString(),
    strategy: options.settings.strategy,
    pairs,
    expiredSuppressions,
    ...(discovery.notCompared.length > 0 ? { notCompared: discovery.notCompared } : {}),
    stats: {
      pairs: pairs.length,
      durationMs: Math.round(performance.now() - started),
      calls: aws.counter.byOperation,
      retries: aws.counter.totalRetries,
    },
  };
}
