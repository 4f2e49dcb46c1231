import type { AwsClients } from "../aws/client-factory.js";
import { discoverPairs, type Pair } from "../pairs/discover.js";
import { RecordIndex } from "../resources/route53/collect.js";
import { RESOURCE_MODULES } from "../resources/registry.js";
import { pool } from "../util/pool.js";
import type { PairContext, ResourceModule } from "./module.js";
import { RegionCaches } from "./region-cache.js";
import { Side } from "./side.js";
import { applySuppressions } from "./suppressions.js";
import {
  SCAN_SCHEMA_VERSION,
  type PairResult,
  type ScanResult,
  type Suppression,
} from "../core/scan-result.js";
import {
  SEVERITIES,
  severityRank,
  type Finding,
  type RuleInfo,
  type Severity,
  type Status,
} from "../core/finding.js";
import type { Difference, ScanSettings } from "./types.js";

export interface ScanOptions {
  primaryRegions: string[];
  configPairs: { primary: string; secondary: string }[];
  settings: ScanSettings;
  suppressions: readonly Suppression[];
  concurrency: number;
  /** Also report a `pass` finding for every rule that found nothing. */
  includePass?: boolean;
  onProgress?: (done: number, total: number) => void;
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

const joinPath = (label: string, path: string) =>
  label === "" ? path : path === "" ? label : `${label}.${path}`;

async function comparePair(
  pair: Pair,
  caches: RegionCaches,
  context: PairContext,
  options: ScanOptions,
): Promise<Finding[]> {
  const primary = new Side("primary", pair.primary, caches.for(pair.primaryRegion, pair.primaryAccount));
  const standby = new Side("standby", pair.standby, caches.for(pair.standbyRegion, pair.standbyAccount));
  const findings: Finding[] = [];
  // Every finding of this pair is made here: the rule, then what it found (or that it found nothing).
  const add = (
    module: ResourceModule<unknown>,
    rule: RuleInfo,
    d: Omit<Partial<Difference>, "status"> & { status: Status },
  ) =>
    findings.push({
      pair: pair.name,
      primaryArn: primary.arn,
      secondaryArn: standby.arn,
      resourceType: module.type,
      ruleId: rule.id,
      severity: d.severity ?? rule.severity,
      status: d.status,
      path: d.path ?? "",
      primary: d.primary ?? null,
      secondary: d.secondary ?? null,
      message: d.message ?? `${rule.title}: no difference`,
    });
  for (const module of RESOURCE_MODULES as readonly ResourceModule<unknown>[]) {
    let matched;
    try {
      matched = await module.twins(primary, standby, context);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      add(module, readErrorRule(module), {
        status: "error",
        message: `could not read ${module.title.toLowerCase()}: ${message}`,
      });
      continue;
    }
    for (const rule of module.rules) {
      let found = 0;
      for (const twin of matched.twins) {
        for (const d of rule.check(twin.primary, twin.secondary, options.settings)) {
          found++;
          add(module, rule, { ...d, status: d.status ?? "drift", path: joinPath(twin.label, d.path) });
        }
      }
      if (found === 0 && options.includePass) add(module, rule, { status: "pass" });
    }
    const missing = module.missingRule;
    if (missing)
      for (const d of matched.unmatched) add(module, missing, { ...d, status: d.status ?? "missing" });
  }
  return findings;
}

const STATUS_ORDER: Status[] = ["error", "missing", "drift"];

/** A pair's result from its findings: counts by severity, worst status, findings in report order. */
export function summarise(
  name: string,
  primaryArn: string,
  secondaryArn: string | null,
  findings: Finding[],
): PairResult {
  const live = findings.filter((f) => f.status !== "pass" && !f.suppressed);
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
  return { name, primaryArn, secondaryArn, status, counts, findings: sorted };
}

/**
 * A readiness scan: discover pairs, read both sides of each (pairs in parallel, shared
 * region-wide lists, Route 53 once), compare through the pair, apply suppressions.
 */
export async function runScan(aws: AwsClients, options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const caches = new RegionCaches(aws);
  const discovery = await discoverPairs(aws, {
    primaryRegions: options.primaryRegions,
    configPairs: options.configPairs,
  });
  let records: Promise<RecordIndex> | undefined;
  const context: PairContext = {
    records: () => (records ??= RecordIndex.load(aws, options.primaryRegions[0] ?? "us-east-1")),
  };
  let done = 0;
  const compared = await pool(discovery.pairs, options.concurrency, async (pair) => {
    const findings = await comparePair(pair, caches, context, options);
    options.onProgress?.(++done, discovery.pairs.length);
    return { pair, findings };
  });
  records?.catch(() => undefined);

  // Pair-level findings join the pair they are about (or stand as pairs of their own).
  const byPrimary = new Map<string, { name: string; secondaryArn: string | null; findings: Finding[] }>();
  for (const { pair, findings } of compared)
    byPrimary.set(pair.primary.LoadBalancerArn ?? "", {
      name: pair.name,
      secondaryArn: pair.standby.LoadBalancerArn ?? null,
      findings,
    });
  for (const f of discovery.findings) {
    const entry = byPrimary.get(f.primaryArn) ?? { name: f.pair, secondaryArn: f.secondaryArn, findings: [] };
    entry.findings.push(f);
    byPrimary.set(f.primaryArn, entry);
  }
  const all = [...byPrimary.values()].flatMap((e) => e.findings);
  const expiredSuppressions = applySuppressions(all, options.suppressions, options.settings.now);
  const pairs = [...byPrimary.entries()]
    .map(([primaryArn, e]) => summarise(e.name, primaryArn, e.secondaryArn, e.findings))
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
