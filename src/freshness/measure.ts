/**
 * Measuring one store's protection against its recovery point objective, and the verdict on a
 * store with none: what freshness says of each store.
 */
import type { StoreResult, StoreStatus } from "../core/freshness-result.js";
import { findingOf, type Finding } from "../core/finding.js";
import { belongsTo } from "../config/applications.js";
import { tidyArn } from "../pairs/tags.js";
import { formatDuration } from "../util/duration.js";
import { glob } from "../util/glob.js";
import {
  storeReadError,
  type FreshnessContext,
  type Measurement,
  type PrimaryStore,
  type Protection,
} from "../datastores/type.js";
import type { FreshnessOptions } from "./options.js";

/** What measuring needs: the run's options and context, the primaries' tags, where findings go. */
export interface Measuring {
  options: FreshnessOptions;
  ctx: FreshnessContext;
  tagsOf: ReadonlyMap<string, Record<string, string>>;
  findings: Finding[];
}

interface Target {
  seconds: number;
  application: string | null;
}

/** The target of a store: its pair's in drctl.yaml, else its application's, else the default. */
export function targetOf(options: FreshnessOptions, arn: string, tags: Record<string, string>): Target {
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

/** One protection measured (by the canary if it covers it, else by its type); a failure is a finding. */
export async function measureProtection(m: Measuring, p: Protection): Promise<StoreResult> {
  const target = targetOf(m.options, p.primary.arn, m.tagsOf.get(p.primary.arn) ?? {});
  const base = {
    kind: p.kind,
    store: p.primary.name,
    application: target.application,
    primaryArn: p.primary.arn,
    primaryRegion: p.primary.region,
    standbyArn: p.standbyArn,
    standbyRegion: p.standbyRegion,
    checkedRegions: m.ctx.standbyRegions,
    rpoSeconds: target.seconds,
  };
  let measured: Measurement;
  try {
    measured = (await m.options.canary?.(p)) ?? (await p.measure(m.ctx));
  } catch (err) {
    return { ...base, ...unmeasured(m, p, err) };
  }
  const status = statusOf(measured, target.seconds);
  const remediation =
    measured.broken?.fix ??
    measured.unknown?.fix ??
    (status === "breach"
      ? "Find what slows the copy (write volume, the copy's schedule, the replica's size) or, if the business accepts more loss, raise the target in drctl.yaml."
      : undefined);
  return {
    ...base,
    status,
    exposureSeconds: measured.exposureSeconds ?? null,
    ...(measured.atLeast ? { exposureAtLeast: true } : {}),
    ...(measured.resolutionSeconds !== undefined ? { resolutionSeconds: measured.resolutionSeconds } : {}),
    measuredBy: measured.measuredBy,
    message: messageOf(p, measured, status, target.seconds),
    evidence: measured.evidence,
    ...(remediation ? { remediation } : {}),
  };
}

/** A protection whose measurement failed: an error result, and a finding of its type's read rule. */
function unmeasured(
  m: Measuring,
  p: Protection,
  err: unknown,
): Pick<StoreResult, "status" | "exposureSeconds" | "measuredBy" | "message" | "evidence"> {
  const message = err instanceof Error ? err.message : String(err);
  const type = m.options.types.find((t) => t.type === p.primary.type);
  m.findings.push(
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
    status: "error",
    exposureSeconds: null,
    measuredBy: "(could not be read)",
    message: `${p.primary.name} (${p.kind}): could not be measured: ${message}`,
    evidence: [],
  };
}

/** The stores no protection covers, unless drctl.yaml's freshness.ignore says they need none. */
export function unprotectedResults(
  m: Measuring,
  stores: Iterable<PrimaryStore>,
  protections: readonly Protection[],
): StoreResult[] {
  const protectedArns = new Set(protections.map((p) => p.primary.arn));
  const ignored = (arn: string) => m.options.config.freshness.ignore.some((g) => glob(g).test(arn));
  return [...stores]
    .filter((s) => !protectedArns.has(s.arn) && !ignored(s.arn))
    .map((s) => {
      const target = targetOf(m.options, s.arn, m.tagsOf.get(s.arn) ?? {});
      return {
        kind: s.type,
        store: s.name,
        application: target.application,
        primaryArn: s.arn,
        primaryRegion: s.region,
        standbyArn: null,
        standbyRegion: null,
        checkedRegions: m.ctx.standbyRegions,
        rpoSeconds: target.seconds,
        exposureSeconds: null,
        evidence: [],
        ...uncopied(s, m.ctx.standbyRegions),
      };
    });
}
