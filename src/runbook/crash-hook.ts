/**
 * Deterministic kill points for the crash tests (test/runbook-crash.test.ts) and the crash
 * benchmark: DRCTL_CRASH_AT=STEP:BOUNDARY[,STEP:BOUNDARY...] makes the process SIGKILL itself
 * when the step reaches the boundary:
 *   before-call     its intent is journaled, no mutating call made yet
 *   after-call      its mutating calls returned, nothing of that journaled yet
 *   after-journal   the journal says the calls were made, the step has not finished
 * Unset (always, outside those tests) it does nothing.
 */
export type CrashBoundary = "before-call" | "after-call" | "after-journal";

const points = new Set(
  (process.env.DRCTL_CRASH_AT ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean),
);

export function crashPoint(stepId: string, boundary: CrashBoundary): void {
  if (points.size > 0 && points.has(`${stepId}:${boundary}`)) process.kill(process.pid, "SIGKILL");
}
