/**
 * One pair compared: every module finds its twins (through the pair, by name, by shape), then every
 * rule compares twins whose references have been resolved through those twins in one place, so two
 * references are equal when they point at twins, whatever their names.
 */
import type { RegionCaches } from "../aws/region-cache.js";
import { findingOf, type Finding, type RuleInfo, type Status } from "../core/finding.js";
import { brokenRefs, PairTwins } from "../core/refs.js";
import type { Difference, ScanSettings } from "../core/rule.js";
import type { PairTwin } from "../core/scan-result.js";
import type { Pair } from "../pairs/kind.js";
import { readErrorRule, type PairContext, type ResourceModule, type Twins } from "../resources/module.js";
import { Side } from "../resources/side.js";
import { fingerprintOf, referencedIds } from "./evidence.js";

export interface Compared {
  findings: Finding[];
  twins: PairTwin[];
  /** Digest of what each module compared, by module type (what an incremental scan keeps). */
  fingerprints: Record<string, string>;
  /** ARNs and ids the pair's reads named. */
  resources: string[];
  /** The earliest time a module said its findings change with nothing else changing. */
  recheckAt?: string;
}

export interface CompareOptions {
  settings: ScanSettings;
  /** Also report a `pass` finding for every rule that found nothing. */
  includePass?: boolean;
}

type Matched = Twins<unknown> | undefined;

const joinPath = (label: string, path: string) =>
  label === "" ? path : path === "" ? label : `${label}.${path}`;

/** How the pair itself was declared, as its first twin link says. */
const declaredVia = (pair: Pair) =>
  pair.source === "config"
    ? "pairs in drctl.yaml"
    : pair.source === "tags"
      ? "the secondaryARN tag"
      : pair.via;

class PairComparison {
  readonly findings: Finding[] = [];
  readonly twins = new PairTwins();
  readonly fingerprints: Record<string, string> = {};
  readonly resources = new Set<string>();
  recheckAt: string | undefined;
  /** "type|role|id" -> the finding that says this resource has no twin: the cause of what follows from it. */
  private readonly causes = new Map<string, Finding>();
  readonly primary: Side;
  readonly standby: Side;
  readonly context: PairContext;

  constructor(
    private readonly pair: Pair,
    caches: RegionCaches,
    scanWide: PairContext["scanWide"],
    settings: ScanSettings,
  ) {
    this.primary = new Side(
      "primary",
      pair.primaryArn,
      pair.primary,
      caches.for(pair.primaryRegion, pair.primaryAccount),
    );
    this.standby = new Side(
      "standby",
      pair.standbyArn,
      pair.standby,
      caches.for(pair.standbyRegion, pair.standbyAccount),
    );
    this.context = {
      scanWide,
      settings,
      names: {
        primary: { region: pair.primaryRegion, ownName: pair.name, otherName: pair.standbyName },
        standby: { region: pair.standbyRegion, ownName: pair.standbyName, otherName: pair.name },
      },
      region: (region) =>
        caches.for(region, region === pair.standbyRegion ? pair.standbyAccount : pair.primaryAccount),
    };
    this.twins.record(pair.kind.type, [
      {
        primary: { id: pair.primaryArn, name: pair.name },
        standby: { id: pair.standbyArn, name: pair.standbyName },
        method: "pair",
        via: declaredVia(pair),
      },
    ]);
  }

  /** Every finding of this pair is made here: the rule, then what it found (or that it found nothing). */
  add(rule: RuleInfo, d: Omit<Partial<Difference>, "status"> & { status: Status }): Finding {
    const finding = findingOf(rule, {
      pair: this.pair.name,
      primaryArn: this.pair.primaryArn,
      secondaryArn: this.pair.standbyArn,
      status: d.status,
      path: d.path ?? "",
      primary: d.primary ?? null,
      secondary: d.secondary ?? null,
      message: d.message ?? `${rule.title}: no difference`,
      ...(d.severity ? { severity: d.severity } : {}),
    });
    this.findings.push(finding);
    return finding;
  }

