/** A runbook's plan (without --execute) or its run, with a live list of its steps on a terminal. */
import { STEP_KINDS } from "../catalog.js";
import { EXIT } from "../errors.js";
import { drctlHome } from "../history/open.js";
import {
  executeRunbook,
  planProblems,
  planRunbook,
  publicSteps,
  START_GATE,
  type ApprovalGate,
  type RunOptions,
  type RunResult,
} from "../runbook/engine.js";
import type { Journal } from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { formatTimeline } from "../runbook/timeline.js";
import { ensurePrivateDir } from "../util/files.js";
import { printable } from "../util/printable.js";
import type { CommandContext } from "./context.js";
import { formatPlan, nextSteps, planExit, planVerdict } from "./runbook-format.js";
import { TaskList } from "./task-list.js";

/** What a run is asked to do besides its runbook: resume, undo, an approval gate, events to journal. */
export type RunRequest = Pick<RunOptions, "resumeRunId" | "undoes" | "retryInDoubt" | "force"> & {
  approvalGate?: ApprovalGate;
  /** Journaled on a new run as soon as it starts. */
  events?: string[];
};

/** The dry run: the plan printed, nothing changed. */
async function planOnly(ctx: CommandContext, loaded: LoadedRunbook): Promise<number> {
  const steps = await planRunbook(await ctx.aws(), loaded);
  ctx.result(
    () =>
      `plan of ${printable(loaded.runbook.name)}:\n${formatPlan(steps)}${planVerdict(steps)}\ndry run: nothing was changed; add --execute to run it`,
    () => ({ version: 1, dryRun: true, steps, problems: planProblems(steps) }),
  );
  return planExit(steps);
}

/** On a terminal, the steps as a live list: those of the journal for a resumed run. */
async function liveTasks(
  ctx: CommandContext,
  journal: Journal,
  loaded: LoadedRunbook,
  run: RunRequest,
): Promise<TaskList | undefined> {
  const live = ctx.options.quiet ? undefined : ctx.io.terminal;
  if (!live) return undefined;
  return new TaskList(
    live,
    run.resumeRunId
      ? (await journal.steps(run.resumeRunId)).map((s) => s.stepId)
      : [...(run.approvalGate ? [START_GATE] : []), ...loaded.runbook.steps.map((s) => s.id)],
  );
}

/**
 * SIGINT/SIGTERM while `work` runs: stop at the next safe point and say how to go on; a second
 * one ends the process. `runId()` names the run once it has one.
 */
async function interruptible<T>(
  say: (line: string) => void,
  runId: () => string,
  work: (interrupt: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new Error(signal));
    say(
      `${signal}: stopping ${runId() || "the run"} at the next safe point (a second ${signal} stops at once; the journal has what ran)`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The run's outcome printed: its timeline, what to do next, its rollback if it had one. */
function report(ctx: CommandContext, loaded: LoadedRunbook, result: RunResult): number {
  const { run: done, steps } = result;
  const rollback = result.rollback
    ? `\nrolled back in run ${result.rollback.run.runId}: ${result.rollback.run.status}\n${formatTimeline(result.rollback.run, result.rollback.steps, loadRunbook(STEP_KINDS, result.rollback.run.file).runbook.steps, undefined, printable)}`
    : "";
  ctx.result(
    () =>
      [
        `${printable(done.runbook)} run ${done.runId}: ${done.status}`,
        formatTimeline(done, steps, loaded.runbook.steps, loaded.runbook.rtoMinutes, printable),
        ...nextSteps(done),
      ].join("\n") + rollback,
    () => ({
      version: 1,
      run: done,
      steps: publicSteps(STEP_KINDS, steps),
      ...(result.rollback
        ? { rollback: { run: result.rollback.run, steps: publicSteps(STEP_KINDS, result.rollback.steps) } }
        : {}),
    }),
  );
  return done.status === "succeeded" ? EXIT.ok : EXIT.couldNotFinish;
}

export async function runOrResume(
  ctx: CommandContext,
  loaded: LoadedRunbook,
  execute: boolean,
  run: RunRequest,
): Promise<number> {
  if (!execute) return planOnly(ctx, loaded);
  const aws = await ctx.aws();
  ensurePrivateDir(drctlHome());
  const journal = await ctx.journal();
  const tasks = await liveTasks(ctx, journal, loaded, run);
  let runId = run.resumeRunId ?? "";
  const say = (line: string) => (tasks ? tasks.log(line) : ctx.progress(line));
  if (run.resumeRunId)
    say(`resuming run ${run.resumeRunId}: drctl runbook status ${run.resumeRunId} shows where it is`);
  tasks?.start();
  const { events, ...options } = run;
  const result = await interruptible(
    say,
    () => runId,
    (interrupt) =>
      executeRunbook(aws, journal, loaded, {
        ...options,
        interrupt,
        onStarted: async (id) => {
          runId = id;
          for (const what of events ?? []) await journal.addEvent(id, what);
          // A handle on the run the moment it exists, for a person whose terminal dies.
          say(
            `run ${id} started (${journal.description}); if this terminal goes away: drctl runbook status ${id}, drctl runbook resume ${id} --execute`,
          );
        },
        log: (l) => say(printable(l)),
        onStep: (id, status, detail) =>
          tasks
            ? tasks.update(id, status, detail === undefined ? undefined : printable(detail))
            : ctx.progress(printable(`  ${status.padEnd(9)} ${id}${detail ? `: ${detail}` : ""}`)),
      }),
  ).finally(() => tasks?.stop());
  return report(ctx, loaded, result);
}
