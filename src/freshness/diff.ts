/** What changed between two freshness runs: each store's status, and the posture findings. */
import type { FreshnessResult, StoreResult, StoreStatus } from "../core/freshness-result.js";
import { isReadFailure, type Finding } from "../core/finding.js";
import { findingKey } from "../history/diff.js";

export interface StoreChange {
  store: string;
  kind: string;
  primaryArn: string;
  /** "(new)" for a store the earlier run did not have, "(gone)" for one this run does not. */
  from: StoreStatus | "(new)";
  /** "(not read)": this run did not see the store while it could not read a whole type or region. */
  to: StoreStatus | "(gone)" | "(not read)";
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
  /**
   * Stores this run could not read (it could not measure them, or did not see them while a whole
   * type or region could not be read): whether their status changed is unknown.
   */
  unknownStores: StoreChange[];
  /** Findings of the earlier run about what this run could not read: neither resolved nor open. */
  unknownFindings: Finding[];
}

type Run = { id: string; result: FreshnessResult };

const storeKey = (s: StoreResult) => `${s.kind}|${s.primaryArn}|${s.standbyRegion ?? ""}`;
const open = (r: FreshnessResult) =>
  new Map(r.findings.filter((f) => f.status !== "pass" && !f.suppressed).map((f) => [findingKey(f), f]));

/**
 * What a run could not read, as a test of a primary ARN: a store it could not measure or a read
 * failure about one ARN covers that ARN; a read failure about no ARN (a type, a region's tags)
 * covers every store the run did not see.
 */
function unreadOf(result: FreshnessResult): { arn: (arn: string) => boolean; unseen: boolean } {
  const failures = result.findings.filter((f) => isReadFailure(f) && !f.suppressed);
  const arns = new Set([
    ...result.stores.filter((s) => s.status === "error").map((s) => s.primaryArn),
    ...failures.map((f) => f.primaryArn).filter(Boolean),
  ]);
  const seen = new Set(result.stores.filter((s) => s.status !== "error").map((s) => s.primaryArn));
  const unseen = failures.some((f) => f.primaryArn === "");
  return { arn: (arn) => arns.has(arn) || (unseen && !seen.has(arn)), unseen };
}

const change = (
  s: StoreResult,
  from: StoreChange["from"],
  to: StoreChange["to"],
  exposure: { before: number | null; after: number | null },
): StoreChange => ({
  store: s.store,
  kind: s.kind,
  primaryArn: s.primaryArn,
  from,
  to,
  exposureBefore: exposure.before,
  exposureAfter: exposure.after,
});

/** The stores of both runs: changed, or unknown when the later run could not read them. */
function storeChanges(before: Run | undefined, after: Run) {
  const a = new Map((before?.result.stores ?? []).map((s) => [storeKey(s), s]));
  const b = new Map(after.result.stores.map((s) => [storeKey(s), s]));
  const unread = unreadOf(after.result);
  const changed: StoreChange[] = [];
  const unknown: StoreChange[] = [];
  for (const [k, s] of b) {
    const was = a.get(k);
    if (before && was?.status === s.status) continue;
    const c = change(s, was?.status ?? "(new)", s.status, {
      before: was?.exposureSeconds ?? null,
      after: s.exposureSeconds,
    });
    (before && s.status === "error" ? unknown : changed).push(c);
  }
  for (const [k, s] of a) {
    if (b.has(k)) continue;
    const notRead = unread.unseen && unread.arn(s.primaryArn);
    const c = change(s, s.status, notRead ? "(not read)" : "(gone)", {
      before: s.exposureSeconds,
      after: null,
    });
    (notRead ? unknown : changed).push(c);
  }
  const order = (x: StoreChange, y: StoreChange) =>
    x.store.localeCompare(y.store) || x.kind.localeCompare(y.kind);
  return { changed: changed.sort(order), unknown: unknown.sort(order) };
}

/**
 * What changed between two freshness runs. A store the later run could not read, and an earlier
 * finding about it, is unknown: never a status change, never resolved.
 */
export function diffFreshness(before: Run | undefined, after: Run): FreshnessDiff {
  const stores = storeChanges(before, after);
  const [fa, fb] = [before ? open(before.result) : new Map<string, Finding>(), open(after.result)];
  const unread = unreadOf(after.result);
  const gone = [...fa].filter(([k]) => !fb.has(k)).map(([, f]) => f);
  const notRead = (f: Finding) =>
    !isReadFailure(f) && (unread.arn(f.primaryArn) || (unread.unseen && !f.primaryArn));
  return {
    from: before?.id ?? null,
    to: after.id,
    changed: stores.changed,
    newFindings: [...fb].filter(([k]) => !fa.has(k)).map(([, f]) => f),
    resolvedFindings: gone.filter((f) => !notRead(f)),
    unknownStores: stores.unknown,
    unknownFindings: gone.filter(notRead),
  };
}

export function freshnessDiffSentence(d: FreshnessDiff, since?: string): string {
  if (d.from === null) return `first stored freshness run: ${d.changed.length} stores`;
  const unknown = d.unknownStores.length + d.unknownFindings.length;
  const unread = unknown > 0 ? `, ${unknown} unknown (not read this time)` : "";
  return `${d.changed.length} stores changed status, ${d.newFindings.length} new and ${d.resolvedFindings.length} resolved findings${unread} since ${d.from}${since ? ` (${since})` : ""}`;
}
