import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { EXIT, InputError } from "../errors.js";
import type { criticalPath } from "../runbook/dag.js";
import { formatTimeline } from "../runbook/timeline.js";
import {
  executeRunbook,
  planRunbook,
  START_GATE,
  type ApprovalGate,
  type PlannedStep,
  type RunResult,
} from "../runbook/engine.js";
import { TaskList } from "./task-list.js";
import { generateFailback, writeFailback } from "../runbook/failback.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { drctlHome } from "../store/open.js";
import type { CommandContext } from "./context.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export function formatPlan(steps: PlannedStep[]): string {
  return steps
    .map((s) => {
      const after = s.after.length ? ` (after ${s.after.join(", ")})` : "";
      const body =
        "error" in s.plan
          ? s.readableAfter
            ? `not readable until ${s.readableAfter.join(", ")} ran (${s.plan.error})`
            : `cannot read the current state: ${s.plan.error}`
          : s.plan.changes
            ? `${s.plan.current}\n      -> ${s.plan.target}`
            : `${s.plan.current} (already so; nothing to do)`;
      return `  ${s.id} [${s.kind} in ${s.region}]${after}\n      ${body}`;
    })
    .join("\n");
}

/** Where a run's runbook comes from: a file, or (failback) the inverse of a recorded run. */
interface Source {
  runbook?: string;
  from?: string;
  set?: string[];
}

/** --set KEY=VALUE: numbers and booleans keep their type, so `desired: ${config.desired}` stays a number. */
export function parseSets(sets: string[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq < 1) throw new InputError(`--set ${s}: expected KEY=VALUE`);
    const raw = s.slice(eq + 1);
    out[s.slice(0, eq)] =
      raw === "true" ? true : raw === "false" ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The runbook to plan or run; for --from, the generated failback, written where it can be reviewed. */
async function resolveSource(
  ctx: CommandContext,
  source: Source,
  command: string,
): Promise<{ loaded: LoadedRunbook; undoes?: string; generated?: string }> {
  if (source.from) {
    if (source.runbook) throw new InputError(`${command}: give --runbook or --from, not both`);
    const journal = await ctx.journal();
    const run = await journal.run(source.from);
    if (!run) throw new InputError(`no run ${source.from} in the ${journal.description}`);
    const generated = generateFailback(loadRunbook(run.file), run, await journal.steps(run.runId));
    const file = writeFailback(join(drctlHome(), "runbooks"), run, generated);
    return { loaded: loadRunbook(file), undoes: run.runId, generated: file };
  }
  if (!source.runbook) throw new InputError(`${command}: expected --runbook <file> or --from <run>`);
  return { loaded: loadRunbook(source.runbook, parseSets(source.set)) };
}

function addPlanAndRun(parent: Command, withContext: WithContext, failback: boolean): void {
  const name = parent.name();
  const from = (c: Command) =>
    (failback
      ? c
          .option("--runbook <file>", "a failback runbook YAML")
          .option("--from <run>", "generate the failback as the inverse of this recorded run")
      : c.requiredOption("--runbook <file>", "the runbook YAML")
    ).option("--set <key=value>", "override a value of the runbook's config: block (repeatable)", collect);
  from(
    parent
      .command("plan", { isDefault: true })
      .description("show every step's current -> target state, read from the live state; changes nothing"),
  )
    .addHelpText(
      "after",
      failback
        ? "\nExamples:\n  drctl failback plan --from run-20261121T101500Z-3fa2\n  drctl failback plan --runbook examples/warm-standby/failback.yaml"
        : "\nExamples:\n  drctl failover plan --runbook examples/warm-standby/failover.yaml",
    )
    .action((flags: Source) =>
      withContext(async (ctx) => {
        const { loaded, generated } = await resolveSource(ctx, flags, `${name} plan`);
        const steps = await planRunbook(await ctx.aws(), loaded);
        ctx.result(
          () =>
            `${generated ? `generated ${generated}\n` : ""}plan of ${loaded.runbook.name} (dry run, nothing changed):\n${formatPlan(steps)}`,
          () => ({ version: 1, runbook: loaded.runbook.name, file: loaded.file, steps }),
        );
        return steps.some((s) => "error" in s.plan && !s.readableAfter) ? EXIT.couldNotFinish : EXIT.ok;
      }),
    );
  from(parent.command("run").description("run the runbook; without --execute it only shows the plan"))
    .option("--execute", "really change the world")
    .option(
      "--wait-for-approval",
      `start at an approval gate: nothing changes until someone runs drctl runbook approve RUN ${START_GATE}`,
    )
    .addHelpText(
      "after",
      `\nExamples:\n  drctl ${name} run --runbook ${name}.yaml              the plan only\n  drctl ${name} run --runbook ${name}.yaml --execute${failback ? "\n  drctl failback run --from RUN --execute             undo a recorded failover run" : ""}`,
    )
    .action((flags: Source & { execute?: boolean; waitForApproval?: boolean }) =>
      withContext(async (ctx) => {
        const { loaded, undoes, generated } = await resolveSource(ctx, flags, `${name} run`);
        if (generated) ctx.progress(`generated ${generated} from the journal of ${undoes ?? ""}`);
        return runOrResume(ctx, loaded, flags.execute ?? false, {
          ...(undoes ? { undoes } : {}),
          ...(flags.waitForApproval ? { approvalGate: { message: `start ${loaded.runbook.name}` } } : {}),
        });
      }),
    );
}

export function registerRunbook(program: Command, withContext: WithContext): void {
  addPlanAndRun(
    program.command("failover").description("plan or run a failover runbook (a dry run unless --execute)"),
    withContext,
    false,
  );
  addPlanAndRun(
    program
      .command("failback")
      .description(
        "plan or run a failback: a failback runbook, or the inverse of a recorded failover run (a dry run unless --execute)",
      ),
    withContext,
    true,
  );

  const runbook = program.command("runbook").description("resume or inspect runbook runs");
  runbook
    .command("resume")
    .argument("<run>", "the run id")
    .option("--execute", "really change the world")
    .option("--set <key=value>", "the same overrides the run began with (repeatable)", collect)
    .option(
      "--runbook <file>",
      "the runbook, when the run began where its file is not here (a triggered run in the cloud); it must be the same text",
    )
    .description("continue a stopped or crashed run without redoing its completed steps")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl runbook resume run-20261121T101500Z-3fa2 --execute\n  drctl --store 'dynamodb://drctl-history?region=us-east-1' runbook resume RUN --runbook runbooks/failover.yaml --execute",
    )
    .action((runId: string, flags: { execute?: boolean; set?: string[]; runbook?: string }) =>
      withContext(async (ctx) => {
        const journal = await ctx.journal();
        const run = await journal.run(runId);
        if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
        // The hash check refuses a file that is not the one the run began with.
        const file = flags.runbook ?? run.file;
        return runOrResume(ctx, loadRunbook(file, parseSets(flags.set)), flags.execute ?? false, {
          resumeRunId: runId,
        });
      }),
    );
  runbook
    .command("approve")
    .argument("<run>", "the run id")
    .argument("<step>", "the approval step's id")
    .option("--by <name>", "who approves (default: the current user)")
    .description("approve a waiting approval step of a run")
    .action((runId: string, stepId: string, flags: { by?: string }) =>
      withContext(async (ctx) => {
        const by = flags.by ?? `${userInfo().username}@${hostname()}`;
        await (await ctx.journal()).approve(runId, stepId, by);
        ctx.result(
          () => `approved ${stepId} of ${runId} as ${by}`,
          () => ({ version: 1, runId, stepId, by }),
        );
        return EXIT.ok;
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
        const journal = await ctx.journal();
        const run = await journal.run(runId);
        if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
        const steps = await journal.steps(runId);
        // A run started elsewhere (in the cloud) has its runbook file there: no dependencies here.
        let specs: Parameters<typeof criticalPath>[0] = steps.map((s) => ({ id: s.stepId, after: [] }));
        let rto: number | undefined;
        try {
          const loaded = loadRunbook(run.file);
          specs = loaded.runbook.steps;
          rto = loaded.runbook.rtoMinutes;
        } catch {
          ctx.progress(`(${run.file} is not readable here: the critical path ignores dependencies)`);
        }
        ctx.result(
          () => `${run.runbook} run ${run.runId}: ${run.status}\n${formatTimeline(steps, specs, rto)}`,
          () => ({ version: 1, run, steps }),
        );
        return run.status === "succeeded" ? EXIT.ok : EXIT.findings;
      }),
    );
}

