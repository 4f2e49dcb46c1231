import { Option, type Command } from "commander";
import type { AwsClients } from "../aws/client-factory.js";
import { assertRegion } from "../aws/regions.js";
import { primaryRegions } from "../config/schema.js";
import { SEVERITIES, type Severity } from "../core/finding.js";
import type { FreshnessResult } from "../core/freshness-result.js";
import { InputError } from "../errors.js";
import { canary as makeCanary } from "../freshness/canary.js";
import type { FreshnessDiff } from "../freshness/diff.js";
import { runFreshness } from "../freshness/engine.js";
import { ignoringOwnStore } from "../freshness/own-store.js";
import { freshnessFailed, nothingMeasured } from "../freshness/verdict.js";
import { putFreshnessMetrics } from "../freshness/put-metrics.js";
import { notifyFreshness, type NotifyChoice } from "../notify/notify.js";
import { formatFreshnessHtml } from "../report/freshness-html.js";
import { formatFreshnessText } from "../report/freshness-text.js";
import { newRunId } from "../history/types.js";
import { FRESHNESS_RUN } from "../runs/kinds.js";
import { finishRun, type Finished, type Recorded } from "../runs/pipeline.js";
import { writeFileAtomic } from "../util/files.js";
import { oneOf } from "./args.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFile } from "./paths.js";
import { prepareOutbox, sayDeliveries, sendOption } from "./run-tail.js";
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
    .description(COMMAND_DESCRIPTIONS.freshness)
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
    .action((flags: FreshnessFlags) => withContext((ctx) => freshnessCommand(ctx, flags)));
}

/** The measurement, written as HTML and put as metrics if asked, then kept, compared, shown and sent. */
async function freshnessCommand(ctx: CommandContext, flags: FreshnessFlags): Promise<number> {
  const canaryConfig = checkCanaryFlags(ctx, flags);
  const choice: NotifyChoice = flags.notify ?? "configured";
  const html = flags.html ? prepareFile(flags.html, "--html", 0o755) : undefined;
  if (flags.store) ctx.checkStore();
  prepareOutbox(ctx, choice);
  const primary = ctx.options.region.length > 0 ? ctx.regions : primaryRegions(ctx.config);
  const given = givenStandby(ctx, flags, primary);
  const aws = await ctx.aws();
  const now = new Date();
  const runId = newRunId(now);
  const canary =
    flags.canary && canaryConfig ? makeCanary(aws, canaryConfig, runId, flags.execute ?? false) : undefined;
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
  for (const r of result.standbyRegions ?? []) ctx.progress(`standby region ${r.region}: from ${r.via}`);
  if (html) writeFileAtomic(html, formatFreshnessHtml(result), { mode: 0o644, dirMode: 0o755 });
  const metricsError = await putMetrics(ctx, aws, flags, result, primary);
  const finished = await finishRun(FRESHNESS_RUN, result, {
    id: runId,
    ...(flags.store ? { store: () => ctx.store() } : {}),
    allowEmpty: flags.allowEmpty ?? false,
    ...(noStandby(result) ? { nothingToJudge: "no standby region known" } : {}),
    drift: freshnessFailed(result, flags.failOn),
    unfinished: metricsError ? [metricsError] : [],
    show: (recorded) => showFreshness(ctx, result, recorded, html),
    ...sendOption(flags, choice, (run) =>
      notifyFreshness({
        config: ctx.config.notify,
        result: run.result,
        diff: run.diff,
        runId: run.id,
        aws: () => ctx.aws(),
        choice,
      }),
    ),
  });
  sayWhyNotFinished(ctx, finished, result, primary);
  sayDeliveries(ctx, finished, flags, choice);
  const unmeasured = nothingMeasured(result);
  if (finished.sendable && unmeasured && flags.failOn !== "never") ctx.io.err(`drctl: ${unmeasured}`);
  return finished.exit;
}

