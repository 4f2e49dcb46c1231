/**
 * Failover and failback as the plan writes them: the runbook's steps in order, what each does
 * and would change today (its dry run, read from the live state), why a run would refuse one,
 * how long each took in the last drill or run, the approval points, the commands, and each
 * step by hand with the AWS CLI for when drctl is not at hand.
 */
import { isAbsolute, relative, resolve } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import type { DrillPhase } from "../core/drill-result.js";
import { waves } from "../runbook/dag.js";
import { planProblems, planRunbook, type PlannedStep } from "../runbook/engine.js";
import type { StepRecord } from "../runbook/journal.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import { manualSteps } from "../runbook/manual-steps.js";
import type { StepKinds } from "../runbook/kinds.js";
import type { StepSpec } from "../runbook/schema.js";
import type { Fact, Procedure, ProcedureStep } from "../core/plan-result.js";

/**
 * A file named in drctl.yaml (relative to it) as a command typed where drctl runs can name it:
 * relative to the current directory when below it, otherwise absolute.
 */
export function fromHere(configDir: string, file: string): string {
  const path = resolve(configDir, file);
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** A parameter value as a person reads it: ${config.X} filled in, other references said in words. */
export function displayValue(value: unknown, config: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{config\.([A-Za-z0-9_.-]+)\}$/.exec(value);
    if (whole?.[1] !== undefined && whole[1] in config) return config[whole[1]];
    return value
      .replace(/\$\{config\.([A-Za-z0-9_.-]+)\}/g, (m, k: string) => (k in config ? String(config[k]) : m))
      .replace(/\$\{steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)\}/g, "<$2 of step $1>")
      .replace(/\$\{ssm:([^}]+)\}/g, "<SSM parameter $1>");
  }
  if (Array.isArray(value)) return value.map((v) => displayValue(v, config));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayValue(v, config)]));
  return value;
}

