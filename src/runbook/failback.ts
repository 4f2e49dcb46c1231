import { join } from "node:path";
import { stringify } from "yaml";
import { InputError } from "../errors.js";
import { ensurePrivateDir, writeFileAtomic } from "../util/files.js";
import { checkDag } from "./dag.js";
import { runbookEdit, START_GATE } from "./edits.js";
import type { RunRecord, StepRecord } from "./journal.js";
import { loadRunbook, type LoadedRunbook } from "./load.js";
import type { StepKinds } from "./kinds.js";
import { escapeReferences } from "./resolve.js";
import type { Runbook, StepSpec } from "./schema.js";

/**
 * The runbook a recorded run ran: its own file, or `copy` (a run started elsewhere, a file since
 * edited), with the run's --set values. A text edited since the run is taken when every step
 * that acted is unchanged (`edited` says what changed); otherwise it is refused, naming the step.
 */
export function runbookOfRun(
  kinds: StepKinds,
  run: RunRecord,
  records: StepRecord[],
  copy?: string,
): LoadedRunbook & { edited?: string } {
  const file = copy ?? run.file;
  let loaded: LoadedRunbook;
  try {
    loaded = loadRunbook(kinds, file, run.set);
  } catch (err) {
    if (copy || !(err instanceof InputError) || !/cannot read runbook/.test(err.message)) throw err;
    throw new InputError(
      `${err.message}; run ${run.runId} began from ${run.file}: give --runbook COPY, a copy of that text`,
      { cause: err },
    );
  }
  let edited: string | undefined;
  try {
    edited = runbookEdit(loaded, run, records);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    throw new InputError(`${err.message}; or give --runbook COPY, a copy of the text the run used`, {
      cause: err,
    });
  }
  return edited ? { ...loaded, edited } : loaded;
}

type Spec = Omit<StepSpec, "params"> & { params: Record<string, unknown> };

const REFERENCE = /^\$\{steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)\}$/;

/** The failback being made: its steps, and the ids of each original step's undo steps, in order. */
interface Undos {
  steps: Spec[];
  /** Original step id -> the ids of its undo steps, in order. */
  ids: Map<string, string[]>;
  /** The steps a person undoes (an approval gate each). */
  manual: string[];
}

/** A succeeded step's undo: its kind's inverse() of what the journal kept, or a gate where a person undoes it. */
function undoOf(loaded: LoadedRunbook, spec: StepSpec, record: StepRecord) {
  const kind = loaded.kinds.get(spec.kind);
  const region = spec.region ?? loaded.runbook.region;
  // Recorded values are literal text in the failback: "${" in them is escaped, never resolved.
  const outputs = Object.fromEntries(
    Object.entries(record.outputs).map(([k, v]) => [k, escapeReferences(v)]),
  );
  // The inputs as journaled are runbook text already (${ssm:...} references kept).
  const parsed = kind && record.inputs ? kind.params.safeParse(record.inputs) : undefined;
  const inputs = parsed?.success ? parsed.data : record.inputs;
  const inverse = kind?.inverse && inputs ? kind.inverse(inputs, outputs, region) : undefined;
  if (inverse) return { steps: inverse, manual: false };
  const message = `undo "${spec.id}" (${spec.kind}) by hand, then approve: it did ${record.plan ?? "(no plan recorded)"}`;
  return {
    steps: [{ kind: loaded.kinds.gate, params: { message: escapeReferences(message) } }],
    manual: true,
  };
}

/** Each succeeded step's undo steps, one after the other, in the runbook's order. */
function undoSteps(loaded: LoadedRunbook, byId: ReadonlyMap<string, StepRecord>): Undos {
  const { runbook } = loaded;
  const undos: Undos = { steps: [], ids: new Map(), manual: [] };
  for (const spec of runbook.steps) {
    const record = byId.get(spec.id);
    if (record?.status !== "succeeded") continue;
    const undo = undoOf(loaded, spec, record);
    if (undo.manual) undos.manual.push(spec.id);
    const ids: string[] = [];
    for (const u of undo.steps) {
      const id =
        undo.steps.length === 1 ? `undo-${spec.id}` : `undo-${spec.id}-${u.suffix ?? ids.length + 1}`;
      undos.steps.push({
        id,
        kind: u.kind,
        ...(u.region && u.region !== runbook.region ? { region: u.region } : {}),
        params: u.params,
        after: ids.length ? [ids[ids.length - 1] as string] : [],
        timeoutSeconds: spec.timeoutSeconds,
        retries: spec.retries,
        onFailure: "stop",
      });
      ids.push(id);
    }
    undos.ids.set(spec.id, ids);
  }
  return undos;
}

/**
 * Values an undo takes again from an undo's output (the endpoint of the database promoted back),
 * with the dependency that comes with each; returns undo step id -> the original steps whose
 * undos it takes values from.
 */
