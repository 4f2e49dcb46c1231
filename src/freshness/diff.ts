/** What changed between two freshness runs: each store's status, and the posture findings. */
import type { FreshnessResult, StoreResult, StoreStatus } from "../core/freshness-result.js";
import type { Finding } from "../core/finding.js";
import { findingKey } from "../history/diff.js";

export interface StoreChange {
  store: string;
  kind: string;
  primaryArn: string;
  /** "(new)" for a store the earlier run did not have, "(gone)" for one this run does not. */
  from: StoreStatus | "(new)";
  to: StoreStatus | "(gone)";
  exposureBefore: number | null;
  exposureAfter: number | null;
}

export interface FreshnessDiff {
  from: string | null;
  to: string;
  /** Stores whose status changed (appeared, went, or moved between ok, breach, broken, ...). */
  changed: StoreChange[];
  newFindings: Finding[];
  resolvedFindings: Finding[];
}

const storeKey = (s: StoreResult) => `${s.kind}|${s.primaryArn}|${s.standbyRegion ?? ""}`;
const open = (r: FreshnessResult) =>
  new Map(r.findings.filter((f) => f.status !== "pass" && !f.suppressed).map((f) => [findingKey(f), f]));

export function diffFreshness(
  before: { id: string; result: FreshnessResult } | undefined,
  after: { id: string; result: FreshnessResult },
): FreshnessDiff {
  const a = new Map((before?.result.stores ?? []).map((s) => [storeKey(s), s]));
  const b = new Map(after.result.stores.map((s) => [storeKey(s), s]));
  const changed: StoreChange[] = [];
  for (const [k, s] of b) {
    const was = a.get(k);
    if (before && was?.status === s.status) continue;
    changed.push({
      store: s.store,
      kind: s.kind,
      primaryArn: s.primaryArn,
      from: was?.status ?? "(new)",
      to: s.status,
      exposureBefore: was?.exposureSeconds ?? null,
      exposureAfter: s.exposureSeconds,
    });
  }
  for (const [k, s] of a)
    if (!b.has(k))
      changed.push({
        store: s.store,
        kind: s.kind,
        primaryArn: s.primaryArn,
        from: s.status,
        to: "(gone)",
        exposureBefore: s.exposureSeconds,
        exposureAfter: null,
      });
  const [fa, fb] = [before ? open(before.result) : new Map<string, Finding>(), open(after.result)];
  return {
    from: before?.id ?? null,
    to: after.id,
    changed: changed.sort((x, y) => x.store.localeCompare(y.store) || x.kind.localeCompare(y.kind)),
    newFindings: [...fb].filter(([k]) => !fa.has(k)).map(([, f]) => f),
    resolvedFindings: [...fa].filter(([k]) => !fb.has(k)).map(([, f]) => f),
  };
}

export function freshnessDiffSentence(d: FreshnessDiff, since?: string): string {
  if (d.from === null) return `first stored freshness run: ${d.changed.length} stores`;
  return `${d.changed.length} stores changed status, ${d.newFindings.length} new and ${d.resolvedFindings.length} resolved findings since ${d.from}${since ? ` (${since})` : ""}`;
}
