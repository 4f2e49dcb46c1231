import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { STEP_KINDS } from "../catalog.js";
import { EXIT, InputError } from "../errors.js";
import type { criticalPath } from "../runbook/dag.js";
import {
  executeRunbook,
  planProblems,
  planRunbook,
  publicSteps,
  START_GATE,
  type ApprovalGate,
  type PlannedStep,
  type RunOptions,
  type RunResult,
} from "../runbook/engine.js";
import { generateFailback, runbookOfRun, writeFailback } from "../runbook/failback.js";
import {
  describeHolder,
  type Journal,
  type LockRecord,
  type RunRecord,
  type StepRecord,
} from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { formatTimeline } from "../runbook/timeline.js";
import { drctlHome } from "../history/open.js";
import { ensurePrivateDir } from "../util/files.js";
import { printable } from "../util/printable.js";
import type { CommandContext } from "./context.js";
import { TaskList } from "./task-list.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

export function formatPlan(steps: PlannedStep[]): string {
  return steps
    .map((s) => {
      const after = s.after.length ? ` (after ${s.after.join(", ")})` : "";
      const p = s.plan;
      const body =
        "error" in p
          ? s.readableAfter
            ? `not readable until ${s.readableAfter.join(", ")} ran (${p.error})`
            : p.notFound
              ? `would fail: ${p.error}`
              : `cannot read the current state: ${p.error}`
          : p.refused
            ? `${p.current}\n      would be refused: ${p.refused}`
            : p.fails
              ? `${p.current}\n      would fail: ${p.fails}`
              : p.changes
                ? `${p.current}\n      -> ${p.target}`
                : `${p.current} (already so; nothing to do)`;
      return printable(`  ${s.id} [${s.kind} in ${s.region}]${after}\n      ${body}`);
    })
    .join("\n");
}

/** The plan's exit code: 3 when a state could not be read, 1 when the run would refuse or fail a step. */
function planExit(steps: PlannedStep[]): number {
  const problems = planProblems(steps);
  if (problems.some((p) => p.kind === "unreadable")) return EXIT.couldNotFinish;
  return problems.length > 0 ? EXIT.findings : EXIT.ok;
}

function planVerdict(steps: PlannedStep[]): string {
  const problems = planProblems(steps).filter((p) => p.kind !== "unreadable");
  return problems.length
    ? `\nthe run would stop at: ${problems.map((p) => `${p.id} (${p.kind === "refused" ? "refused" : "would fail"})`).join(", ")}`
    : "";
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
const currentUser = () => {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `?@${hostname()}`;
  }
};

/** The runbook to plan or run; for --from, the generated failback, written where it can be reviewed. */
async function resolveSource(
  ctx: CommandContext,
  source: Source,
  command: string,
): Promise<{
  loaded: LoadedRunbook;
  undoes?: string;
  generated?: string;
  notes: string[];
  /** What the failback's run journals when it starts (the failover's runbook edited since it ran). */
  events?: string[];
}> {
  if (source.from) {
    if (source.set?.length)
      throw new InputError(`${command}: --from uses the values the run began with; leave out --set`);
    const journal = await ctx.journal();
    const run = await journal.run(source.from);
    if (!run) throw new InputError(`no run ${source.from} in the ${journal.description}`);
    const records = await journal.steps(run.runId);
    // The runbook must be the text the run ran (its hash): a copy for a run that began elsewhere.
    const original = runbookOfRun(STEP_KINDS, run, records, source.runbook);
    const { runbook, unmatched } = generateFailback(original, run, records);
    const file = writeFailback(join(drctlHome(), "runbooks"), run, runbook);
    return {
      loaded: loadRunbook(STEP_KINDS, file),
      undoes: run.runId,
      generated: file,
      ...(original.edited ? { events: [`generated from run ${run.runId}: ${original.edited}`] } : {}),
      notes: [
        ...(original.edited ? [original.edited] : []),
        ...(unmatched.length
          ? [`journal steps matching no step of ${original.file}: ${unmatched.join(", ")}`]
          : []),
      ],
    };
  }
  if (!source.runbook) throw new InputError(`${command}: expected --runbook <file> or --from <run>`);
  return { loaded: loadRunbook(STEP_KINDS, source.runbook, parseSets(source.set)), notes: [] };
}

