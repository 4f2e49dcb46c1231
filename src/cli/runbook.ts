import type { Command } from "commander";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { STEP_KINDS } from "../catalog.js";
import { EXIT, InputError } from "../errors.js";
import { drctlHome } from "../history/open.js";
import type { criticalPath } from "../runbook/dag.js";
import { planProblems, planRunbook, publicSteps, START_GATE } from "../runbook/engine.js";
import { generateFailback, runbookOfRun, writeFailback } from "../runbook/failback.js";
import { describeHolder, type LockRecord, type RunRecord } from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { formatTimeline } from "../runbook/timeline.js";
import { printable } from "../util/printable.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { approve } from "./runbook-approve.js";
import { formatList, formatPlan, nextSteps, planExit, planVerdict } from "./runbook-format.js";
import { runOrResume } from "./runbook-run.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;

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
  addPlanAndRun(program.command("failover").description(COMMAND_DESCRIPTIONS.failover), withContext, false);
  addPlanAndRun(program.command("failback").description(COMMAND_DESCRIPTIONS.failback), withContext, true);

  const runbook = program.command("runbook").description(COMMAND_DESCRIPTIONS.runbook);
  registerResume(runbook, withContext);
  registerApprove(runbook, withContext);
  registerStatus(runbook, withContext);
  registerList(runbook, withContext);
}

/** drctl runbook resume RUN: goes on with a stopped or crashed run. */
function registerResume(runbook: Command, withContext: WithContext): void {
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
}

/** drctl runbook approve RUN STEP: an approval, or a decision on a step in doubt. */
function registerApprove(runbook: Command, withContext: WithContext): void {
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
}

/** drctl runbook status RUN: the run's timeline, lock and events. */
function registerStatus(runbook: Command, withContext: WithContext): void {
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
}

/** drctl runbook list: the runs, newest first, with their locks. */
function registerList(runbook: Command, withContext: WithContext): void {
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