  /** A module's twins; a module that cannot be read is a finding, and nothing more of it is compared. */
  async match(module: ResourceModule<unknown>): Promise<Matched> {
    try {
      return await module.twins(this.primary, this.standby, this.context);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.add(readErrorRule(module), {
        status: "error",
        message: `could not read ${module.title.toLowerCase()}: ${message}`,
      });
      return undefined;
    }
  }

  /** The module's twin links, and a finding for each resource without a twin (a cause of what follows). */
  recordUnmatched(module: ResourceModule<unknown>, m: Twins<unknown>): void {
    if (m.links || m.listed) this.twins.record(module.type, m.links ?? [], m.listed);
    for (const link of m.links ?? []) this.resources.add(link.primary.id).add(link.standby.id);
    if (m.recheckAt && (!this.recheckAt || m.recheckAt < this.recheckAt)) this.recheckAt = m.recheckAt;
    for (const u of m.unmatched) {
      const rule = u.rule ?? module.missingRule;
      if (!rule) continue;
      const finding = this.add(rule, { ...u, status: u.status ?? "missing" });
      for (const about of u.about ?? []) this.resources.add(about.id);
      for (const about of u.about ?? []) this.causes.set(`${module.type}|${about.role}|${about.id}`, finding);
    }
  }

  /** The module's rules on its twins, references resolved through the pair. */
  applyRules(module: ResourceModule<unknown>, m: Twins<unknown>, options: CompareOptions): void {
    const resolved = m.twins.map((twin) => ({
      label: twin.label,
      primary: this.twins.resolve(twin.primary, "primary"),
      secondary: this.twins.resolve(twin.secondary, "standby"),
    }));
    for (const twin of m.twins) referencedIds([twin.primary, twin.secondary], this.resources);
    this.fingerprints[module.type] = fingerprintOf([resolved, m.unmatched]);
    for (const rule of module.rules) {
      let found = 0;
      for (const twin of resolved)
        for (const d of rule.check(twin.primary, twin.secondary, options.settings)) {
          found++;
          const finding = this.add(rule, {
            ...d,
            status: d.status ?? "drift",
            path: joinPath(twin.label, d.path),
          });
          this.linkCause(finding, d);
        }
      if (found === 0 && options.includePass) this.add(rule, { status: "pass" });
    }
  }

  /** A difference made by a reference with no twin follows from the finding about that resource. */
  private linkCause(finding: Finding, d: Difference): void {
    const cause = [...brokenRefs(d.primary), ...brokenRefs(d.secondary)]
      .map((r) => this.causes.get(`${r.$ref}|${r.role}|${r.id}`))
      .find((c) => c !== undefined && c !== finding);
    if (cause) finding.consequenceOf = { ruleId: cause.ruleId, path: cause.path };
  }
}

/** Compares one pair with the modules of its type. */
export async function comparePair(
  pair: Pair,
  modules: readonly ResourceModule<unknown>[],
  caches: RegionCaches,
  scanWide: PairContext["scanWide"],
  options: CompareOptions,
): Promise<Compared> {
  const c = new PairComparison(pair, caches, scanWide, options.settings);
  // 1. Twins, module by module (their reads run at once); 2. rules on twins.
  const matched = await Promise.all(modules.map((module) => c.match(module)));
  modules.forEach((module, i) => {
    const m = matched[i];
    if (m) c.recordUnmatched(module, m);
  });
  modules.forEach((module, i) => {
    const m = matched[i];
    if (m) c.applyRules(module, m, options);
  });
  c.resources.add(pair.primaryArn);
  if (pair.standbyArn) c.resources.add(pair.standbyArn);
  return {
    findings: c.findings,
    twins: c.twins.links.map(({ type, link }) => ({ type, ...link })),
    fingerprints: c.fingerprints,
    resources: [...c.resources].sort(),
    ...(c.recheckAt ? { recheckAt: c.recheckAt } : {}),
  };
}
