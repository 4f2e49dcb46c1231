/**
 * `drctl scan --incremental`: the previous stored scan to continue from, and the change signals
 * drctl.yaml turns on (the changes the history recorded are always heard).
 */
import type { SignalReport } from "../core/changes.js";
import type { ScanResult } from "../core/scan-result.js";
import { previousRun } from "../history/previous.js";
import type { IncrementalScan } from "../scan/engine.js";
import type { CommandContext } from "./context.js";

export interface IncrementalFlags {
  incremental?: boolean;
  full?: boolean;
}

/** The newest stored scan, or undefined when there is none yet (the first run reads everything). */
async function newestScan(ctx: CommandContext): Promise<ScanResult | undefined> {
  const store = await ctx.store("write");
  return (await previousRun(store, { id: "", kind: "scan" }))?.result;
}

/** The changes the history recorded (the deployment's event rule writes them as AWS sends them). */
async function recordedChanges(ctx: CommandContext, since: Date): Promise<SignalReport> {
  const store = await ctx.store("write");
  return { source: "event-rule", region: "recorded", changes: await store.changesSince(since.toISOString()) };
}

/** What an incremental scan needs, when asked (--incremental or scan.incremental); else undefined. */
export async function incrementalScanOf(
  ctx: CommandContext,
  flags: IncrementalFlags,
): Promise<IncrementalScan | undefined> {
  const scan = ctx.config.scan;
  if (!(flags.incremental ?? scan.incremental) && !flags.full) return undefined;
  const previous = flags.full ? undefined : await newestScan(ctx);
  return {
    ...(previous ? { previous } : {}),
    fullEveryMs: scan.fullEvery * 1000,
    stateEveryMs: scan.stateEvery * 1000,
    ...(flags.full ? { full: true } : {}),
    signals: async (since) => [await recordedChanges(ctx, since)],
  };
}
