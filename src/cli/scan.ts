import { Option, type Command } from "commander";
import { join } from "node:path";
import { primaryRegions } from "../config/schema.js";
import { EXIT, exitCodeFor, InputError, type ExitCode } from "../errors.js";
import { formatScanHtml } from "../report/html.js";
import { formatScanText } from "../report/text.js";
import { runScan } from "../scan/engine.js";
import type { ScanResult } from "../core/scan-result.js";
import { isReadFailure, SEVERITIES, severityRank, type Finding, type Severity } from "../core/finding.js";
import { channelsOf, notifyScan, type NotifyChoice } from "../notify/notify.js";
import { diffRuns, diffSentence, type RunDiff } from "../history/diff.js";
import { expandHome } from "../config/store-location.js";
import { drctlHome } from "../history/open.js";
import { headerOf, newRunId } from "../history/types.js";
import { TAG } from "../pairs/tags.js";
import { writeFileAtomic } from "../util/files.js";
import { oneOf } from "./args.js";
import type { CommandContext } from "./context.js";
import { prepareFile, prepareFolder } from "./paths.js";
import { previousRun } from "../history/previous.js";
import { RESOURCE_TYPES } from "../catalog.js";

/** Stores a scan and compares it with the previous stored scan. */
async function recordScan(ctx: CommandContext, result: ScanResult) {
  const store = await ctx.store();
  const run = headerOf("scan", newRunId(new Date(result.generatedAt)), result, new Date());
  await store.save(run);
  const before = await previousRun(store, run);
  return { runId: run.id, store: store.description, diff: diffRuns(before, run), since: before?.startedAt };
}

interface ScanFlags {
  html?: string;
  store: boolean;
  failOn: Severity | "never";
  includePass?: boolean;
  allowEmpty?: boolean;
  notify?: NotifyChoice;
}

/** The unsuppressed findings saying that something could not be read: with any, the scan did not finish. */
export function readFailures(result: ScanResult): Finding[] {
  return result.pairs.flatMap((p) => p.findings.filter((f) => isReadFailure(f) && !f.suppressed));
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
    unfinished: readFailures(result).map((f) => f.message),
    failed: (result.pairs.length === 0 && !options.allowEmpty) || driftAtOrAbove(result, failOn),
  });
}

