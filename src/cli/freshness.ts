import { Option, type Command } from "commander";
import { join } from "node:path";
import { assertRegion } from "../aws/regions.js";
import { primaryRegions } from "../config/schema.js";
import { SEVERITIES, type Severity } from "../core/finding.js";
import { exitCodeFor, InputError } from "../errors.js";
import { canary as makeCanary } from "../freshness/canary.js";
import { diffFreshness, freshnessDiffSentence, type FreshnessDiff } from "../freshness/diff.js";
import { runFreshness } from "../freshness/engine.js";
import { ignoringOwnStore } from "../freshness/own-store.js";
import { freshnessFailed, freshnessFailures, nothingMeasured } from "../freshness/verdict.js";
import { putFreshnessMetrics } from "../freshness/put-metrics.js";
import { channelsOf, notifyFreshness, type NotifyChoice } from "../notify/notify.js";
import { formatFreshnessHtml } from "../report/freshness-html.js";
import { formatFreshnessText } from "../report/freshness-text.js";
import { expandHome } from "../config/store-location.js";
import { drctlHome } from "../history/open.js";
import { previousRun } from "../history/previous.js";
import { freshnessRun, newRunId } from "../history/types.js";
import { writeFileAtomic } from "../util/files.js";
import { oneOf } from "./args.js";
import type { CommandContext } from "./context.js";
import { prepareFile, prepareFolder } from "./paths.js";
import { STORE_TYPES } from "../catalog.js";

interface FreshnessFlags {
  html?: string;
  store: boolean;
  failOn: Severity | "never";
  canary?: boolean;
  execute?: boolean;
  allowEmpty?: boolean;
  notify?: NotifyChoice;
  putMetrics?: boolean;
  standbyRegion?: string;
}

/** The standby region given by --standby-region or drctl.yaml, and which; undefined when neither names one. */
function givenStandby(
  ctx: CommandContext,
  flags: FreshnessFlags,
  primary: readonly string[],
): { region: string; from: string } | undefined {
  const named = flags.standbyRegion
    ? { region: flags.standbyRegion, from: "--standby-region" }
    : ctx.config.regions.standby
      ? { region: ctx.config.regions.standby, from: `regions.standby in ${ctx.configFile ?? "drctl.yaml"}` }
      : undefined;
  if (!named) return undefined;
  assertRegion(named.region, named.from);
  if (!primary.includes(named.region)) return named;
  // drctl.yaml's standby measured as a primary (--region): the others are its standby.
  if (!flags.standbyRegion) return undefined;
  throw new InputError(
    `--standby-region: ${named.region} is a primary region (${primary.join(", ")}); the standby is another region`,
  );
}