function retakeValues(loaded: LoadedRunbook, undos: Undos): Map<string, Set<string>> {
  const { kinds } = loaded;
  const specs = new Map(loaded.runbook.steps.map((s) => [s.id, s]));
  const derivedFrom = new Map<string, Set<string>>();
  for (const step of undos.steps) {
    const kind = kinds.get(step.kind);
    const original = specs.get(step.id.replace(/^undo-/, ""));
    if (!kind?.retake || !original) continue;
    kind.retake(step.params, original.params, (value) => {
      const m = REFERENCE.exec(String(value));
      const last = m ? undos.ids.get(m[1] as string)?.at(-1) : undefined;
      const lastKind = last ? kinds.get(undos.steps.find((s) => s.id === last)?.kind ?? "") : undefined;
      const firstKind = m ? kinds.get(specs.get(m[1] as string)?.kind ?? "") : undefined;
      const key = m?.[2] ?? "";
      if (!last || !firstKind?.establishes?.includes(key) || !lastKind?.establishes?.includes(key))
        return undefined;
      step.after.push(last);
      derivedFrom.set(step.id, (derivedFrom.get(step.id) ?? new Set()).add(m?.[1] ?? ""));
      return `\${steps.${last}.outputs.${key}}`;
    });
  }
  return derivedFrom;
}

/** Reverse order: an undo runs after the undos of the steps that ran after its step. */
function reverseOrder(runbook: Runbook, undos: Undos, derivedFrom: ReadonlyMap<string, Set<string>>): void {
  const downstreamUndos = (id: string, seen = new Set<string>()): string[] =>
    runbook.steps
      .filter((s) => s.after.includes(id) && !seen.has(s.id) && seen.add(s.id))
      .flatMap((s) =>
        undos.ids.get(s.id)?.length ? [undos.ids.get(s.id)?.at(-1) as string] : downstreamUndos(s.id, seen),
      );
  for (const [id, ids] of undos.ids) {
    const first = undos.steps.find((s) => s.id === ids[0]);
    if (!first) continue;
    for (const dep of downstreamUndos(id)) {
      // A re-derived value reverses the order between the two: the value's source comes first.
      if (derivedFrom.get(dep)?.has(id)) continue;
      if (!first.after.includes(dep)) first.after.push(dep);
    }
  }
}

/**
 * The failback of a recorded run: each succeeded step's undo (its kind's inverse(), fed the
 * parameters and outputs the journal kept), in the reverse order of the failover. A step a
 * person has to undo becomes an approval gate. A parameter value the failover took from a step's
 * output (the promoted database's endpoint) is taken from the same output of that step's undo.
 */
export function generateFailback(
  loaded: LoadedRunbook,
  run: RunRecord,
  records: StepRecord[],
): { runbook: Runbook; unmatched: string[] } {
  const { runbook } = loaded;
  const known = new Set(runbook.steps.map((s) => s.id));
  const unmatched = records.map((r) => r.stepId).filter((id) => id !== START_GATE && !known.has(id));
  const byId = new Map(records.map((r) => [r.stepId, r]));
  const undos = undoSteps(loaded, byId);
  reverseOrder(runbook, undos, retakeValues(loaded, undos));
  const restored = restoreReplication(loaded, byId, undos.ids, undos.steps);
  const generated: Runbook = {
    version: 1,
    name: `failback of ${runbook.name}`,
    description: [
      `Generated from run ${run.runId} of ${loaded.file} (started ${run.startedAt}, ${run.status}).`,
      undos.manual.length ? `Undone by hand (approval gates): ${undos.manual.join(", ")}.` : "",
      ...restored,
      unmatched.length
        ? `Journal steps matching no step of the runbook (not undone): ${unmatched.join(", ")}.`
        : "",
    ]
      .filter(Boolean)
      .join(" "),
    application: runbook.application,
    region: runbook.region,
    // The undo's values are the recorded ones, already resolved.
    config: {},
    ...(runbook.rtoMinutes !== undefined ? { rtoMinutes: runbook.rtoMinutes } : {}),
    steps: undos.steps as StepSpec[],
  };
  if (generated.steps.length === 0)
    throw new InputError(`run ${run.runId} changed nothing that can be undone: no failback to generate`);
  const problems = checkDag(generated.steps);
  if (problems[0])
    throw new InputError(
      `the generated failback of run ${run.runId} is not a valid runbook: ${problems[0].message}`,
    );
  return { runbook: generated, unmatched };
}

/** app-db-replica -> app-db-replica-2, app-db-replica-2 -> app-db-replica-3 (RDS ids end in no hyphen). */
export function nextReplicaName(name: string): string {
  const m = /^(.*)-(\d+)$/.exec(name);
  return m ? `${m[1] ?? ""}-${Number(m[2]) + 1}` : `${name}-2`;
}

/** Whether a step's kind plays `role` in a database's replication (StepKind.replication). */
const plays = (kinds: StepKinds, step: { kind: string } | undefined, role: "promotes" | "replicates") =>
  step !== undefined && kinds.get(step.kind)?.replication === role;