async function runOrResume(
  ctx: CommandContext,
  loaded: LoadedRunbook,
  execute: boolean,
  run: { resumeRunId?: string; undoes?: string; approvalGate?: ApprovalGate },
): Promise<number> {
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
  const journal = await ctx.journal();
  {
    // On a terminal, the steps as a live list: those of the journal for a resumed run.
    const live = ctx.options.quiet ? undefined : ctx.io.terminal;
    const tasks = live
      ? new TaskList(
          live,
          run.resumeRunId
            ? (await journal.steps(run.resumeRunId)).map((s) => s.stepId)
            : [...(run.approvalGate ? [START_GATE] : []), ...loaded.runbook.steps.map((s) => s.id)],
        )
      : undefined;
    tasks?.start();
    let result: RunResult;
    try {
      result = await executeRunbook(aws, journal, loaded, {
        ...run,
        log: (l) => (tasks ? tasks.log(l) : ctx.progress(l)),
        onStep: (id, status, detail) =>
          tasks
            ? tasks.update(id, status, detail)
            : ctx.progress(`  ${status.padEnd(9)} ${id}${detail ? `: ${detail}` : ""}`),
      });
    } finally {
      tasks?.stop();
    }
    const { run: done, steps } = result;
    const rollback = result.rollback
      ? `\nrolled back in run ${result.rollback.run.runId}: ${result.rollback.run.status}\n${formatTimeline(result.rollback.steps, loadRunbook(result.rollback.run.file).runbook.steps, undefined)}`
      : "";
    ctx.result(
      () =>
        `${done.runbook} run ${done.runId}: ${done.status}\n${formatTimeline(steps, loaded.runbook.steps, loaded.runbook.rtoMinutes)}${done.status === "failed" ? `\nresume with: drctl runbook resume ${done.runId} --execute\nor undo what it changed: drctl failback plan --from ${done.runId}` : ""}${rollback}`,
      () => ({ version: 1, run: done, steps, ...(result.rollback ? { rollback: result.rollback } : {}) }),
    );
    return done.status === "succeeded" ? EXIT.ok : EXIT.couldNotFinish;
  }
}