export function registerFreshness(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("freshness")
    .description(
      "how old the newest data in the standby region is, per data store, against the RPO; which data has no copy there at all",
    )
    .option("--html <file>", "also write a self-contained HTML report")
    .option(
      "--standby-region <region>",
      "the region to look for copies in (over regions.standby in drctl.yaml); regions AWS records copies in are read too",
    )
    .addOption(
      new Option(
        "--fail-on <severity>",
        `exit 1 when a store or finding is at or above this severity: ${[...SEVERITIES, "never"].join(", ")} (broken is critical; breach and unprotected high; unknown medium)`,
      )
        .argParser(oneOf([...SEVERITIES, "never"] as const))
        .default("high"),
    )
    .option(
      "--canary",
      "measure with a write canary where freshness.canary in drctl.yaml names a table or bucket",
    )
    .option("--execute", "with --canary: really write the markers (and remove them afterwards)")
    .option("--allow-empty", "exit 0 when no data store is found (otherwise that is exit 1)")
    .addOption(
      new Option(
        "--notify <channel>",
        "outbox: write this run's email to the outbox whatever drctl.yaml says; none: send nothing",
      ).argParser(oneOf(["outbox", "none"] as const)),
    )
    .option("--no-store", "do not keep this run in the history")
    .option(
      "--put-metrics",
      "put each store's exposure into CloudWatch (namespace drctl, dimensions application and store; freshness.metrics in drctl.yaml)",
    )
    .addHelpText(
      "after",
      `
Stores are found in the primary region(s) (regions.primary, or --region) with the copies AWS
records in the standby region(s): --standby-region or regions.standby, and every region AWS names
as holding a copy (a replica's, a global table's replicas', a replication rule's destination
bucket's, a secondaryARN tag's), so no standby region need be given: RDS cross-region read replicas, replicated
automated backups and snapshot copies, Aurora global databases, DynamoDB global-table replicas,
S3 replication rules, EFS replication, ElastiCache global datastores, AMI and EBS snapshot copies,
AWS Backup copies; and pairs tagged enable=true, isPrimary=true, secondaryARN=<ARN> or listed
under pairs: in drctl.yaml. Targets: rpo (default 15m), per application, per pair.

Statuses: ok, breach (exposure over the target), broken (replication stopped, destination
missing, copies failing), unprotected (no copy in any other region), unknown (no data points,
metrics not enabled; every store unknown is exit 1: nothing measured), error (could not be read; exit 3).

Examples:
  drctl freshness                            the table, exit 1 on a breach, broken or unprotected store
  drctl freshness --json > freshness.json    the documented JSON (docs/freshness-json.md)
  drctl freshness --canary                   what the canary would write (nothing is written)
  drctl freshness --canary --execute         write markers, measure the lag, remove them`,
    )
    .action((flags: FreshnessFlags) =>
      withContext(async (ctx) => {
        if (flags.execute && !flags.canary)
          throw new InputError("--execute writes canary markers: it goes with --canary");
        const canaryConfig = ctx.config.freshness.canary;
        if (flags.canary && !canaryConfig)
          throw new InputError(
            `--canary: ${ctx.configFile ?? "drctl.yaml"} names no canary store; add freshness.canary.table (a DynamoDB global table) or freshness.canary.bucket (a replicated bucket and prefix)`,
          );
        const choice: NotifyChoice = flags.notify ?? "configured";
        const html = flags.html ? prepareFile(flags.html, "--html", 0o755) : undefined;
        if (flags.store) ctx.checkStore();
        const email = ctx.config.notify.email;
        if (choice === "outbox" || (choice === "configured" && email.enabled && email.transport === "outbox"))
          prepareFolder(
            email.outbox ? expandHome(email.outbox) : join(drctlHome(), "outbox"),
            email.outbox ? "notify.email.outbox" : "the outbox",
          );

        const primary = ctx.options.region.length > 0 ? ctx.regions : primaryRegions(ctx.config);
        const given = givenStandby(ctx, flags, primary);
        const aws = await ctx.aws();
        const now = new Date();
        const runId = newRunId(now);
        const canary =
          flags.canary && canaryConfig
            ? makeCanary(aws, canaryConfig, runId, flags.execute ?? false)
            : undefined;
        if (canary && !flags.execute)
          for (const p of canary.plans)
            ctx.progress(`canary (dry run, nothing written): would write ${p.writes}, and read ${p.reads}`);
        ctx.progress(
          `measuring data stores of ${primary.join(", ")} against their copies in ${given ? `${given.region} (${given.from}) and ` : ""}the regions AWS records copies in`,
        );
        const result = await runFreshness(aws, {
          types: STORE_TYPES,
          primaryRegions: primary,
          standbyRegions: given ? [given.region] : [],
          ...(given ? { standbyFrom: given.from } : {}),
          config: ignoringOwnStore(ctx.config, ctx.storeAt.value),
          now,
          ...(canary ? { canary: (p) => canary.measure(p) } : {}),
        });
        const failures = freshnessFailures(result);
        const empty = result.stores.length === 0;
        for (const r of result.standbyRegions ?? [])
          ctx.progress(`standby region ${r.region}: from ${r.via}`);
        // No region to look for copies in: the stores without a replica are unknown, never clean.
        const noStandby = !empty && (result.standbyRegions ?? []).length === 0;
        if (html) writeFileAtomic(html, formatFreshnessHtml(result), { mode: 0o644, dirMode: 0o755 });
        // Metrics say what was measured, an unmeasured store included (Unmeasured=1), so they go
        // out even for a run that could not read everything: an alarm should see that.
        let metricsError: string | undefined;
        if (flags.putMetrics && !empty) {
          const m = ctx.config.freshness.metrics;
          try {
            const put = await putFreshnessMetrics(
              aws,
              m.region ?? primary[0] ?? "us-east-1",
              result,
              m.namespace,
            );
            ctx.progress(
              `metrics: ${put.metrics} put in ${put.namespace} in ${put.region} (${put.calls} calls)`,
            );
          } catch (err) {
            metricsError = `metrics: ${err instanceof Error ? err.message : String(err)}`;
            ctx.io.err(`drctl: ${metricsError}`);
          }
        }

        // As a scan: a run that could not read everything, or found nothing, is neither stored nor sent.
        const complete = failures.length === 0 && !noStandby && (!empty || (flags.allowEmpty ?? false));
        let history: { runId: string; store: string; diff: FreshnessDiff; since?: string } | undefined;
        let storeError: Error | undefined;
        if (complete && flags.store) {
          try {
            const store = await ctx.store();
            const run = freshnessRun(runId, result, new Date());
            await store.save(run);
            const before = await previousRun(store, run);
            history = {
              runId,
              store: store.description,
              diff: diffFreshness(before, run),
              ...(before ? { since: before.startedAt } : {}),
            };
          } catch (err) {
            storeError = err instanceof Error ? err : new Error(String(err));
          }
        }
        ctx.result(
          () => formatFreshnessText(result, { verbose: ctx.options.verbose ?? false }),
          () =>
            history
              ? {
                  ...result,
                  history: {
                    runId: history.runId,
                    store: history.store,
                    since: history.diff.from,
                    changed: history.diff.changed.length,
                  },
                }
              : result,
        );
        ctx.progress(
          `measured ${result.stats.stores} stores in ${(result.stats.durationMs / 1000).toFixed(1)} s; ${ctx.callSummary()}`,
        );
        if (html) ctx.progress(`HTML report: ${html}`);
        if (history)
          ctx.progress(
            `${freshnessDiffSentence(history.diff, history.since)}; stored as ${history.runId} in ${history.store}`,
          );
        if (failures.length > 0) {
          ctx.io.err(
            `drctl: freshness could not finish: ${failures.length} reads failed; nothing was stored or sent`,
          );
          for (const f of [...new Set(failures)].slice(0, ctx.options.verbose ? undefined : 3))
            ctx.io.err(`  ${f}`);
          return exitCodeFor({ unfinished: failures });
        }
        if (empty && !flags.allowEmpty) {
          ctx.io.err(
            `drctl: no data store found in ${primary.join(", ")} (RDS, Aurora, DynamoDB, S3, EFS, ElastiCache, images, Backup) and none listed under pairs: in drctl.yaml; nothing was stored or sent (--allow-empty makes this exit 0)`,
          );
          return exitCodeFor({ failed: true });
        }
        if (noStandby) {
          ctx.io.err(
            `drctl: no standby region known: none given (--standby-region, regions.standby in drctl.yaml) and AWS records no replica, replication or copy of any data store of ${primary.join(", ")} in another region; nothing was stored or sent`,
          );
          return exitCodeFor({ failed: true });
        }
        if (storeError) {
          ctx.io.err(`drctl: the freshness run was not stored, so nothing was sent: ${storeError.message}`);
          return exitCodeFor({ unfinished: [storeError.message] });
        }
        let failed: string[] = [];
        if (!flags.store && choice === "configured") {
          const would = channelsOf(ctx.config.notify, choice);
          if (would.length > 0)
            ctx.progress(
              `notify: nothing sent to ${would.join(", ")}: --no-store leaves nothing to compare with`,
            );
        } else {
          const diff = history?.diff ?? diffFreshness(undefined, { id: runId, result });
          const deliveries = await notifyFreshness({
            config: ctx.config.notify,
            result,
            diff,
            runId,
            aws: () => ctx.aws(),
            choice,
          });
          for (const d of deliveries) ctx.progress(`notify: ${d.channel}: ${d.detail}`);
          failed = deliveries.filter((d) => !d.ok).map((d) => `${d.channel}: ${d.detail}`);
          for (const d of failed) ctx.io.err(`drctl: notification through ${d}`);
        }
        const unmeasured = nothingMeasured(result);
        if (unmeasured && flags.failOn !== "never") ctx.io.err(`drctl: ${unmeasured}`);
        return exitCodeFor({
          unfinished: [...failed, ...(metricsError ? [metricsError] : [])],
          failed: freshnessFailed(result, flags.failOn),
        });
      }),
    );
}
