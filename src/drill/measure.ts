/**
 * The drill's figures, from what the probes and canaries recorded: pure functions, so the same
 * record gives the same figures (tests feed them samples of known timing).
 *
 * RTO: from the fault's start to the first of K consecutive successful answers served by the
 * side that takes over (its region field says so); by status alone when the answers name no
 * region (the first of K successes after the first failure). A recovery needs the fault seen
 * first (a failure, or the region field changing): answers that never change are "not
 * measured: the probes never saw the fault", never a recovery at once. Detection: the first answer after
 * the fault that is not a success from the side that was serving. RPO: the fault's start minus
 * the write time of the newest canary marker written before it that the side taking over can
 * read; lost writes are the acknowledged markers it cannot. Every figure is rounded to its
 * resolution (the probe or canary interval) and never said finer; a side that never served is
 * "at least" the time waited, and not met.
 */
import type { MeasuredTarget } from "../core/drill-result.js";
import { formatMeasured } from "../util/duration.js";
import type { ProbeSample, Side } from "./probe.js";

/** `seconds` to the nearest multiple of `resolution`, with no more decimals than it has. */
export function roundTo(seconds: number, resolution: number): number {
  if (resolution <= 0) return seconds;
  const decimals = Math.min(3, (String(resolution).split(".")[1] ?? "").length);
  return Number((Math.round(seconds / resolution) * resolution).toFixed(decimals));
}

/** The first sample from `from` on that starts a run of `k` consecutive samples matching `match`. */
export function firstStreak(
  samples: readonly ProbeSample[],
  from: number,
  k: number,
  match: (s: ProbeSample) => boolean,
): ProbeSample | undefined {
  let start = -1;
  let n = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as ProbeSample;
    if (s.at < from) continue;
    if (match(s)) {
      if (n === 0) start = i;
      n++;
      if (n >= k) return samples[start];
    } else n = 0;
  }
  return undefined;
}

export interface EndpointRecovery {
  endpoint: string;
  /** The region field was never seen: recovery by status alone. */
  byStatusOnly: boolean;
  /** The first answer after the fault that was not a success from the side that served. */
  detectedAt?: number;
  /** The first of K successes from the side taking over. */
  recoveredAt?: number;
  /**
   * By status alone, with no failure after the fault: the first of K successes (the wait for a
   * failback may end there), which says nothing of who served them: never a recovery.
   */
  unchangedAt?: number;
}

/** Whether the answers of an endpoint name their region at all. */
export const namesRegion = (samples: readonly ProbeSample[]) => samples.some((s) => s.side !== "unknown");

/**
 * How one endpoint came back after the fault at `from`: served by `to` (the standby in a
 * failover, the primary in a failback), having been served by the other side.
 */
export function recoveryOf(
  endpoint: string,
  samples: readonly ProbeSample[],
  from: number,
  k: number,
  to: Exclude<Side, "other" | "unknown">,
): EndpointRecovery {
  const byStatusOnly = !namesRegion(samples);
  const was: Side = to === "standby" ? "primary" : "standby";
  const detected = samples.find((s) => s.at >= from && !(s.ok && (byStatusOnly || s.side === was)));
  let recovered: ProbeSample | undefined;
  let unchanged: ProbeSample | undefined;
  if (byStatusOnly) {
    // By status alone: the first K successes after the first failure. None failed: the probes
    // never saw the fault, and successes say nothing of which side served them.
    const failed = samples.find((s) => s.at >= from && !s.ok);
    if (failed) recovered = firstStreak(samples, failed.at, k, (s) => s.ok);
    else unchanged = firstStreak(samples, from, k, (s) => s.ok);
  } else recovered = firstStreak(samples, from, k, (s) => s.ok && s.side === to);
  return {
    endpoint,
    byStatusOnly,
    ...(detected ? { detectedAt: detected.at } : {}),
    ...(recovered ? { recoveredAt: recovered.at } : {}),
    ...(unchanged ? { unchangedAt: unchanged.at } : {}),
  };
}

