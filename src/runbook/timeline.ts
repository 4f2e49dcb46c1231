import { criticalPath } from "./dag.js";
import { behindGate, START_GATE } from "./engine.js";
import type { RunRecord, StepRecord } from "./journal.js";

const ms = (a: string | null, b: string | null) => (a && b ? Date.parse(b) - Date.parse(a) : 0);

function duration(totalMs: number): string {
  const s = totalMs / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The RTO verdict: the time from the run's start (or the alarm that triggered it) to its end,
 * waits, approvals and resumes included. Only a run that succeeded can have met it.
 */
export function rtoVerdict(
  run: Pick<RunRecord, "startedAt" | "finishedAt" | "status" | "alarmAt">,
  rtoMinutes: number | undefined,
  now = Date.now(),
): { elapsedMs: number; from: string; text: string; met: boolean | undefined } {
  const from = run.alarmAt ?? run.startedAt;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const elapsedMs = Math.max(0, end - Date.parse(from));
  const since = run.alarmAt ? "from the alarm" : "from the start";
  const span = run.finishedAt ? `${since} to the end` : `${since} so far`;
  const elapsed = `elapsed ${duration(elapsedMs)} ${span} (waits, approvals and resumes included)`;
  if (rtoMinutes === undefined) return { elapsedMs, from, text: elapsed, met: undefined };
  const within = elapsedMs <= rtoMinutes * 60_000;
  const verdict =
    run.status === "succeeded"
      ? within
        ? "met"
        : "MISSED"
      : run.status === "running" && within
        ? "not met yet (the run has not ended)"
        : `not met (the run ${run.status === "running" ? "has not ended" : `is ${run.status}`})`;
  return {
    elapsedMs,
    from,
    text: `${elapsed}; RTO target ${rtoMinutes} min: ${verdict}`,
    met: run.status === "succeeded" ? within : false,
  };
}

/** A run's timeline: each step's status, start and duration, the RTO verdict and the critical path beside it. */
export function formatTimeline(
  run: Pick<RunRecord, "startedAt" | "finishedAt" | "status" | "alarmAt">,
  steps: StepRecord[],
  specs: Parameters<typeof criticalPath>[0],
  rtoMinutes: number | undefined,
  show: (text: string) => string = (t) => t,
): string {
  const t0 = Date.parse(run.alarmAt ?? run.startedAt);
  const width = Math.max(20, ...steps.map((s) => s.stepId.length));
  const lines = steps.map((s) => {
    const offset = s.startedAt ? `+${((Date.parse(s.startedAt) - t0) / 1000).toFixed(1)}s` : "";
    const took = s.startedAt && s.finishedAt ? `${(ms(s.startedAt, s.finishedAt) / 1000).toFixed(1)}s` : "";
    return `  ${s.stepId.padEnd(width)} ${s.status.padEnd(9)} ${offset.padStart(9)} ${took.padStart(8)}  ${show(s.error ?? s.plan ?? "")}`;
  });
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  // Time spent waiting for the start to be approved is time to recovery too.
  const graph =
    byId.has(START_GATE) && !specs.some((s) => s.id === START_GATE)
      ? behindGate(specs, { id: START_GATE, after: [] })
      : specs;
  const critical = criticalPath(graph, (id) =>
    ms(byId.get(id)?.startedAt ?? null, byId.get(id)?.finishedAt ?? null),
  );
  return [
    `  ${"STEP".padEnd(width)} STATUS       START     TOOK`,
    ...lines,
    rtoVerdict(run, rtoMinutes).text,
    `critical path (the steps alone): ${critical.path.join(" -> ")} = ${(critical.totalMs / 1000).toFixed(1)} s`,
  ].join("\n");
}
