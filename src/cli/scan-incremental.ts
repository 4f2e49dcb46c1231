/**
 * `drctl scan --incremental`: the previous stored scan to continue from, and the change signals
 * drctl.yaml turns on (the changes the history recorded are always heard).
 */
import type { SignalReport } from "../core/changes.js";
import type { ScanResult } from "../core/scan-result.js";
import { previousRun } from "../history/previous.js";
import type { IncrementalScan } from "../scan/engine.js";
import { recordedChanges } from "../scan/incremental-run.js";
import type { CommandContext } from "./context.js";

export interface IncrementalFlags {
  incremental?: boolean;
  full?: boolean;
}

/** Route 53 and other global services write their CloudTrail events in us-east-1 only. */
const GLOBAL_EVENTS_REGION = "us-east-1";

/** The newest stored scan, or undefined when there is none yet (the first run reads everything). */
async function newestScan(ctx: CommandContext): Promise<ScanResult | undefined> {
  const store = await ctx.store("write");
  return (await previousRun(store, { id: "", kind: "scan" }))?.result;
}

/** Every signal drctl.yaml turns on, in every region and account a pair lives in. */
async function signalsOf(
  ctx: CommandContext,
  since: Date,
  where: { region: string; account: string }[],
): Promise<SignalReport[]> {
  const aws = await ctx.aws();
  const { cloudtrail, config } = ctx.config.scan.changes;
  // Loaded only by an incremental scan that has something to ask: their SDK clients are not small.
  const { cloudTrailChanges } = await import("../changes/cloudtrail.js");
  const { configChanges } = await import("../changes/config.js");
  const places = new Map(where.map((w) => [`${w.account}|${w.region}`, w]));
  if (cloudtrail)
    for (const account of new Set(where.map((w) => w.account)))
      places.set(`${account}|${GLOBAL_EVENTS_REGION}`, { account, region: GLOBAL_EVENTS_REGION });
  const reads: Promise<SignalReport>[] = [recordedChanges(await ctx.store("write"), since)];
  for (const { region, account } of places.values()) {
    if (cloudtrail) reads.push(cloudTrailChanges(aws, region, since, account));
    if (config === "recorder") reads.push(configChanges(aws, region, since, { account }));
  }
  // An aggregator answers for every account and region at once, from its own region.
  if (config && config !== "recorder") {
    const home = config.region ?? where[0]?.region ?? GLOBAL_EVENTS_REGION;
    reads.push(configChanges(aws, home, since, { aggregator: config.aggregator }));
  }
  return Promise.all(reads);
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
    signals: (since, where) => signalsOf(ctx, since, where),
  };
}