/** The canary's flags against drctl.yaml: what --canary measures with, if anything. */
function checkCanaryFlags(ctx: CommandContext, flags: FreshnessFlags) {
  if (flags.execute && !flags.canary)
    throw new InputError("--execute writes canary markers: it goes with --canary");
  const canaryConfig = ctx.config.freshness.canary;
  if (flags.canary && !canaryConfig)
    throw new InputError(
      `--canary: ${ctx.configFile ?? "drctl.yaml"} names no canary store; add freshness.canary.table (a DynamoDB global table) or freshness.canary.bucket (a replicated bucket and prefix)`,
    );
  return canaryConfig;
}

/** No region to look for copies in: the stores without a replica are unknown, never clean. */
const noStandby = (result: FreshnessResult) =>
  result.stores.length > 0 && (result.standbyRegions ?? []).length === 0;

/**
 * Puts each store's exposure into CloudWatch with --put-metrics; why it could not, if it could not.
 * Metrics say what was measured, an unmeasured store included (Unmeasured=1), so they go out even
 * for a run that could not read everything: an alarm should see that.
 */
async function putMetrics(
  ctx: CommandContext,
  aws: AwsClients,
  flags: FreshnessFlags,
  result: FreshnessResult,
  primary: readonly string[],
): Promise<string | undefined> {
  if (!flags.putMetrics || result.stores.length === 0) return undefined;
  const m = ctx.config.freshness.metrics;
  try {
    const put = await putFreshnessMetrics(aws, m.region ?? primary[0] ?? "us-east-1", result, m.namespace);
    ctx.progress(`metrics: ${put.metrics} put in ${put.namespace} in ${put.region} (${put.calls} calls)`);
    return undefined;
  } catch (err) {
    const metricsError = `metrics: ${err instanceof Error ? err.message : String(err)}`;
    ctx.io.err(`drctl: ${metricsError}`);
    return metricsError;
  }
}

/** The result (table or JSON with what the history made of it), then how the measurement went. */
function showFreshness(
  ctx: CommandContext,
  result: FreshnessResult,
  recorded: Recorded<FreshnessDiff>,
  html: string | undefined,
): void {
  const { stored, diff } = recorded;
  const history = stored && {
    runId: recorded.runId,
    store: stored.store,
    since: diff.from,
    changed: diff.changed.length,
  };
  ctx.result(
    () => formatFreshnessText(result, { verbose: ctx.options.verbose ?? false }),
    () => (history ? { ...result, history } : result),
  );
  ctx.progress(
    `measured ${result.stats.stores} stores in ${(result.stats.durationMs / 1000).toFixed(1)} s; ${ctx.callSummary()}`,
  );
  if (html) ctx.progress(`HTML report: ${html}`);
  if (stored)
    ctx.progress(
      `${FRESHNESS_RUN.sentence(diff, stored.since)}; stored as ${recorded.runId} in ${stored.store}`,
    );
}

/** Why the run was neither kept nor sent: reads that failed, nothing found, no standby, a history that failed. */
function sayWhyNotFinished(
  ctx: CommandContext,
  finished: Finished<FreshnessDiff>,
  result: FreshnessResult,
  primary: readonly string[],
): void {
  const { unread, nothingFound } = finished.recorded;
  if (unread.length > 0) {
    ctx.io.err(
      `drctl: freshness could not finish: ${unread.length} reads failed; nothing was stored or sent`,
    );
    for (const f of [...new Set(unread)].slice(0, ctx.options.verbose ? undefined : 3)) ctx.io.err(`  ${f}`);
  } else if (nothingFound && result.stores.length === 0)
    ctx.io.err(
      `drctl: no data store found in ${primary.join(", ")} (RDS, Aurora, DynamoDB, S3, EFS, ElastiCache, images, Backup) and none listed under pairs: in drctl.yaml; nothing was stored or sent (--allow-empty makes this exit 0)`,
    );
  else if (nothingFound)
    ctx.io.err(
      `drctl: no standby region known: none given (--standby-region, regions.standby in drctl.yaml) and AWS records no replica, replication or copy of any data store of ${primary.join(", ")} in another region; nothing was stored or sent`,
    );
  else if (finished.storeError)
    ctx.io.err(
      `drctl: the freshness run was not stored, so nothing was sent: ${finished.storeError.message}`,
    );
}
