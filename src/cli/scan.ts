import { Option, type Command } from "commander";
import { primaryRegions } from "../config/schema.js";
import { exitCodeFor, InputError, type ExitCode } from "../errors.js";
import { formatScanHtml } from "../report/html.js";
import { formatScanText } from "../report/text.js";
import { runScan } from "../scan/engine.js";
import type { ScanResult } from "../core/scan-result.js";
import { SEVERITIES, severityRank, type Finding, type Severity } from "../core/finding.js";
import { notifyScan, type NotifyChoice } from "../notify/notify.js";
import type { RunDiff } from "../history/diff.js";
import { newRunId } from "../history/types.js";
import { TAG } from "../pairs/tags.js";
import { SCAN_RUN, scanReadFailures } from "../runs/kinds.js";
import { finishRun, type Finished, type Recorded } from "../runs/pipeline.js";
import { writeFileAtomic } from "../util/files.js";
import { oneOf } from "./args.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFile } from "./paths.js";
import { prepareOutbox, sayDeliveries, sendOption } from "./run-tail.js";
import { READINESS_TYPES } from "../resources/readiness-types.js";
import { incrementalScanOf } from "./scan-incremental.js";
import { packageVersion } from "./version.js";

interface ScanFlags {
  html?: string;
  store: boolean;
  failOn: Severity | "never";
  includePass?: boolean;
  allowEmpty?: boolean;
  notify?: NotifyChoice;
  incremental?: boolean;
  full?: boolean;
}

/** Drift at or above `failOn`: an unsuppressed finding above pass at that severity or worse. */
export function driftAtOrAbove(result: ScanResult, failOn: Severity | "never"): boolean {
  if (failOn === "never") return false;
  return result.pairs.some((p) =>
    p.findings.some(
      (f) => f.status !== "pass" && !f.suppressed && severityRank(f.severity) >= severityRank(failOn),
    ),
  );
}

/**
 * The scan's verdict, through the one contract: any read failure is "could not finish" (3),
 * whatever else was found; then no pair at all is a failure (1) unless allowed; then drift at or
 * above `failOn` (1); else clean (0).
 */
export function scanExitCode(
  result: ScanResult,
  failOn: Severity | "never",
  options: { allowEmpty?: boolean } = {},
): ExitCode {
  return exitCodeFor({
    unfinished: scanReadFailures(result).map((f) => f.message),
    failed: (result.pairs.length === 0 && !options.allowEmpty) || driftAtOrAbove(result, failOn),
  });
}

/** What an empty scan searched, so a wrongly tagged account or region is seen at once. */
function searched(ctx: CommandContext, regions: string[]): string {
  const tags = `${TAG.enable}=true, ${TAG.isPrimary}=true and a ${TAG.secondaryArn}`;
  const listed = ctx.configFile ? `${ctx.configFile} lists no pairs` : "there is no drctl.yaml to list pairs";
  const where =
    ctx.options.region.length > 0 ? "--region" : ctx.configFile ? "regions.primary" : "the default region";
  return `no DR pairs found: no resource in ${regions.join(", ")} (${where}) is tagged ${tags}, and ${listed}`;
}

/** At most a few distinct read failures on one line each; all of them under --verbose. */
function failureLines(ctx: CommandContext, failures: Finding[]): string[] {
  // Distinct messages, each once with how often it came (the same denied call for many pairs).
  const distinct = new Map<string, number>();
  for (const f of failures) distinct.set(f.message, (distinct.get(f.message) ?? 0) + 1);
  const byRule = new Map<string, number>();
  for (const f of failures) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  const rules = [...byRule].map(([r, n]) => `${r} ${n}`).join(", ");
  const head = `drctl: the scan could not finish: ${failures.length} ${failures.length === 1 ? "read" : "reads"} failed (${rules}); nothing was stored or sent`;
  const all = [...distinct].sort((a, b) => b[1] - a[1]);
  const shown = ctx.options.verbose ? all : all.slice(0, 3);
  const more = all.length - shown.length;
  return [
    head,
    ...shown.map(([m, n]) => `  ${n > 1 ? `${n} times: ` : ""}${m}`),
    ...(more > 0 ? [`  ... and ${more} more (--verbose lists every one)`] : []),
  ];
}

