import { setFlagsFromString } from "node:v8";

/**
 * How much V8 lets the heap grow past what survived the last full collection before it collects
 * again: by half. Left to its own heuristics, V8 lets a process that spends little time collecting
 * (a scan, waiting on AWS most of the time) grow to four times its live data, so a scan of 1,000
 * pairs that keeps about 70 MiB alive peaked near 280 MiB of heap. At one and a half times, it peaks
 * near 120 MiB, for a few more full collections (about 100 ms of CPU each at that size).
 */
export const HEAP_GROWING_PERCENT = 50;

let applied = false;

/**
 * Keeps the heap within HEAP_GROWING_PERCENT of the live data for the rest of the process. A
 * heap growth given on node's command line is the operator's choice and is left alone. Only the
 * timing of collections changes, never what the program computes.
 */
export function keepHeapCompact(): void {
  if (applied) return;
  applied = true;
  if (
    process.execArgv.some(
      (a) => a.startsWith("--heap-growing-percent") || a.startsWith("--heap_growing_percent"),
    )
  )
    return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
