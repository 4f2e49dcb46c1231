import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { STEP_KINDS } from "../catalog.js";
import { scheduleTopic, type DrctlConfig } from "../config/schema.js";
import { EXIT, InputError } from "../errors.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { nextTimes, parseCron } from "../util/cron.js";
import { closest } from "../util/closest.js";
import { printable } from "../util/printable.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { runOrResume } from "./runbook-run.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;
type Schedule = DrctlConfig["schedules"][number];

/** A schedule's runbook, read as the deployment bundles it: relative to drctl.yaml, with its values. */
function runbookOf(ctx: CommandContext, schedule: Schedule): LoadedRunbook {
  const dir = ctx.configFile ? dirname(ctx.configFile) : ".";
  return loadRunbook(STEP_KINDS, join(dir, schedule.runbook), schedule.set);
}

function scheduleNamed(ctx: CommandContext, name: string): Schedule {
  const all = ctx.config.schedules;
  const found = all.find((s) => s.name === name);
  if (found) return found;
  const near = closest(
    name,
    all.map((s) => s.name),
  );
  throw new InputError(
    `no schedule "${name}" in ${ctx.configFile ?? "drctl.yaml (there is none here)"}${
      all.length
        ? ` (its schedules: ${all.map((s) => s.name).join(", ")}${near ? `; did you mean ${near}?` : ""})`
        : ""
    }`,
  );
}

const whoAmI = () => {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `?@${hostname()}`;
  }
};

const utc = (d: Date) => d.toISOString().replace(/\.000Z$/, "Z");

export function registerSchedule(program: Command, withContext: WithContext): void {
  const schedule = program.command("schedule").description(COMMAND_DESCRIPTIONS.schedule);
  schedule
    .command("list")
    .description(
      "the schedules the cloud deployment makes of drctl.yaml: each one's cron, its next times (UTC), its runbook and values, the application it locks and who is told when a run fails",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  drctl schedule list\n  drctl --config prod.yaml schedule list --json",
    )
    .action(() => withContext((ctx) => listSchedules(ctx)));
  schedule
    .command("plan")
    .argument("<name>", "the schedule's name")
    .description(
      "the plan of a schedule's runbook with its values, read from the live state; changes nothing",
    )
    .action((name: string) =>
      withContext((ctx) => runOrResume(ctx, runbookOf(ctx, scheduleNamed(ctx, name)), false, {})),
    );
  schedule
    .command("run")
    .argument("<name>", "the schedule's name")
    .option("--execute", "really change the world")
    .option(
      "--force <why>",
      "take the application's lock whoever holds it (a failed run of the schedule keeps it); journaled with who and why",
    )
    .description(
      "run a schedule's runbook here and now, with its values, as its next firing would; without --execute only the plan",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  drctl schedule run daily-images\n  drctl schedule run daily-images --execute",
    )
    .action((name: string, flags: { execute?: boolean; force?: string }) =>
      withContext(async (ctx) => {
        const code = await runOrResume(
          ctx,
          runbookOf(ctx, scheduleNamed(ctx, name)),
          flags.execute ?? false,
          flags.force ? { force: { by: whoAmI(), why: flags.force } } : {},
        );
        ctx.progress(ctx.callSummary());
        return code;
      }),
    );
}

/** drctl schedule list: each schedule's cron, next times, runbook, values and who is told. */
function listSchedules(ctx: CommandContext): Promise<number> {
  const now = new Date();
  const rows = ctx.config.schedules.map((s) => {
    const loaded = runbookOf(ctx, s);
    return {
      name: s.name,
      cron: s.cron,
      next: nextTimes(parseCron(s.cron), now, 3).map(utc),
      runbook: s.runbook,
      runbookName: loaded.runbook.name,
      application: loaded.runbook.application,
      set: s.set,
      notifyTopicArn: scheduleTopic(ctx.config, s) ?? null,
    };
  });
  ctx.result(
    () =>
      rows.length === 0
        ? `no schedules in ${ctx.configFile ?? "drctl.yaml (there is none here)"}: add schedules: (name, runbook, cron) to run runbooks on a schedule`
        : schedulesTable(ctx, rows),
    () => ({ version: 1, schedules: rows }),
  );
  return Promise.resolve(EXIT.ok);
}

interface ScheduleRow {
  name: string;
  cron: string;
  next: string[];
  runbook: string;
  runbookName: string;
  application: string;
  set: Record<string, unknown>;
  notifyTopicArn: string | null;
}

function schedulesTable(ctx: CommandContext, rows: readonly ScheduleRow[]): string {
  const head = ["SCHEDULE", "CRON", "NEXT (UTC)", "RUNBOOK", "APPLICATION", "SET", "TOLD ON FAILURE"];
  const table = rows.map((r) => [
    r.name,
    r.cron,
    r.next[0] ?? "never",
    `${r.runbook} (${r.runbookName})`,
    r.application,
    Object.entries(r.set)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ") || "-",
    r.notifyTopicArn ?? "no one (no topic)",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] ?? "").length)));
  const line = (cells: string[]) =>
    printable(cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join("  "));
  return [
    `schedules of ${ctx.configFile ?? "drctl.yaml"}, as the cloud deployment makes them (npm run synth): an EventBridge rule each, starting its runbook in the failover workflow; one run at a time per application`,
    line(head),
    ...table.map(line),
  ].join("\n");
}