/** "group web, min 2, desired 2, max 4": a step's parameters in one line. */
function paramLine(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** Steps in the order a run takes them: wave by wave, each wave in file order. */
function inRunOrder(steps: readonly StepSpec[]): StepSpec[] {
  return waves(steps).flat();
}

export interface Durations {
  /** From the last drill: step id -> seconds. */
  drill?: { phase: DrillPhase; evidence: string };
  /** From the last completed run of the runbook. */
  run?: { steps: StepRecord[]; evidence: string; seconds: number };
}

/**
 * How long a drill's runbook steps took, first start to last end (steps run side by side are not
 * added up); undefined when the drill ran none (no runbook, or it stopped before one).
 */
export function drillSpan(steps: DrillPhase["steps"]): number | undefined {
  if (steps.length === 0) return undefined;
  if (steps.every((s) => s.startSeconds !== undefined)) {
    const start = Math.min(...steps.map((s) => s.startSeconds as number));
    return Math.max(...steps.map((s) => (s.startSeconds as number) + s.seconds)) - start;
  }
  return steps.reduce((n, s) => n + s.seconds, 0);
}

function stepDuration(id: string, d: Durations, command: string): Fact<number> {
  const drilled = d.drill?.phase.steps.find((s) => s.id === id);
  if (drilled) return { value: drilled.seconds, evidence: d.drill?.evidence ?? "" };
  const ran = d.run?.steps.find((s) => s.stepId === id && s.startedAt && s.finishedAt);
  if (ran?.startedAt && ran.finishedAt)
    return {
      value: Math.max(0, (Date.parse(ran.finishedAt) - Date.parse(ran.startedAt)) / 1000),
      evidence: d.run?.evidence ?? "",
    };
  return { value: null, command };
}

/** What `procedureOf` is asked: the runbook, its values, its direction, its timings, the command that measures it. */
export interface ProcedureOptions {
  kinds: StepKinds;
  file: string | undefined;
  configDir: string;
  set: Record<string, string | number | boolean>;
  direction: "failover" | "failback";
  durations: Durations;
  measureCommand: string;
}

type ProcedureOf = { procedure: Procedure; problems: { step: string; problem: string }[]; unread: string[] };

/** A procedure that cannot be written out: why, and the command that would measure it. */
function missingProcedure(options: ProcedureOptions, missing: string): ProcedureOf {
  return {
    procedure: {
      runbook: options.file ?? null,
      name: null,
      missing,
      steps: [],
      commands: [],
      duration: { value: null, command: options.measureCommand },
    },
    problems: [],
    unread: [],
  };
}

/** What a step would change today, from its dry run. */
function changesOf(p: PlannedStep["plan"] | undefined): Fact<string> {
  if (p === undefined) return { value: null };
  if ("error" in p) return { value: `could not be read: ${p.error}`, evidence: "live" };
  return { value: p.changes ? `${p.current} -> ${p.target}` : `${p.current} (already so)`, evidence: "live" };
}

/** The runbook's steps in the order a run takes them, each with its dry run, problem, timing and commands by hand. */
function procedureSteps(
  loaded: LoadedRunbook,
  planned: PlannedStep[],
  options: ProcedureOptions,
): ProcedureStep[] {
  const problems = planProblems(planned);
  const config = loaded.runbook.config;
  const byHand = manualSteps(loaded.runbook, loaded.kinds);
  return inRunOrder(loaded.runbook.steps).map((spec) => {
    const kind = loaded.kinds.get(spec.kind);
    const shown = displayValue(spec.params, config) as Record<string, unknown>;
    const problem = problems.find((x) => x.id === spec.id);
    return {
      id: spec.id,
      kind: spec.kind,
      region: spec.region ?? loaded.runbook.region,
      after: spec.after,
      does: `${kind?.description ?? spec.kind}${Object.keys(shown).length ? ` (${paramLine(shown)})` : ""}`,
      changes: changesOf(planned.find((x) => x.id === spec.id)?.plan),
      ...(problem ? { problem: `${problem.kind}: ${problem.problem}` } : {}),
      duration: stepDuration(spec.id, options.durations, options.measureCommand),
      approval: kind?.gate === true,
      manual: byHand.get(spec.id) ?? [],
    };
  });
}

/** The commands that plan and run it, with its --set values. */
function procedureCommands(options: ProcedureOptions, shown: string): string[] {
  const sets = Object.entries(options.set)
    .map(([k, v]) => ` --set ${k}=${String(v)}`)
    .join("");
  return options.direction === "failover"
    ? [
        `drctl failover plan --runbook ${shown}${sets}`,
        `drctl failover run --runbook ${shown}${sets} --execute`,
        "drctl runbook status RUN   (while it runs; drctl runbook approve RUN STEP at an approval)",
      ]
    : [
        `drctl failback plan --runbook ${shown}${sets}`,
        `drctl failback run --runbook ${shown}${sets} --execute`,
        "drctl failback plan --from FAILOVER-RUN   (the inverse of what a failover run did, from its journal)",
      ];
}

/** How long the whole procedure took: in the last drill (first start to last end), or its last run. */
function wholeDuration(d: Durations, measureCommand: string): Fact<number> {
  const drilled = d.drill && drillSpan(d.drill.phase.steps);
  if (d.drill && drilled !== undefined) return { value: drilled, evidence: d.drill.evidence };
  if (d.run) return { value: d.run.seconds, evidence: d.run.evidence };
  return { value: null, command: measureCommand };
}

/** The failover (or failback) procedure of a runbook file; a file that does not load is said, not thrown. */
export async function procedureOf(aws: AwsClients, options: ProcedureOptions): Promise<ProcedureOf> {
  if (!options.file)
    return missingProcedure(
      options,
      `no ${options.direction} runbook: name one under applications[].runbooks.${options.direction} in drctl.yaml`,
    );
  let loaded: LoadedRunbook;
  try {
    loaded = loadRunbook(options.kinds, resolve(options.configDir, options.file), options.set);
  } catch (err) {
    return missingProcedure(
      options,
      `the runbook does not load: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let planned: PlannedStep[];
  try {
    planned = await planRunbook(aws, loaded);
  } catch (err) {
    // A parameter the kind rejects: the runbook cannot run as written.
    return missingProcedure(
      options,
      `the runbook cannot be planned: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const shown = fromHere(options.configDir, options.file);
  return {
    procedure: {
      runbook: shown,
      name: loaded.runbook.name,
      steps: procedureSteps(loaded, planned, options),
      commands: procedureCommands(options, shown),
      duration: wholeDuration(options.durations, options.measureCommand),
    },
    problems: planProblems(planned).map((x) => ({ step: x.id, problem: `${x.kind}: ${x.problem}` })),
    unread: [],
  };
}