/** What an empty scan searched, so a wrongly tagged account or region is seen at once. */
function searched(ctx: CommandContext, regions: string[]): string {
  const tags = `${TAG.enable}=true, ${TAG.isPrimary}=true and a ${TAG.secondaryArn}`;
  const listed = ctx.configFile ? `${ctx.configFile} lists no pairs` : "there is no drctl.yaml to list pairs";
  const where =
    ctx.options.region.length > 0 ? "--region" : ctx.configFile ? "regions.primary" : "the default region";
  return `no DR pairs found: no load balancer in ${regions.join(", ")} (${where}) is tagged ${tags}, and ${listed}`;
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
    .description(
      "compare every primary load balancer with its standby twin and report each difference that matters in a failover",
    )
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
    .action((flags: ScanFlags) =>
      withContext(async (ctx) => {
        // Every path and channel this run will write to is checked before the first AWS call.
        const choice: NotifyChoice = flags.notify ?? "configured";
        const html = flags.html ? prepareFile(flags.html, "--html", 0o755) : undefined;
        if (flags.store) ctx.checkStore();
        const email = ctx.config.notify.email;
        const outbox = email.outbox ? expandHome(email.outbox) : join(drctlHome(), "outbox");
        if (choice === "outbox" || (choice === "configured" && email.enabled && email.transport === "outbox"))
          prepareFolder(outbox, email.outbox ? "notify.email.outbox" : "the outbox");

        const aws = await ctx.aws();
        const regions = ctx.options.region.length > 0 ? ctx.regions : primaryRegions(ctx.config);
        ctx.progress(`scanning primaries in ${regions.join(", ")} (strategy ${ctx.config.strategy})`);
        let lastShown = 0;
        const result = await runScan(aws, {
          types: RESOURCE_TYPES,
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
            // A progress line at most every 10%: readable in a terminal and in a CI log.
            if (total >= 20 && (done === total || done - lastShown >= total / 10)) {
              lastShown = done;
              ctx.progress(`  ${done}/${total} pairs`);
            }
          },
        });
        const failures = readFailures(result);
        const empty = result.pairs.length === 0;
        if (html) {
          try {
            writeFileAtomic(html, formatScanHtml(result), { mode: 0o644, dirMode: 0o755 });
          } catch (err) {
            throw new InputError(`cannot write the HTML report to ${html}: ${(err as Error).message}`, {
              cause: err,
            });
          }
        }
        // A run that could not read everything, or found nothing, is neither stored nor sent: the
        // history holds only complete readings, so no diff ever calls what was unread "resolved".
        const complete = failures.length === 0 && (!empty || (flags.allowEmpty ?? false));
        let history: { runId: string; store: string; diff: RunDiff; since: string | undefined } | undefined;
        let storeError: Error | undefined;
        if (complete && flags.store) {
          try {
            history = await recordScan(ctx, result);
          } catch (err) {
            storeError = err instanceof Error ? err : new Error(String(err));
          }
        }
        const historyJson = history && {
          runId: history.runId,
          store: history.store,
          since: history.diff.from,
          new: history.diff.new.length,
          resolved: history.diff.resolved.length,
        };
        if (ctx.options.json || !empty)
          ctx.result(
            () => formatScanText(result, { verbose: ctx.options.verbose ?? false }),
            () => (historyJson ? { ...result, history: historyJson } : result),
          );
        const sides = Math.max(1, result.stats.pairs * 2);
        const total = Object.values(result.stats.calls).reduce((a, b) => a + b, 0);
        const took = `${(result.stats.durationMs / 1000).toFixed(1)} s`;
        ctx.progress(
          failures.length > 0
            ? `scan ended in ${took}`
            : empty
              ? `scanned 0 pairs in ${took}`
              : `scanned ${result.stats.pairs} pairs in ${took}; ${(total / sides).toFixed(1)} AWS calls per load balancer per side`,
        );
        if (html) ctx.progress(`HTML report: ${html}`);
        ctx.progress(ctx.callSummary());
        if (history)
          ctx.progress(
            `${diffSentence(history.diff, history.since)}; stored as ${history.runId} in ${history.store}`,
          );

        if (failures.length > 0) {
          for (const line of failureLines(ctx, failures)) ctx.io.err(line);
          return EXIT.couldNotFinish;
        }
        if (empty && !flags.allowEmpty) {
          ctx.io.err(
            `drctl: ${searched(ctx, regions)}; nothing was stored or sent (--allow-empty makes this exit 0)`,
          );
          return EXIT.findings;
        }
        if (storeError) {
          ctx.io.err(`drctl: the scan result was not stored, so nothing was sent: ${storeError.message}`);
          return EXIT.couldNotFinish;
        }

        // Notifications: only channels that are configured (or asked for), only for a finished run.
        const unstoredRunId = newRunId(new Date(result.generatedAt));
        let failed: { channel: string; detail: string }[] = [];
        if (!flags.store && choice === "configured") {
          const would = channelsOf(ctx.config.notify, choice);
          if (would.length > 0)
            ctx.progress(
              `notify: nothing sent to ${would.join(", ")}: --no-store leaves nothing to compare with`,
            );
        } else {
          const deliveries = await notifyScan({
            config: ctx.config.notify,
            result,
            diff: history?.diff ?? diffRuns(undefined, { id: unstoredRunId, result }),
            runId: history?.runId ?? unstoredRunId,
            aws: () => ctx.aws(),
            choice,
          });
          for (const d of deliveries) ctx.progress(`notify: ${d.channel}: ${d.detail}`);
          failed = deliveries.filter((d) => !d.ok);
          for (const d of failed) ctx.io.err(`drctl: notification through ${d.channel} failed: ${d.detail}`);
        }
        return exitCodeFor({
          unfinished: failed.map((d) => d.detail),
          failed: driftAtOrAbove(result, flags.failOn),
        });
      }),
    );
}