/**
 * The RTO of a phase: the last endpoint to recover; "at least" the time waited when one never
 * did; not measured (and not met: nothing measured is never a pass) when an endpoint's answers
 * never changed, since nothing then shows the fault took effect or who served afterwards.
 */
export function rtoOf(
  recoveries: readonly EndpointRecovery[],
  from: number,
  waitedUntil: number,
  resolution: number,
  target: number | undefined,
  to: string,
  change = "the fault",
): MeasuredTarget {
  const statusOnly = recoveries.filter((r) => r.byStatusOnly).map((r) => r.endpoint);
  const notes: string[] = [];
  if (statusOnly.length)
    notes.push(
      `${statusOnly.join(", ")} name${statusOnly.length === 1 ? "s" : ""} no region in ${statusOnly.length === 1 ? "its" : "their"} answers: RTO by status alone (the first successes after the first failure)`,
    );
  const unseen = recoveries.filter((r) => r.detectedAt === undefined);
  if (unseen.length > 0) {
    const waited = roundTo(Math.max(0, (waitedUntil - from) / 1000), resolution);
    notes.unshift(
      `not measured: the probes never saw ${change}: ${unseen.map((r) => r.endpoint).join(", ")} answered as before for ${formatMeasured(waited, resolution).value}${unseen.some((r) => r.byStatusOnly) ? " (answers that name no region only show a fault that makes them fail)" : ""}`,
    );
    return {
      measuredSeconds: null,
      targetSeconds: target ?? null,
      met: false,
      resolutionSeconds: resolution,
      note: notes.join("; "),
    };
  }
  const missing = recoveries.filter((r) => r.recoveredAt === undefined);
  if (missing.length > 0) {
    const waited = roundTo(Math.max(0, (waitedUntil - from) / 1000), resolution);
    notes.unshift(
      `${missing.map((r) => r.endpoint).join(", ")} never answered from ${to} as expected within ${formatMeasured(waited, resolution).value}: at least that`,
    );
    return {
      measuredSeconds: waited,
      atLeast: true,
      targetSeconds: target ?? null,
      met: false,
      resolutionSeconds: resolution,
      note: notes.join("; "),
    };
  }
  const last = Math.max(...recoveries.map((r) => r.recoveredAt as number));
  const seconds = roundTo(Math.max(0, (last - from) / 1000), resolution);
  notes.unshift(`the first of the successful answers in a row from ${to}, on the last endpoint to recover`);
  return {
    measuredSeconds: seconds,
    targetSeconds: target ?? null,
    met: target === undefined ? null : seconds <= target,
    resolutionSeconds: resolution,
    note: notes.join("; "),
  };
}

/** Time to detect: the first endpoint to see the fault. */
export function detectOf(
  recoveries: readonly EndpointRecovery[],
  from: number,
  resolution: number,
): number | null {
  const seen = recoveries.map((r) => r.detectedAt).filter((t): t is number => t !== undefined);
  return seen.length ? roundTo(Math.max(0, (Math.min(...seen) - from) / 1000), resolution) : null;
}

/** A canary write: its marker, when it was acknowledged, or why it failed. */
export interface CanaryWrite {
  canary: string;
  marker: string;
  seq: number;
  /** The side written to. */
  side: "primary" | "standby";
  /** When the store acknowledged it (ms since the epoch); for a failed write, when it failed. */
  at: number;
  ok: boolean;
  error?: string;
}

export interface CanaryReading {
  canary: string;
  /** Markers readable on the side that took over, read once it served. */
  present: Set<string>;
  resolutionSeconds: number;
  /** Why it could not be read (the figure is then unknown). */
  error?: string;
}

/** What would measure an RPO: said where a target has no figure. */
export const CANARY_HINT =
  "a canary under canaries: in the drill file (a DynamoDB table or S3 bucket the application replicates, or a command that writes and reads a marker) would measure it";

