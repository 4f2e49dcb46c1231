import { criticalPath } from "./dag.js";
import { behindGate, START_GATE } from "./engine.js";
import type { StepRecord } from "./journal.js";

const ms = (a: string | null, b: string | null) => (a && b ? Date.parse(b) - Date.parse(a) : 0);

/** A run's timeline: each step's status, start and duration, the critical path and the total against the RTO. */
export function formatTimeline(
  steps: StepRecord[],
  specs: Parameters<typeof criticalPath>[0],
  rtoMinutes: number | undefined,
): string {
  const starts = steps
    .map((s) => s.startedAt)
    .filter((x): x is string => x !== null)
    .sort();
  const t0 = starts[0] ? Date.parse(starts[0]) : 0;
  const width = Math.max(20, ...steps.map((s) => s.stepId.length));
  const lines = steps.map((s) => {
    const offset = s.startedAt ? `+${((Date.parse(s.startedAt) - t0) / 1000).toFixed(1)}s` : "";
    const took = s.startedAt && s.finishedAt ? `${(ms(s.startedAt, s.finishedAt) / 1000).toFixed(1)}s` : "";
    return `  ${s.stepId.padEnd(width)} ${s.status.padEnd(9)} ${offset.padStart(9)} ${took.padStart(8)}  ${s.error ?? s.plan ?? ""}`;
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
  const total = critical.totalMs / 1000;
  const rto =
    rtoMinutes === undefined
      ? ""
      : `; RTO target ${rtoMinutes} min: ${total <= rtoMinutes * 60 ? "met" : "MISSED"}`;
  return [
    `  ${"STEP".padEnd(width)} STATUS       START     TOOK`,
    ...lines,
    `critical path: ${critical.path.join(" -> ")} = ${total.toFixed(1)} s${rto}`,
  ].join("\n");
}