export function registerScan(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("scan")
    .description(COMMAND_DESCRIPTIONS.scan)
    .option("--html <file>", "also write a self-contained HTML report")
    .addOption(
      new Option(
        "--fail-on <severity>",
        `exit 1 when a finding is at or above this severity: ${[...SEVERITIES, "never"].join(", ")} (any case)`,
      )
        .argParser(oneOf([...SEVERITIES, "never"] as const))
        .default("high"),
    )
    .option("--include-pass", "list every rule that found nothing as a pass finding (JSON and HTML)")
    .option(
      "--allow-empty",
      "exit 0 when no pair is found (otherwise that is exit 1: nothing found is not ready)",
    )
    .addOption(
      new Option(
        "--notify <channel>",
        "outbox: write this run's email to the outbox whatever drctl.yaml says; none: send nothing (default: the channels under notify: in drctl.yaml, none without it)",
      ).argParser(oneOf(["outbox", "none"] as const)),
    )
    .option(
      "--incremental",
      "read only the pairs that may have changed since the previous stored scan (as scan.incremental: true in drctl.yaml)",
    )
    .option(
      "--full",
      "read every pair, even with scan.incremental: true (and leave fingerprints for the next run)",
    )
    .option(
      "--no-store",
      "do not keep this run in the history (then nothing is compared, and nothing sent unless --notify outbox)",
    )
    .addHelpText(
      "after",
      `
Pairs are primaries in the primary region(s) tagged enable=true, isPrimary=true and
secondaryARN=<standby ARN>, plus those listed under pairs: in drctl.yaml. Twins are compared
by meaning through the pair, whatever their names; --json lists, per pair, what was matched
with what and how (twins[]). --verbose shows each finding's whole remediation and both values.

Client-side rate limits follow AWS's published rates against AWS; against a loopback endpoint
(--endpoint-url or AWS_ENDPOINT_URL on 127.0.0.1 or localhost, a local emulator) they are off
unless rateLimits in drctl.yaml sets them.

A scan that could not read something (AWS unreachable, access denied, throttled to exhaustion)
exits 3 whatever else it found: it is not stored and notifies no one. A scan that finds no pair
exits 1 unless --allow-empty.

Examples:
  drctl scan                                   terminal summary, exit 1 on high or critical findings
  drctl scan --json > scan.json                the documented JSON (docs/scan-json.md)
  drctl scan --html report.html --fail-on never
  drctl scan --region eu-west-1                primaries in eu-west-1
  drctl scan --notify outbox --no-store        preview the email in ~/.drctl/outbox`,
    )
    .action((flags: ScanFlags) => withContext((ctx) => scanCommand(ctx, flags)));
}

/** The scan, written as HTML if asked, then kept, compared, shown and sent through the run pipeline. */
async function scanCommand(ctx: CommandContext, flags: ScanFlags): Promise<number> {
  // Every path and channel this run will write to is checked before the first AWS call.
  const choice: NotifyChoice = flags.notify ?? "configured";
  const html = flags.html ? prepareFile(flags.html, "--html", 0o755) : undefined;
  if (flags.store) ctx.checkStore();
  prepareOutbox(ctx, choice);
  const regions = ctx.options.region.length > 0 ? ctx.regions : primaryRegions(ctx.config);
  const result = await scanRegions(ctx, regions, flags);
  if (html) writeHtml(html, result);
  const finished = await finishRun(SCAN_RUN, result, {
    id: newRunId(new Date(result.generatedAt)),
    ...(flags.store ? { store: () => ctx.store() } : {}),
    allowEmpty: flags.allowEmpty ?? false,
    drift: driftAtOrAbove(result, flags.failOn),
    show: (recorded) => showScan(ctx, result, recorded, html),
    ...sendOption(flags, choice, (run) =>
      notifyScan({
        config: ctx.config.notify,
        result: run.result,
        diff: run.diff,
        runId: run.id,
        aws: () => ctx.aws(),
        choice,
      }),
    ),
  });
  sayWhyNotFinished(ctx, finished, scanReadFailures(result), regions);
  sayDeliveries(ctx, finished, flags, choice);
  return finished.exit;
}

