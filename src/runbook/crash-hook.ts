/**
 * Deterministic kill points for the crash tests (test/runbook-crash.test.ts) and the crash
 * benchmark: DRCTL_CRASH_AT=STEP:BOUNDARY[,STEP:BOUNDARY...] makes the process SIGKILL itself
 * when the step reaches the boundary:
 *   before-call     its intent is journaled, no mutating call made yet
 *   after-call      its mutating calls returned, nothing of that journaled yet
 *   after-journal   the journal says the calls were made, the step has not finished
 * The process names the point on stderr, then kills itself. Unset (always, outside those tests)
 * it does nothing.
 */
import { writeSync } from "node:fs";

export type CrashBoundary = "before-call" | "after-call" | "after-journal";

const points = new Set(
  (process.env.DRCTL_CRASH_AT ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean),
);

export function crashPoint(stepId: string, boundary: CrashBoundary): void {
  if (points.size === 0 || !points.has(`${stepId}:${boundary}`)) return;
  // Said first (synchronously), so the test knows which of its points this process reached.
  writeSync(2, `drctl: crash point ${stepId}:${boundary}\n`);
  process.kill(process.pid, "SIGKILL");
}
