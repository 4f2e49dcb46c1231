/**
 * Which pairs an incremental scan reads and which it carries over: a pair is read when it is new,
 * when AWS reported a change to anything its last read named, when its tags or standby changed,
 * when its findings depend on state no signal reports, when a module asked to be re-checked, and
 * by a rolling sweep that reads every pair at least once per `fullEvery`, spread evenly across
 * runs. Everything else keeps the findings of its last read, which say how old they are.
 */
import type { ChangeSignal } from "../core/changes.js";
import type { PairResult, ScanResult } from "../core/scan-result.js";
import { resourceKeys } from "./evidence.js";

/** Why a pair is read; the key is what the run counts, the detail what it says of the pair. */
export interface ReadReason {
  key: string;
  detail: string;
}

export interface PlanInput {
  /** The newest stored scan, if any: what its pairs read, and when. */
  previous?: ScanResult;
  /** Changes AWS reported, from every signal. */
  changes: readonly ChangeSignal[];
  now: Date;
  fullEveryMs: number;
  /** How often a pair whose findings rest on state no signal reports (alarm states) is re-read. */
  stateEveryMs: number;
  /** Types of such pairs. */
  stateTypes: ReadonlySet<string>;
  settingsKey: string;
  /** Read everything (--full). */
  full?: boolean;
  /** How far a change may precede a read and still count (clocks of AWS and of this machine differ). */
  marginMs: number;
}

export interface DiscoveredPair {
  primaryArn: string;
  standbyArn: string | null;
  type: string;
  primaryTags: Readonly<Record<string, string>>;
}

export interface ReadPlan {
  /** primary ARN -> why it is read. */
  read: Map<string, ReadReason>;
  /** primary ARN -> its previous result, to carry over. */
  carry: Map<string, PairResult>;
  /** Changes that named no resource of any pair. */
  unmatchedChanges: number;
}

/** 32-bit FNV-1a: a pair's place in the sweep, the same on every machine and run. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Whether the sweep reads the pair now: each pair has a fixed moment in every `every`-long
 * period (its phase, from its ARN, so pairs spread evenly over the period); it is read by the
 * first run after that moment that follows its last read. No pair goes unread longer than `every`.
 */
export function sweepDue(primaryArn: string, readAt: Date, now: Date, everyMs: number): boolean {
  if (everyMs <= 0) return true;
  const phase = (fnv1a(primaryArn) / 2 ** 32) * everyMs;
  const period = (t: number) => Math.floor((t - phase) / everyMs);
  return period(now.getTime()) > period(readAt.getTime());
}

/** resource key -> the pairs whose last read named it. */
function indexResources(previous: Map<string, PairResult>): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const [arn, p] of previous)
    for (const id of p.evidence?.resources ?? [])
      for (const key of resourceKeys(id)) {
        const set = index.get(key) ?? new Set<string>();
        set.add(arn);
        index.set(key, set);
      }
  return index;
}

/** primary ARN -> the newest change to something it named (changes before its last read aside). */
function changedPairs(
  changes: readonly ChangeSignal[],
  previous: Map<string, PairResult>,
  marginMs: number,
): { changed: Map<string, ChangeSignal>; unmatched: number } {
  const index = indexResources(previous);
  const changed = new Map<string, ChangeSignal>();
  let unmatched = 0;
  for (const change of changes) {
    const hit = new Set(change.resources.flatMap(resourceKeys).flatMap((k) => [...(index.get(k) ?? [])]));
    if (hit.size === 0) unmatched++;
    for (const arn of hit) {
      const readAt = Date.parse(previous.get(arn)?.evidence?.readAt ?? "");
      // A change recorded after the read (delivered late) is news to it, whenever it happened.
      const news = change.recordedAt && change.recordedAt > change.at ? change.recordedAt : change.at;
      if (Date.parse(news) < readAt - marginMs) continue;
      const known = changed.get(arn);
      if (!known || change.at > known.at) changed.set(arn, change);
    }
  }
  return { changed, unmatched };
}

const sameTags = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>> = {}) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Whether a pair's last read failed somewhere: then nothing of it is carried over. */
const readFailed = (p: PairResult) => p.status === "error" || p.findings.some((f) => f.status === "error");

const hours = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;

/** Why one pair must be read, or undefined when its previous result can be carried over. */
function reasonFor(
  pair: DiscoveredPair,
  before: PairResult | undefined,
  change: ChangeSignal | undefined,
  input: PlanInput,
): ReadReason | undefined {
  if (!before) return { key: "new pair", detail: "new pair: not in the previous scan" };
  const evidence = before.evidence;
  if (!evidence)
    return {
      key: "no fingerprint",
      detail: "the previous scan was stored without fingerprints (an older drctl)",
    };
  if (readFailed(before)) return { key: "last read failed", detail: "its last read failed" };
  if ((before.secondaryArn ?? null) !== pair.standbyArn)
    return { key: "standby changed", detail: `its standby changed from ${before.secondaryArn ?? "none"}` };
  if (!sameTags(pair.primaryTags, before.primaryTags))
    return { key: "tags changed", detail: "the primary's tags changed" };
  if (change)
    return {
      key: "changed",
      detail: `${change.what} at ${change.at} (${change.source}, ${change.region})`,
    };
  const readAt = new Date(evidence.readAt);
  if (evidence.recheckAt && Date.parse(evidence.recheckAt) <= input.now.getTime())
    return {
      key: "recheck due",
      detail: `a finding of it changes at ${evidence.recheckAt} (certificate expiry)`,
    };
  if (input.stateTypes.has(pair.type) && sweepDue(pair.primaryArn, readAt, input.now, input.stateEveryMs))
    return { key: "state re-read", detail: `its state is re-read every ${hours(input.stateEveryMs)}` };
  if (sweepDue(pair.primaryArn, readAt, input.now, input.fullEveryMs))
    return {
      key: "rolling sweep",
      detail: `rolling sweep: every pair is read at least every ${hours(input.fullEveryMs)}`,
    };
  return undefined;
}

/** The whole run's reads: what each discovered pair needs, from the previous scan and the changes. */
export function planReads(pairs: readonly DiscoveredPair[], input: PlanInput): ReadPlan {
  const read = new Map<string, ReadReason>();
  const carry = new Map<string, PairResult>();
  const whole = (r: ReadReason) => {
    for (const p of pairs) read.set(p.primaryArn, r);
    return { read, carry, unmatchedChanges: 0 };
  };
  if (input.full) return whole({ key: "full read asked", detail: "a full read was asked (--full)" });
  if (!input.previous) return whole({ key: "no previous scan", detail: "no previous scan to continue from" });
  const previous = new Map(input.previous.pairs.map((p) => [p.primaryArn, p]));
  if (input.previous.settingsKey !== input.settingsKey)
    return whole({
      key: "settings changed",
      detail: input.previous.settingsKey
        ? "the scan's settings, rules or drctl's version changed since the previous scan"
        : "the previous scan was stored without fingerprints (an older drctl)",
    });
  const { changed, unmatched } = changedPairs(input.changes, previous, input.marginMs);
  for (const pair of pairs) {
    const before = previous.get(pair.primaryArn);
    const why = reasonFor(pair, before, changed.get(pair.primaryArn), input);
    if (why || !before) read.set(pair.primaryArn, why ?? { key: "new pair", detail: "new pair" });
    else carry.set(pair.primaryArn, before);
  }
  return { read, carry, unmatchedChanges: unmatched };
}