/** Runs the scan of `regions`, with a progress line at most every 10% of the pairs. */
async function scanRegions(ctx: CommandContext, regions: string[], flags: ScanFlags): Promise<ScanResult> {
  const aws = await ctx.aws();
  ctx.progress(`scanning primaries in ${regions.join(", ")} (strategy ${ctx.config.strategy})`);
  const incremental = await incrementalScanOf(ctx, flags);
  let lastShown = 0;
  return runScan(aws, {
    ...(incremental ? { incremental } : {}),
    version: packageVersion(),
    types: READINESS_TYPES,
    primaryRegions: regions,
    configPairs: ctx.config.pairs,
    settings: {
      strategy: ctx.config.strategy,
      certificateExpiryDays: ctx.config.scan.certificateExpiryDays,
      now: new Date(),
    },
    suppressions: ctx.config.suppressions,
    concurrency: ctx.config.scan.concurrency,
    includePass: flags.includePass ?? false,
    onProgress: (done, total) => {
      // Readable in a terminal and in a CI log.
      if (total >= 20 && (done === total || done - lastShown >= total / 10)) {
        lastShown = done;
        ctx.progress(`  ${done}/${total} pairs`);
      }
    },
  });
}

function writeHtml(html: string, result: ScanResult): void {
  try {
    writeFileAtomic(html, formatScanHtml(result), { mode: 0o644, dirMode: 0o755 });
  } catch (err) {
    throw new InputError(`cannot write the HTML report to ${html}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The result (text or JSON with what the history made of it), then how the scan went. */
function showScan(
  ctx: CommandContext,
  result: ScanResult,
  recorded: Recorded<RunDiff>,
  html: string | undefined,
): void {
  const empty = result.pairs.length === 0;
  const { stored, diff } = recorded;
  const history = stored && {
    runId: recorded.runId,
    store: stored.store,
    since: diff.from,
    new: diff.new.length,
    resolved: diff.resolved.length,
  };
  if (ctx.options.json || !empty)
    ctx.result(
      () => formatScanText(result, { verbose: ctx.options.verbose ?? false }),
      () => (history ? { ...result, history } : result),
    );
  const sides = Math.max(1, result.stats.pairs * 2);
  const total = Object.values(result.stats.calls).reduce((a, b) => a + b, 0);
  const took = `${(result.stats.durationMs / 1000).toFixed(1)} s`;
  ctx.progress(
    recorded.unread.length > 0
      ? `scan ended in ${took}`
      : empty
        ? `scanned 0 pairs in ${took}`
        : `scanned ${result.stats.pairs} pairs in ${took}; ${(total / sides).toFixed(1)} AWS calls per pair and side`,
  );
  if (html) ctx.progress(`HTML report: ${html}`);
  ctx.progress(ctx.callSummary());
  if (stored)
    ctx.progress(`${SCAN_RUN.sentence(diff, stored.since)}; stored as ${recorded.runId} in ${stored.store}`);
}

/** Why the scan was neither kept nor sent: reads that failed, no pair found, a history that failed. */
function sayWhyNotFinished(
  ctx: CommandContext,
  finished: Finished<RunDiff>,
  failures: Finding[],
  regions: string[],
): void {
  if (failures.length > 0) for (const line of failureLines(ctx, failures)) ctx.io.err(line);
  else if (finished.recorded.nothingFound)
    ctx.io.err(
      `drctl: ${searched(ctx, regions)}; nothing was stored or sent (--allow-empty makes this exit 0)`,
    );
  else if (finished.storeError)
    ctx.io.err(`drctl: the scan result was not stored, so nothing was sent: ${finished.storeError.message}`);
}
