import { Option, type Command } from "commander";
import { writeFileSync } from "node:fs";
import { primaryRegions } from "../config/schema.js";
import { EXIT, InputError } from "../errors.js";
import { formatScanHtml } from "../report/html.js";
import { formatScanText } from "../report/text.js";
import { runScan } from "../scan/engine.js";
import type { ScanResult } from "../core/scan-result.js";
import { SEVERITIES, severityRank, type Severity } from "../core/finding.js";
import { notifyScan } from "../notify/notify.js";
import { diffRuns, diffSentence, type RunDiff } from "../store/diff.js";
import { headerOf, newRunId } from "../store/types.js";
import type { CommandContext } from "./context.js";
import { previousRun } from "../store/previous.js";

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
}

/** Exit 1 when an unsuppressed finding is at or above `failOn`. */
export function scanExitCode(result: ScanResult, failOn: Severity | "never"): number {
  if (failOn === "never") return EXIT.ok;
  const hit = result.pairs.some((p) =>
    p.findings.some(
      (f) => f.status !== "pass" && !f.suppressed && severityRank(f.severity) >= severityRank(failOn),
    ),
  );
  return hit ? EXIT.findings : EXIT.ok;
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
      new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity")
        .choices([...SEVERITIES, "never"])
        .default("high"),
    )
    .option("--include-pass", "list every rule that found nothing as a pass finding (JSON and HTML)")
    .option("--no-store", "do not keep this run in the history")
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

Examples:
  drctl scan                                   terminal summary, exit 1 on high or critical findings
  drctl scan --json > scan.json                the documented JSON (docs/scan-json.md)
  drctl scan --html report.html --fail-on never
  drctl scan --region eu-west-1                primaries in eu-west-1`,
    )
    .action((flags: ScanFlags) =>
      withContext(async (ctx) => {
        const aws = await ctx.aws();
        const regions = ctx.options.region.length > 0 ? ctx.regions : primaryRegions(ctx.config);
        ctx.progress(`scanning primaries in ${regions.join(", ")} (strategy ${ctx.config.strategy})`);
        let lastShown = 0;
        const result = await runScan(aws, {
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
        if (flags.html) {
          try {
            writeFileSync(flags.html, formatScanHtml(result));
          } catch (err) {
            throw new InputError(`cannot write the HTML report to ${flags.html}: ${(err as Error).message}`, {
              cause: err,
            });
          }
        }
        // Keep the run and say what changed; a history that cannot be written never hides the result.
        let history: { runId: string; store: string; diff: RunDiff; since: string | undefined } | undefined;
        let storeError: Error | undefined;
        if (flags.store) {
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
        ctx.result(
          () => formatScanText(result, { verbose: ctx.options.verbose ?? false }),
          () => (historyJson ? { ...result, history: historyJson } : result),
        );
        const sides = Math.max(1, result.stats.pairs * 2);
        const total = Object.values(result.stats.calls).reduce((a, b) => a + b, 0);
        ctx.progress(
          `scanned ${result.stats.pairs} pairs in ${(result.stats.durationMs / 1000).toFixed(1)} s; ${(total / sides).toFixed(1)} AWS calls per load balancer per side`,
        );
        if (flags.html) ctx.progress(`HTML report: ${flags.html}`);
        ctx.progress(ctx.callSummary());
        if (history)
          ctx.progress(
            `${diffSentence(history.diff, history.since)}; stored as ${history.runId} in ${history.store}`,
          );
        const deliveries = await notifyScan({
          config: ctx.config.notify,
          result,
          diff: history?.diff ?? diffRuns(undefined, { id: "unstored", result }),
          runId: history?.runId ?? newRunId(new Date(result.generatedAt)),
          aws: () => ctx.aws(),
        });
        for (const d of deliveries) ctx.progress(`notify: ${d.channel}: ${d.detail}`);
        const failed = deliveries.filter((d) => !d.ok);
        for (const d of failed) ctx.io.err(`drctl: notification through ${d.channel} failed: ${d.detail}`);
        if (storeError) ctx.io.err(`drctl: the scan result was not stored: ${storeError.message}`);
        if (storeError || failed.length > 0) return EXIT.couldNotFinish;
        return scanExitCode(result, flags.failOn);
      }),
    );
}
