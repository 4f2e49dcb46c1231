/** A phase's figures from the probes and the canaries, and the waits on the probes' answers. */
import type { DrillPhase, MeasuredTarget } from "../core/drill-result.js";
import type { StepRecord } from "../runbook/journal.js";
import { formatDuration, formatMeasured } from "../util/duration.js";
import { errorMessage, type CanarySide, type CanaryStore } from "./canaries.js";
import {
  detectOf,
  recoveryOf,
  roundTo,
  rpoOf,
  rtoOf,
  type CanaryReading,
  type CanaryWrite,
} from "./measure.js";
import type { Prober, ProbeSample } from "./probe.js";
import type { DrillEndpoint } from "./schema.js";
import { iso, type DrillState } from "./state.js";

export function stepsOf(records: StepRecord[], from: number): DrillPhase["steps"] {
  return records
    .filter((r) => r.startedAt)
    .map((r) => {
      const start = Date.parse(r.startedAt as string);
      const end = r.finishedAt ? Date.parse(r.finishedAt) : start;
      return {
        id: r.stepId,
        kind: r.kind ?? "?",
        seconds: Math.round((end - start) / 100) / 10,
        outcome: r.status,
        startSeconds: Math.round((start - from) / 100) / 10,
      };
    });
}

/** The figures of a phase from the probes and the canaries. */
export function figures(
  d: DrillState,
  samples: ProbeSample[],
  from: number,
  waitedUntil: number,
  to: "standby" | "primary",
  writes: CanaryWrite[],
  readings: CanaryReading[],
  steps: DrillPhase["steps"],
): DrillPhase {
  const { drill } = d;
  const resolution = drill.probe.interval;
  const k = drill.probe.consecutive;
  const recoveries = drill.endpoints.map((e) =>
    recoveryOf(
      e.name,
      samples.filter((s) => s.endpoint === e.name),
      from,
      k,
      to,
    ),
  );
  const toName = to === "standby" ? drill.regions.standby : drill.regions.primary;
  const rto = rtoOf(
    recoveries,
    from,
    waitedUntil,
    resolution,
    drill.targets.rto,
    toName,
    to === "standby" ? "the fault" : "the failback",
  );
  const rpo = rpoOf(writes, readings, from, drill.targets.rpo, toName);
  // The targets are the failover's: a failback figure nothing could measure (answers that name
  // no region, no canary written both ways) is said so, and not judged.
  if (to === "primary") {
    for (const t of [rto, rpo.rpo]) if (t.measuredSeconds === null) t.met = null;
    if (readings.length === 0)
      rpo.rpo.note =
        "not measured: no canary wrote in the standby (a DynamoDB or command canary writes both ways)";
  }
  const recovered = recoveries.every((r) => r.recoveredAt !== undefined)
    ? Math.max(...recoveries.map((r) => r.recoveredAt as number))
    : undefined;
  return {
    rto,
    rpo: rpo.rpo,
    lostWrites: rpo.lostWrites,
    detectSeconds: detectOf(recoveries, from, resolution),
    steps,
    from: iso(from),
    recoveredAt: recovered === undefined ? null : iso(recovered),
    endpoints: recoveries.map((r) => ({
      name: r.endpoint,
      detectSeconds: r.detectedAt === undefined ? null : roundTo((r.detectedAt - from) / 1000, resolution),
      recoverySeconds:
        r.recoveredAt === undefined ? null : roundTo((r.recoveredAt - from) / 1000, resolution),
      byStatusOnly: r.byStatusOnly,
    })),
    canaries: Object.entries(rpo.perCanary).map(([name, c]) => ({
      name,
      written: c.written,
      lost: c.lost,
      seconds: c.seconds,
    })),
  };
}

export async function readCanaries(
  stores: CanaryStore[],
  side: CanarySide,
  writes: CanaryWrite[],
): Promise<CanaryReading[]> {
  return Promise.all(
    stores.map(async (s) => {
      const markers = writes.filter((w) => w.canary === s.name && w.ok).map((w) => w.marker);
      try {
        return {
          canary: s.name,
          present: await s.present(side, markers),
          resolutionSeconds: s.intervalSeconds,
        };
      } catch (err) {
        return {
          canary: s.name,
          present: new Set<string>(),
          resolutionSeconds: s.intervalSeconds,
          error: errorMessage(err),
        };
      }
    }),
  );
}

/**
 * Every endpoint has K answers in a row that match, from `from` on (`orUnchanged`: or, for
 * answers that name no region and never failed, K successes: enough to stop waiting, never a
 * recovery).
 */
export function allStreaks(
  prober: Prober,
  endpoints: readonly DrillEndpoint[],
  from: number,
  k: number,
  to: "primary" | "standby",
  orUnchanged = false,
): boolean {
  return endpoints.every((e) => {
    const r = recoveryOf(e.name, prober.answered(e.name), from, k, to);
    return r.recoveredAt !== undefined || (orUnchanged && r.unchangedAt !== undefined);
  });
}

/** Where a phase's recovery came from, as far as the answers say: a region, or by status alone. */
export const servedBy = (p: DrillPhase, region: string) =>
  p.endpoints?.some((e) => e.byStatusOnly)
    ? "after failing (by status alone: the answers name no region)"
    : `from ${region}`;

/**
 * A phase's figures that cannot be judged against the targets (a phase interrupted, a failback
 * figure nothing could measure): said why, never "not met" for what drctl did not see to its end.
 */
export function notJudged(p: DrillPhase, why: string): DrillPhase {
  const off = (t: MeasuredTarget): MeasuredTarget =>
    t.met === null ? t : { ...t, met: null, note: `not judged: ${why}${t.note ? `; ${t.note}` : ""}` };
  return { ...p, rto: off(p.rto), rpo: off(p.rpo) };
}

export function baselineReady(prober: Prober, endpoints: readonly DrillEndpoint[], k: number): boolean {
  return endpoints.every((e) => {
    const s = prober.answered(e.name);
    let n = 0;
    for (const x of s) n = x.ok && (x.side === "primary" || x.side === "unknown") ? n + 1 : 0;
    return n >= k;
  });
}

export const showTarget = (t: MeasuredTarget) =>
  t.measuredSeconds === null
    ? "not measured"
    : `${t.atLeast ? "at least " : ""}${formatMeasured(t.measuredSeconds, t.resolutionSeconds).value}${t.targetSeconds !== null ? ` (target ${formatDuration(t.targetSeconds)}: ${t.met ? "met" : "not met"})` : ""}`;
