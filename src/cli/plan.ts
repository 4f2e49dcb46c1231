import { Option, type Command } from "commander";
import { dirname, join, resolve } from "node:path";
import { STEP_KINDS } from "../catalog.js";
import { SEVERITIES, severityRank, type Severity } from "../core/finding.js";
import { exitCodeFor, InputError } from "../errors.js";
import { buildPlan } from "../plan/build.js";
import { diffPlans, formatPlanDiff, type PlanDiff } from "../plan/diff.js";
import { planDocument } from "../report/plan-document.js";
import { previousPlan } from "../plan/previous.js";
import { renderHtml } from "../report/plan-html.js";
import { renderMarkdown } from "../report/plan-markdown.js";
import type { PlanResult } from "../core/plan-result.js";
import type { Application } from "../config/applications.js";
import { newRunId, planRun } from "../history/types.js";
import { writeFileAtomic } from "../util/files.js";
import { oneOf } from "./args.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFolder } from "./paths.js";

interface PlanFlags {
  application?: string[];
  out?: string;
  diff?: boolean;
  store: boolean;
  failOn: Severity | "never";
}

/** A file name from an application's name: letters, digits, dot, dash and underscore. */
export const planFileName = (application: string) => application.replace(/[^A-Za-z0-9._-]+/g, "-");

export function registerPlan(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("plan")
    .description(COMMAND_DESCRIPTIONS.plan)
    .option(
      "--application <name>",
      "only this application of drctl.yaml (repeatable)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .option(
      "--out <dir>",
      "write <application>.md and <application>.html there (otherwise the Markdown goes to stdout)",
    )
    .option("--diff", "print what changed since the application's last stored plan instead of the plan")
    .option("--no-store", "do not keep this plan in the history")
    .addOption(
      new Option(
        "--fail-on <severity>",
        `exit 1 when an open risk is at or above this severity: ${[...SEVERITIES, "never"].join(", ")}`,
      )
        .argParser(oneOf([...SEVERITIES, "never"] as const))
        .default("never"),
    )
    .addHelpText(
      "after",
      `
The plan is made from facts: the newest stored scan, freshness run and drill of the application,
the newest run of its failover runbook, the runbooks' dry runs and a live reading of high
availability (zones, Auto Scaling groups, multi-AZ databases). Every figure names the run it
comes from; what nothing measured says "not measured" with the command that would.
Applications are described under applications: in drctl.yaml (owner, contacts, rto, rpo, tags or
arns, runbooks, drills).

Examples:
  drctl plan --application web > DR-PLAN.md
  drctl plan --out dr-plans                     every application, Markdown and HTML
  drctl plan --application web --diff           what changed since the last stored plan
  drctl plan --json                             the plans' data (docs/plan-json.md)`,
    )
    .action((flags: PlanFlags) => withContext((ctx) => runPlans(ctx, flags)));
}

type Made = { id: string; plan: PlanResult; diff: PlanDiff };

/** The applications --application names (all of drctl.yaml when none), or a clear error. */
function chosenApplications(ctx: CommandContext, flags: PlanFlags): Application[] {
  const apps = ctx.config.applications;
  if (apps.length === 0)
    throw new InputError(
      `${ctx.configFile ?? "drctl.yaml"} has no applications: describe each under applications: (name, owner, contacts, rto, rpo, tags or arns, runbooks, drills)`,
    );
  const chosen = (flags.application ?? []).map((name) => {
    const app = apps.find((a) => a.name === name);
    if (!app)
      throw new InputError(
        `--application ${name}: no such application in ${ctx.configFile ?? "drctl.yaml"} (there: ${apps.map((a) => a.name).join(", ")})`,
      );
    return app;
  });
  return chosen.length > 0 ? chosen : apps;
}

/** <out>/<application>.md and .html of one plan. */
function writePlanFiles(out: string, made: Made): void {
  const blocks = planDocument(made.plan, made.id);
  const name = planFileName(made.plan.application);
  writeFileAtomic(join(out, `${name}.md`), renderMarkdown(blocks), { mode: 0o644 });
  writeFileAtomic(join(out, `${name}.html`), renderHtml(blocks), { mode: 0o644 });
}

/** The plans (or their diffs, or where they were written), then a line per plan on stderr. */
function printPlans(
  ctx: CommandContext,
  flags: PlanFlags,
  results: Made[],
  out: string | undefined,
  stored: string,
) {
  ctx.result(
    () =>
      flags.diff
        ? results.map((r) => formatPlanDiff(r.diff)).join("\n")
        : out
          ? results
              .map(
                (r) =>
                  `${r.plan.application}: ${join(out, `${planFileName(r.plan.application)}.md`)} and .html, ${r.plan.risks.length} open risks`,
              )
              .join("\n")
          : results.map((r) => renderMarkdown(planDocument(r.plan, r.id))).join("\n---\n\n"),
    () => ({
      version: 1,
      plans: results.map((r) => ({ id: r.id, ...r.plan, diff: r.diff })),
    }),
  );
  for (const r of results)
    ctx.progress(
      `${r.plan.application}: plan ${r.id}, ${r.plan.components.length} components, ${r.plan.risks.length} open risks; ${flags.store && r.plan.unread.length === 0 ? `stored in ${stored}` : "not stored"}${flags.diff ? "" : `; ${r.diff.from === null ? "the first stored plan" : `${r.diff.changes.length} changes since ${r.diff.from}`}`}`,
    );
}

/** Each chosen application's plan: made, compared with its last, stored when complete, written, printed. */
async function runPlans(ctx: CommandContext, flags: PlanFlags): Promise<number> {
  const apps = chosenApplications(ctx, flags);
  const out = flags.out ? prepareFolder(resolve(flags.out), "--out") : undefined;
  if (flags.store) ctx.checkStore();
  const aws = await ctx.aws();
  const store = await ctx.store();
  const journal = await ctx.journal().catch(() => undefined);
  const configDir = ctx.configFile ? dirname(resolve(ctx.configFile)) : process.cwd();
  const results: Made[] = [];
  const unread: string[] = [];
  for (const app of apps) {
    const now = new Date();
    const id = newRunId(now);
    const plan = await buildPlan(aws, {
      config: ctx.config,
      configDir,
      application: app,
      store,
      ...(journal ? { journal } : {}),
      now,
      kinds: STEP_KINDS,
    });
    const before = await previousPlan(store, app.name, id);
    const diff = diffPlans(before, { id, result: plan });
    // As a scan: a plan that could not read everything is written, but not kept.
    if (flags.store && plan.unread.length === 0) await store.save(planRun(id, plan, new Date()));
    unread.push(...plan.unread.map((u) => `${app.name}: ${u}`));
    results.push({ id, plan, diff });
    if (out) writePlanFiles(out, { id, plan, diff });
  }
  printPlans(ctx, flags, results, out, store.description);
  ctx.progress(ctx.callSummary());
  if (unread.length > 0) {
    ctx.io.err(`drctl: the plan could not read everything; it is written but not stored:`);
    for (const u of unread) ctx.io.err(`  ${u}`);
    return exitCodeFor({ unfinished: unread });
  }
  const failed =
    flags.failOn !== "never" &&
    results.some((r) =>
      r.plan.risks.some((k) => severityRank(k.severity) >= severityRank(flags.failOn as Severity)),
    );
  return exitCodeFor({ failed });
}
