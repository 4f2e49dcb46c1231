/**
 * Deterministic kill points for the crash tests (test/runbook-crash.test.ts) and the crash
 * benchmark: DRCTL_CRASH_AT=STEP:BOUNDARY[,STEP:BOUNDARY...] makes the process SIGKILL itself
 * when the step reaches the boundary:
 *   before-call     its intent is journaled, no mutating call made yet
 *   after-call      its mutating calls returned, nothing of that journaled yet
 *   after-journal   the journal says the calls were made, the step has not finished
 * DRCTL_STOP_AT (same form) makes it SIGSTOP itself there instead: paused, not killed, until a
 * SIGCONT (the fencing tests: a process that wakes up after its lease was taken over).
 * The process names the point on stderr, then signals itself. Unset (always, outside those
 * tests) it does nothing.
 */
import { writeSync } from "node:fs";

export type CrashBoundary = "before-call" | "after-call" | "after-journal";

const pointsOf = (value: string | undefined) =>
  new Set(
    (value ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  );
const kills = pointsOf(process.env.DRCTL_CRASH_AT);
const stops = pointsOf(process.env.DRCTL_STOP_AT);

export function crashPoint(stepId: string, boundary: CrashBoundary): void {
  if (kills.size === 0 && stops.size === 0) return;
  const point = `${stepId}:${boundary}`;
  // Said first (synchronously), so the test knows which of its points this process reached.
  if (kills.has(point)) {
    writeSync(2, `drctl: crash point ${point}\n`);
    process.kill(process.pid, "SIGKILL");
  } else if (stops.has(point)) {
    writeSync(2, `drctl: stop point ${point}\n`);
    // Synchronous to the end: nothing else of this process runs until it is continued.
    process.kill(process.pid, "SIGSTOP");
  }
}