function addPlanAndRun(parent: Command, withContext: WithContext, failback: boolean): void {
  const name = parent.name();
  const from = (c: Command) =>
    (failback
      ? c
          .option(
            "--runbook <file>",
            "a failback runbook YAML; with --from, a copy of the runbook the run used",
          )
          .option("--from <run>", "generate the failback as the inverse of this recorded run")
      : c.requiredOption("--runbook <file>", "the runbook YAML")
    ).option("--set <key=value>", "override a value of the runbook's config: block (repeatable)", collect);
  from(
    parent
      .command("plan", { isDefault: true })
      .description(
        "show every step's current -> target state, read from the live state, and what the run would refuse; changes nothing (exit 1 when a step would be refused or fail)",
      ),
  )
    .addHelpText(
      "after",
      failback
        ? "\nExamples:\n  drctl failback plan --from run-20261121T101500Z-3fa2\n  drctl failback plan --from RUN --runbook copy-of-failover.yaml\n  drctl failback plan --runbook examples/warm-standby/failback.yaml"
        : "\nExamples:\n  drctl failover plan --runbook examples/warm-standby/failover.yaml\n  drctl failover plan --runbook failover.yaml --set replica=db-2",
    )
    .action((flags: Source) =>
      withContext(async (ctx) => {
        const { loaded, generated, notes } = await resolveSource(ctx, flags, `${name} plan`);
        const steps = await planRunbook(await ctx.aws(), loaded);
        ctx.result(
          () =>
            `${generated ? `generated ${generated}\n` : ""}${notes.map((n) => `${n}\n`).join("")}plan of ${printable(loaded.runbook.name)} (dry run, nothing changed):\n${formatPlan(steps)}${planVerdict(steps)}`,
          () => ({
            version: 1,
            runbook: loaded.runbook.name,
            file: loaded.file,
            steps,
            problems: planProblems(steps),
          }),
        );
        return planExit(steps);
      }),
    );
  from(parent.command("run").description("run the runbook; without --execute it only shows the plan"))
    .option("--execute", "really change the world")
    .option(
      "--wait-for-approval",
      `start at an approval gate: nothing changes until someone runs drctl runbook approve RUN ${START_GATE}`,
    )
    .option("--force <why>", "take the application's lock whoever holds it (journaled with who and why)")
    .addHelpText(
      "after",
      `\nExamples:\n  drctl ${name} run --runbook ${name}.yaml              the plan only\n  drctl ${name} run --runbook ${name}.yaml --execute${failback ? "\n  drctl failback run --from RUN --execute             undo a recorded failover run" : ""}`,
    )
    .action((flags: Source & { execute?: boolean; waitForApproval?: boolean; force?: string }) =>
      withContext(async (ctx) => {
        const { loaded, undoes, generated, notes, events } = await resolveSource(ctx, flags, `${name} run`);
        if (generated) ctx.progress(`generated ${generated} from the journal of ${undoes ?? ""}`);
        for (const n of notes) ctx.progress(n);
        return runOrResume(ctx, loaded, flags.execute ?? false, {
          ...(undoes ? { undoes } : {}),
          ...(events ? { events } : {}),
          ...(flags.waitForApproval ? { approvalGate: { message: `start ${loaded.runbook.name}` } } : {}),
          ...(flags.force ? { force: { by: currentUser(), why: flags.force } } : {}),
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

  const runbook = program.command("runbook").description("resume, approve, list or inspect runbook runs");
  runbook
    .command("resume")
    .argument("<run>", "the run id")
    .option("--execute", "really change the world")
    .option(
      "--set <key=value>",
      "other values than the run began with: refused, the run's hash includes them",
      collect,
    )
    .option(
      "--runbook <file>",
      "the runbook: a copy, when the run began where its file is not here (a triggered run in the cloud), or the file edited since; every step that acted must be unchanged (the edit is journaled)",
    )
    .option(
      "--retry-in-doubt <step>",
      "run a step in doubt again (you checked that its effect did not happen, or a repeat is harmless); repeatable",
      collect,
    )
    .option("--force <why>", "take the lock from the process that holds it (journaled with who and why)")
    .description("continue a stopped or crashed run without redoing its completed steps")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl runbook resume run-20261121T101500Z-3fa2 --execute\n  drctl runbook resume RUN --execute --retry-in-doubt announce\n  drctl --store 'dynamodb://drctl-history?region=us-east-1' runbook resume RUN --runbook runbooks/failover.yaml --execute",
    )
    .action(
      (
        runId: string,
        flags: {
          execute?: boolean;
          set?: string[];
          runbook?: string;
          retryInDoubt?: string[];
          force?: string;
        },
      ) =>
        withContext(async (ctx) => {
          const journal = await ctx.journal();
          const run = await journal.run(runId);
          if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
          if (run.status === "succeeded") {
            ctx.result(
              () => `run ${runId} has succeeded: nothing to resume (drctl runbook status ${runId})`,
              () => ({ version: 1, run }),
            );
            return EXIT.ok;
          }
          // The run's own --set values unless others are given (then the hash check refuses them).
          const loaded = loadRunbook(
            STEP_KINDS,
            flags.runbook ?? run.file,
            flags.set ? parseSets(flags.set) : run.set,
          );
          return runOrResume(ctx, loaded, flags.execute ?? false, {
            resumeRunId: runId,
            ...(flags.retryInDoubt ? { retryInDoubt: flags.retryInDoubt } : {}),
            ...(flags.force ? { force: { by: currentUser(), why: flags.force } } : {}),
          });
        }),
    );
  runbook
    .command("approve")
    .argument("<run>", "the run id")
    .argument("<step>", "the approval step's id, or a step in doubt")
    .option("--by <name>", "who approves (default: the current user)")
    .option("--done", "for a step in doubt: its effect happened, go on without running it again")
    .description(
      "approve a waiting approval step of a run; for a step in doubt, decide: run it again (default) or --done",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  drctl runbook approve RUN approve-start --by alice\n  drctl runbook approve RUN announce --done        the message did go out\n  drctl runbook approve RUN announce               send it again",
    )
    .action((runId: string, stepId: string, flags: { by?: string; done?: boolean }) =>
      withContext(async (ctx) => {
        const by = flags.by ?? currentUser();
        const journal = await ctx.journal();
        const said = await approve(journal, runId, stepId, by, flags.done ?? false);
        ctx.result(
          () => said,
          () => ({ version: 1, runId, stepId, by, ...(flags.done ? { decision: "done" } : {}) }),
        );
        return EXIT.ok;
      }),
    );
  runbook
    .command("status")
    .argument("<run>", "the run id")
    .description(
      "the run's timeline: each step's status and duration, the elapsed time against the RTO, the critical path, what happened to the run",
    )
    .action((runId: string) =>
      withContext(async (ctx) => {
        const journal = await ctx.journal();
        const run = await journal.run(runId);
        if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
        const steps = await journal.steps(runId);
        const events = await journal.events(runId);
        const lock = await journal.lockOf(run.application);
        // A run started elsewhere (in the cloud) has its runbook file there: no dependencies here.
        let specs: Parameters<typeof criticalPath>[0] = steps.map((s) => ({ id: s.stepId, after: [] }));
        let rto: number | undefined;
        try {
          const loaded = runbookOfRun(STEP_KINDS, run, steps);
          specs = loaded.runbook.steps;
          rto = loaded.runbook.rtoMinutes;
        } catch {
          ctx.progress(`(${run.file} is not readable here: the critical path ignores dependencies)`);
        }
        ctx.result(
          () =>
            [
              `${printable(run.runbook)} run ${run.runId}: ${run.status}`,
              formatTimeline(run, steps, specs, rto, printable),
              ...(lock?.runId === run.runId ? [`lock: ${printable(describeHolder(lock))}`] : []),
              ...events.map((e) => `  ${e.at}  ${printable(e.what)}`),
              ...nextSteps(run),
            ].join("\n"),
          () => ({
            version: 1,
            run,
            steps: publicSteps(STEP_KINDS, steps),
            events,
            lock: lock?.runId === run.runId ? lock : null,
          }),
        );
        return run.status === "succeeded" ? EXIT.ok : EXIT.findings;
      }),
    );
  runbook
    .command("list")
    .description("runs, newest first: application, status, start, and who holds the lock with its lease")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl runbook list\n  drctl --store 'dynamodb://drctl-history?region=us-east-1' runbook list --json",
    )
    .action(() =>
      withContext(async (ctx) => {
        const journal = await ctx.journal();
        const runs = await journal.runs();
        const locks = await journal.locks();
        const lockOf = (r: RunRecord): LockRecord | undefined => locks.find((l) => l.runId === r.runId);
        ctx.result(
          () => formatList(runs, lockOf),
          () => ({ version: 1, runs: runs.map((r) => ({ ...r, lock: lockOf(r) ?? null })) }),
        );
        return EXIT.ok;
      }),
    );
}

function formatList(runs: RunRecord[], lockOf: (r: RunRecord) => LockRecord | undefined): string {
  if (runs.length === 0) return "no runs in the journal";
  const rows = runs.map((r) => {
    const l = lockOf(r);
    const lock = !l
      ? "-"
      : l.owner
        ? `pid ${l.owner.pid} on ${l.owner.host}, ${l.leaseUntil !== null && l.leaseUntil > Date.now() ? `lease until ${new Date(l.leaseUntil).toISOString()}` : "lease ended (no process runs it)"}`
        : `${l.holder || "unknown holder"}, no lease`;
    return [r.runId, r.application, r.status, r.startedAt, lock].map((c) => printable(c));
  });
  const head = ["RUN", "APPLICATION", "STATUS", "STARTED", "LOCK"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [head, ...rows]
    .map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join("  "))
    .join("\n");
}

/** What a person does next with a run that did not succeed. */
function nextSteps(run: RunRecord): string[] {
  if (run.status === "succeeded") return [];
  return [
    `resume with: drctl runbook resume ${run.runId} --execute`,
    ...(run.status === "waiting" ? [] : [`or undo what it changed: drctl failback plan --from ${run.runId}`]),
  ];
}

/**
 * Records an approval (an approval gate the run waits at) or a decision (a step in doubt).
 * Anything else is refused with exit 2: a step that is no gate, a run that does not wait on it.
 */
async function approve(
  journal: Journal,
  runId: string,
  stepId: string,
  by: string,
  done: boolean,
): Promise<string> {
  const run = await journal.run(runId);
  if (!run) throw new InputError(`no run ${runId} in the ${journal.description}`);
  const steps = await journal.steps(runId);
  const step = steps.find((s) => s.stepId === stepId);
  if (!step)
    throw new InputError(
      `run ${runId} has no step ${stepId} (its steps: ${steps.map((s) => s.stepId).join(", ")})`,
    );
  if (run.status === "succeeded")
    throw new InputError(`run ${runId} has succeeded: nothing in it waits for approval`);
  if (step.status === "in-doubt") {
    const intentAt = step.intent?.at ?? step.startedAt ?? "";
    await journal.decide(runId, stepId, intentAt, done ? "done" : "redo", by);
    return done
      ? `decided by ${by}: ${stepId} of ${runId} happened; resuming goes on without running it again`
      : `decided by ${by}: ${stepId} of ${runId} runs again when the run resumes`;
  }
  if (done) throw new InputError(`--done decides a step in doubt; ${stepId} of ${runId} is ${step.status}`);
  const kindOf = (s: StepRecord) => s.kind ?? (s.stepId === START_GATE ? STEP_KINDS.gate : undefined);
  let kind = kindOf(step);
  if (!kind)
    try {
      kind = loadRunbook(STEP_KINDS, run.file, run.set).runbook.steps.find((s) => s.id === stepId)?.kind;
    } catch {
      // The runbook is elsewhere: the journal of an older drctl does not say; refused below.
    }
  const isGate = (k: string | undefined) => STEP_KINDS.get(k ?? "")?.gate === true;
  const gates = steps.filter((s) => isGate(kindOf(s)));
  if (!isGate(kind))
    throw new InputError(
      `${stepId} is ${kind ? `a ${kind} step` : "a step of unknown kind"}, not an approval gate (this run's gates: ${gates.map((g) => g.stepId).join(", ") || "none"})`,
    );
  if (step.status === "succeeded" || step.status === "skipped")
    throw new InputError(`${stepId} of ${runId} is ${step.status}: the run does not wait on it`);
  // A gate between two turns of the cloud workflow is pending again, having started: it waits.
  if (step.status === "pending" && step.startedAt === null)
    throw new InputError(
      `run ${runId} does not wait on ${stepId} yet (the run has not reached it); approve it once it does`,
    );
  await journal.approve(runId, stepId, by);
  const given = await journal.approval(runId, stepId);
  return given && given.by !== by
    ? `${stepId} of ${runId} was already approved by ${given.by} at ${given.at}`
    : `approved ${stepId} of ${runId} as ${by}`;
}

export async function runOrResume(
  ctx: CommandContext,
  loaded: LoadedRunbook,
  execute: boolean,
  run: Pick<RunOptions, "resumeRunId" | "undoes" | "retryInDoubt" | "force"> & {
    approvalGate?: ApprovalGate;
    /** Journaled on a new run as soon as it starts. */
    events?: string[];
  },
): Promise<number> {
  const aws = await ctx.aws();
  if (!execute) {
    const steps = await planRunbook(aws, loaded);
    ctx.result(
      () =>
        `plan of ${printable(loaded.runbook.name)}:\n${formatPlan(steps)}${planVerdict(steps)}\ndry run: nothing was changed; add --execute to run it`,
      () => ({ version: 1, dryRun: true, steps, problems: planProblems(steps) }),
    );
    return planExit(steps);
  }
  ensurePrivateDir(drctlHome());
  const journal = await ctx.journal();
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
  // SIGINT/SIGTERM: stop at the next safe point and say how to go on; a second one ends the process.
  const interrupt = new AbortController();
  let runId = run.resumeRunId ?? "";
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new Error(signal));
    const line = `${signal}: stopping ${runId || "the run"} at the next safe point (a second ${signal} stops at once; the journal has what ran)`;
    if (tasks) tasks.log(line);
    else ctx.progress(line);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const say = (line: string) => (tasks ? tasks.log(line) : ctx.progress(line));
  if (run.resumeRunId)
    say(`resuming run ${run.resumeRunId}: drctl runbook status ${run.resumeRunId} shows where it is`);
  tasks?.start();
  let result: RunResult;
  const { events, ...options } = run;
  try {
    result = await executeRunbook(aws, journal, loaded, {
      ...options,
      interrupt: interrupt.signal,
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
    });
  } finally {
    tasks?.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
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
