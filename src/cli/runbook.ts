import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { EXIT, InputError } from "../errors.js";
import { criticalPath } from "../runbook/dag.js";
import { executeRunbook, planRunbook, type PlannedStep } from "../runbook/engine.js";
import { Journal, type StepRecord } from "../runbook/journal.js";
import { loadRunbook } from "../runbook/load.js";
import { drctlHome } from "../store/open.js";
import type { CommandContext } from "./context.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

const journalFile = () => join(drctlHome(), "journal.sqlite");

export function formatPlan(steps: PlannedStep[]): string {
  return steps
    .map((s) => {
      const after = s.after.length ? ` (after ${s.after.join(", ")})` : "";
      const body =
        "error" in s.plan
          ? `cannot read the current state: ${s.plan.error}`
          : s.plan.changes
            ? `${s.plan.current}\n      -> ${s.plan.target}`
            : `${s.plan.current} (already so; nothing to do)`;
      return `  ${s.id} [${s.kind} in ${s.region}]${after}\n      ${body}`;
    })
    .join("\n");
}

const ms = (a: string | null, b: string | null) => (a && b ? Date.parse(b) - Date.parse(a) : 0);

export function formatTimeline(
  steps: StepRecord[],
  specs: Parameters<typeof criticalPath>[0],
  rtoMinutes: number | undefined,
): string {
  const starts = steps
    .map((s) => s.startedAt)
    .filter((x): x is string => x !== null)
    .sort();
  const t0 = starts[0] ? Date.parse(starts[0]) : 0;
  const lines = steps.map((s) => {
    const offset = s.startedAt ? `+${((Date.parse(s.startedAt) - t0) / 1000).toFixed(1)}s` : "";
    const took = s.startedAt && s.finishedAt ? `${(ms(s.startedAt, s.finishedAt) / 1000).toFixed(1)}s` : "";
    return `  ${s.stepId.padEnd(20)} ${s.status.padEnd(9)} ${offset.padStart(9)} ${took.padStart(8)}  ${s.error ?? s.plan ?? ""}`;
  });
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  const critical = criticalPath(specs, (id) =>
    ms(byId.get(id)?.startedAt ?? null, byId.get(id)?.finishedAt ?? null),
  );
  const total = critical.totalMs / 1000;
  const rto =
    rtoMinutes === undefined
      ? ""
      : `; RTO target ${rtoMinutes} min: ${total <= rtoMinutes * 60 ? "met" : "MISSED"}`;
  return [
    `  STEP                 STATUS       START     TOOK`,
    ...lines,
    `critical path: ${critical.path.join(" -> ")} = ${total.toFixed(1)} s${rto}`,
  ].join("\n");
}