/** One canary's figure: how old its newest marker readable on `to` was, and the markers missing. */
function canaryRpo(
  r: CanaryReading,
  writes: readonly CanaryWrite[],
  from: number,
  to: string,
): { seconds: number | null; lost: number; written: number; atLeast: boolean; note: string } {
  const acked = writes.filter((w) => w.canary === r.canary && w.ok && w.at <= from);
  if (r.error || acked.length === 0)
    // Unread, or nothing written to look for: no figure (never "at least 0 s").
    return {
      seconds: null,
      lost: 0,
      written: acked.length,
      atLeast: false,
      note: r.error
        ? `${r.canary}: could not be read on ${to}: ${r.error}`
        : `${r.canary}: no marker was acknowledged before the phase began: nothing to look for on ${to}`,
    };
  const there = acked.filter((w) => r.present.has(w.marker));
  const missing = acked.length - there.length;
  if (there.length === 0) {
    // Nothing arrived: at least as old as the first write.
    const first = Math.min(...acked.map((w) => w.at), from);
    const seconds = roundTo((from - first) / 1000, r.resolutionSeconds);
    return {
      seconds,
      lost: missing,
      written: acked.length,
      atLeast: true,
      note: `${r.canary}: none of its ${acked.length} markers is readable on ${to}: at least ${formatMeasured(seconds, r.resolutionSeconds).value}`,
    };
  }
  const newest = Math.max(...there.map((w) => w.at));
  const seconds = roundTo(Math.max(0, (from - newest) / 1000), r.resolutionSeconds);
  return {
    seconds,
    lost: missing,
    written: acked.length,
    atLeast: false,
    note: `${r.canary}: newest readable marker written ${formatMeasured(seconds, r.resolutionSeconds).value} before the fault; ${missing} of ${acked.length} markers missing`,
  };
}

/** RPO and lost writes of a phase from the markers written before `from` and those read afterwards. */
export function rpoOf(
  writes: readonly CanaryWrite[],
  readings: readonly CanaryReading[],
  from: number,
  target: number | undefined,
  to: string,
): {
  rpo: MeasuredTarget;
  lostWrites: number;
  perCanary: Record<string, { seconds: number | null; lost: number; written: number }>;
} {
  const resolution = Math.max(0, ...readings.map((r) => r.resolutionSeconds));
  if (readings.length === 0)
    return {
      rpo: {
        measuredSeconds: null,
        targetSeconds: target ?? null,
        // A target nothing measured is not met.
        met: target === undefined ? null : false,
        resolutionSeconds: resolution,
        note: `no canary: the RPO was not measured${target === undefined ? "" : `; ${CANARY_HINT}`}`,
      },
      lostWrites: 0,
      perCanary: {},
    };
  let worst = 0;
  let atLeast = false;
  let lost = 0;
  const notes: string[] = [];
  const perCanary: Record<string, { seconds: number | null; lost: number; written: number }> = {};
  let unknown = false;
  for (const r of readings) {
    const c = canaryRpo(r, writes, from, to);
    notes.push(c.note);
    perCanary[r.canary] = { seconds: c.seconds, lost: c.lost, written: c.written };
    if (c.seconds === null) {
      unknown = true;
      continue;
    }
    lost += c.lost;
    atLeast ||= c.atLeast;
    worst = Math.max(worst, c.seconds);
  }
  if (unknown && Object.values(perCanary).every((c) => c.seconds === null))
    return {
      rpo: {
        measuredSeconds: null,
        targetSeconds: target ?? null,
        met: target === undefined ? null : false,
        resolutionSeconds: resolution,
        note: notes.join("; "),
      },
      lostWrites: lost,
      perCanary,
    };
  return {
    rpo: {
      measuredSeconds: worst,
      // A canary with no figure may be worse than those measured: the worst of them is a lower bound.
      ...(atLeast || unknown ? { atLeast: true } : {}),
      targetSeconds: target ?? null,
      met: target === undefined ? null : !atLeast && !unknown && worst <= target,
      resolutionSeconds: resolution,
      note: notes.join("; "),
    },
    lostWrites: lost,
    perCanary,
  };
}