/**
 * The undo of a promotion that promotes a database in another region (the promoting kind's
 * inverse), unless the failback already replicates it out of that region again.
 */
function promotedBack(
  kinds: StepKinds,
  region: string,
  undoIds: readonly string[],
  steps: readonly Spec[],
): { step: Spec; region: string } | undefined {
  const step = undoIds
    .map((id) => steps.find((s) => s.id === id))
    .filter((s): s is Spec => plays(kinds, s, "promotes"))
    .at(-1);
  if (!step) return undefined;
  const at = step.region ?? region;
  const source = `\${steps.${step.id}.outputs.arn}`;
  const replicated = steps.some(
    (s) => plays(kinds, s, "replicates") && s.params.source === source && (s.region ?? region) !== at,
  );
  return replicated ? undefined : { step, region: at };
}

/** The steps of a DAG no other step runs after: the ends of the run. */
const sinks = (steps: readonly Spec[]) =>
  steps.filter((s) => !steps.some((o) => o.after.includes(s.id))).map((s) => s.id);

/**
 * The step that restores DR after `spec`'s promotion was undone by `back`: a replica of the
 * database promoted back, in the standby region, or an approval saying what to run when its name
 * (or a kind that replicates) is not known. Returns the step and what the description says.
 */
function restoreStep(
  loaded: LoadedRunbook,
  spec: StepSpec,
  record: StepRecord | undefined,
  back: { step: Spec; region: string },
  after: string[],
): { step: Spec; said: string } {
  const { runbook, kinds } = loaded;
  const standbyRegion = spec.region ?? runbook.region;
  const source = `\${steps.${back.step.id}.outputs.arn}`;
  const promoted = back.step.params.instance;
  const old = record?.inputs?.instance;
  const id = `restore-dr-${spec.id}`;
  const common = {
    id,
    after,
    timeoutSeconds: Math.max(spec.timeoutSeconds, 7200),
    retries: 0,
    onFailure: "stop" as const,
  };
  const replicates = kinds.replicating("replicates");
  if (typeof old === "string" && typeof promoted === "string" && replicates) {
    const name = nextReplicaName(old);
    return {
      step: {
        ...common,
        kind: replicates,
        ...(standbyRegion !== runbook.region ? { region: standbyRegion } : {}),
        params: { instance: name, source },
      },
      said: `DR is restored by ${id}: ${name} in ${standbyRegion} replicates ${promoted} (${old} there, promoted by the failover, stands alone: point the failover runbook at ${name}).`,
    };
  }
  const message = `DR is not restored: the database ${back.step.id} promotes in ${back.region} has no replica in ${standbyRegion}. Create a read replica of it there (aws rds create-db-instance-read-replica in ${standbyRegion}, its source the ARN ${back.step.id} printed), then approve`;
  return {
    step: { ...common, kind: kinds.gate, params: { message: escapeReferences(message) } },
    said: `DR is not restored by this failback: ${id} says what to run.`,
  };
}

/**
 * A failback that promotes a database back leaves it with no replica anywhere: the standby
 * replica the failover promoted stands alone. For each such database, the failback ends with a
 * step that creates a replica of it in the standby region again (under a new name: the old one
 * is taken by the database the failover promoted), or, when the name is not known, with an
 * approval that says DR is not restored and what to run. Returns what the description says.
 */
function restoreReplication(
  loaded: LoadedRunbook,
  records: ReadonlyMap<string, StepRecord>,
  undoIds: ReadonlyMap<string, string[]>,
  steps: Spec[],
): string[] {
  const { runbook, kinds } = loaded;
  const said: string[] = [];
  for (const spec of runbook.steps) {
    if (!plays(kinds, spec, "promotes") || records.get(spec.id)?.status !== "succeeded") continue;
    const back = promotedBack(kinds, runbook.region, undoIds.get(spec.id) ?? [], steps);
    if (!back || back.region === (spec.region ?? runbook.region)) continue;
    const restore = restoreStep(loaded, spec, records.get(spec.id), back, sinks(steps));
    steps.push(restore.step);
    said.push(restore.said);
  }
  return said;
}

/** Writes a generated failback where it can be reviewed, edited and resumed: <dir>/failback-<run>.yaml. */
export function writeFailback(dir: string, run: RunRecord, runbook: Runbook): string {
  ensurePrivateDir(dir);
  const file = join(dir, `failback-${run.runId}.yaml`);
  const header = [
    `# Generated by drctl from the journal of run ${run.runId}: review before running with --execute.`,
    "# Recorded values are literal: a ${ in them is written $${. SecureStrings are restored from",
    "# their parameter's history (${ssm:NAME:VERSION}), never copied here.",
    "",
  ].join("\n");
  writeFileAtomic(file, header + stringify(runbook, { lineWidth: 0 }));
  return file;
}