export function registerRunbook(program: Command, withContext: WithContext): void {
  const failover = program
    .command("failover")
    .description("plan or run a failover runbook (a dry run unless --execute)");
  failover
    .command("plan", { isDefault: true })
    .description("show every step's current -> target state, read from the live state; changes nothing")
    .requiredOption("--runbook <file>", "the runbook YAML")
    .addHelpText("after", "\nExamples:\n  drctl failover plan --runbook examples/warm-standby/failover.yaml")
    .action((flags: { runbook: string }) =>
      withContext(async (ctx) => {
        const loaded = loadRunbook(flags.runbook);
        const steps = await planRunbook(await ctx.aws(), loaded);
        ctx.result(
          () => `plan of ${loaded.runbook.name} (dry run, nothing changed):\n${formatPlan(steps)}`,
          () => ({ version: 1, runbook: loaded.runbook.name, steps }),
        );
        return steps.some((s) => "error" in s.plan) ? EXIT.couldNotFinish : EXIT.ok;
      }),
    );
  failover
    .command("run")
    .description("run the runbook; without --execute it only shows the plan")
    .requiredOption("--runbook <file>", "the runbook YAML")
    .option("--execute", "really change the world")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl failover run --runbook failover.yaml              the plan only\n  drctl failover run --runbook failover.yaml --execute",
    )
    .action((flags: { runbook: string; execute?: boolean }) =>
      withContext((ctx) => runOrResume(ctx, flags.runbook, flags.execute ?? false)),
    );

  const runbook = program.command("runbook").description("resume or inspect runbook runs");
  runbook
    .command("resume")
    .argument("<run>", "the run id")
    .option("--execute", "really change the world")
    .description("continue a stopped or crashed run without redoing its completed steps")
    .action((runId: string, flags: { execute?: boolean }) =>
      withContext(async (ctx) => {
        const journal = Journal.open(journalFile());
        const run = journal.run(runId);
        journal.close();
        if (!run) throw new InputError(`no run ${runId} in ${journalFile()}`);
        return runOrResume(ctx, run.file, flags.execute ?? false, runId);
      }),
    );
  runbook
    .command("approve")
    .argument("<run>", "the run id")
    .argument("<step>", "the approval step's id")
    .option("--by <name>", "who approves (default: the current user)")
    .description("approve a waiting approval step of a run")
    .action((runId: string, stepId: string, flags: { by?: string }) =>
      withContext((ctx) => {
        const journal = Journal.open(journalFile());
        try {
          const by = flags.by ?? `${userInfo().username}@${hostname()}`;
          journal.approve(runId, stepId, by);
          ctx.result(
            () => `approved ${stepId} of ${runId} as ${by}`,
            () => ({ version: 1, runId, stepId, by }),
          );
          return Promise.resolve(EXIT.ok);
        } finally {
          journal.close();
        }
      }),
    );
  runbook
    .command("status")
    .argument("<run>", "the run id")
    .description(
      "the run's timeline: each step's status and duration, the critical path, the total against the RTO",
    )
    .action((runId: string) =>
      withContext(async (ctx) => {
        const journal = Journal.open(journalFile());
        try {
          const run = journal.run(runId);
          if (!run) throw new InputError(`no run ${runId} in ${journalFile()}`);
          const steps = journal.steps(runId);
          const loaded = loadRunbook(run.file);
          ctx.result(
            () =>
              `${run.runbook} run ${run.runId}: ${run.status}\n${formatTimeline(steps, loaded.runbook.steps, loaded.runbook.rtoMinutes)}`,
            () => ({ version: 1, run, steps }),
          );
          return Promise.resolve(run.status === "succeeded" ? EXIT.ok : EXIT.findings);
        } finally {
          journal.close();
        }
      }),
    );
}

async function runOrResume(
  ctx: CommandContext,
  file: string,
  execute: boolean,
  resumeRunId?: string,
): Promise<number> {
  const loaded = loadRunbook(file);
  const aws = await ctx.aws();
  if (!execute) {
    const steps = await planRunbook(aws, loaded);
    ctx.result(
      () =>
        `plan of ${loaded.runbook.name}:\n${formatPlan(steps)}\ndry run: nothing was changed; add --execute to run it`,
      () => ({ version: 1, dryRun: true, steps }),
    );
    return EXIT.ok;
  }
  const journal = Journal.open(journalFile());
  try {
    const { run, steps } = await executeRunbook(aws, journal, loaded, {
      ...(resumeRunId ? { resumeRunId } : {}),
      log: (l) => ctx.progress(l),
      onStep: (id, status, detail) =>
        ctx.progress(`  ${status.padEnd(9)} ${id}${detail ? `: ${detail}` : ""}`),
    });
    ctx.result(
      () =>
        `${run.runbook} run ${run.runId}: ${run.status}\n${formatTimeline(steps, loaded.runbook.steps, loaded.runbook.rtoMinutes)}${run.status === "failed" ? `\nresume with: drctl runbook resume ${run.runId} --execute` : ""}`,
      () => ({ version: 1, run, steps }),
    );
    return run.status === "succeeded" ? EXIT.ok : EXIT.couldNotFinish;
  } finally {
    journal.close();
  }
}
