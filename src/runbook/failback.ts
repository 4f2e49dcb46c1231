import { join } from "node:path";
import { stringify } from "yaml";
import { InputError } from "../errors.js";
import { ensurePrivateDir, writeFileAtomic } from "../util/files.js";
import { checkDag } from "./dag.js";
import { runbookEdit, START_GATE } from "./edits.js";
import type { RunRecord, StepRecord } from "./journal.js";
import { loadRunbook, type LoadedRunbook } from "./load.js";
import { STEP_KINDS } from "./registry.js";
import { escapeReferences } from "./resolve.js";
import type { Runbook, StepSpec } from "./schema.js";

/**
 * The runbook a recorded run ran: its own file, or `copy` (a run started elsewhere, a file since
 * edited), with the run's --set values. A text edited since the run is taken when every step
 * that acted is unchanged (`edited` says what changed); otherwise it is refused, naming the step.
 */
export function runbookOfRun(
  run: RunRecord,
  records: StepRecord[],
  copy?: string,
): LoadedRunbook & { edited?: string } {
  const file = copy ?? run.file;
  let loaded: LoadedRunbook;
  try {
    loaded = loadRunbook(file, run.set);
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
  const specs = new Map(runbook.steps.map((s) => [s.id, s]));
  /** Original step id -> the ids of its undo steps, in order. */
  const undoIds = new Map<string, string[]>();
  const steps: Spec[] = [];
  const manual: string[] = [];

  for (const spec of runbook.steps) {
    const record = byId.get(spec.id);
    if (record?.status !== "succeeded") continue;
    const kind = STEP_KINDS.get(spec.kind);
    const region = spec.region ?? runbook.region;
    // Recorded values are literal text in the failback: "${" in them is escaped, never resolved.
    const outputs = Object.fromEntries(
      Object.entries(record.outputs).map(([k, v]) => [k, escapeReferences(v)]),
    );
    // The inputs as journaled are runbook text already (${ssm:...} references kept).
    const parsed = kind && record.inputs ? kind.params.safeParse(record.inputs) : undefined;
    const inputs = parsed?.success ? parsed.data : record.inputs;
    const inverse = kind?.inverse && inputs ? kind.inverse(inputs, outputs, region) : undefined;
    const undo = inverse ?? [
      {
        kind: "approval",
        params: {
          message: escapeReferences(
            `undo "${spec.id}" (${spec.kind}) by hand, then approve: it did ${record.plan ?? "(no plan recorded)"}`,
          ),
        },
      },
    ];
    if (!inverse) manual.push(spec.id);
    const ids: string[] = [];
    for (const u of undo) {
      const id = undo.length === 1 ? `undo-${spec.id}` : `undo-${spec.id}-${u.suffix ?? ids.length + 1}`;
      steps.push({
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
    undoIds.set(spec.id, ids);
  }

  // Values re-derived from an undo's output, and the dependency that comes with it.
  const derivedFrom = new Map<string, Set<string>>();
  for (const step of steps.filter((s) => s.kind === "ssm.put-parameters")) {
    const original = specs.get(step.id.replace(/^undo-/, ""));
    const raw = (original?.params.parameters ?? {}) as Record<string, unknown>;
    const values = step.params.parameters as Record<string, string | { value: string }>;
    for (const name of Object.keys(raw)) {
      const m = REFERENCE.exec(String(raw[name]));
      const last = m ? undoIds.get(m[1] as string)?.at(-1) : undefined;
      const lastKind = last ? STEP_KINDS.get(steps.find((s) => s.id === last)?.kind ?? "") : undefined;
      const firstKind = m ? STEP_KINDS.get(specs.get(m[1] as string)?.kind ?? "") : undefined;
      const key = m?.[2] ?? "";
      if (!last || !firstKind?.establishes?.includes(key) || !lastKind?.establishes?.includes(key)) continue;
      const derived = `\${steps.${last}.outputs.${key}}`;
      const was = values[name];
      values[name] = was && typeof was === "object" ? { ...was, value: derived } : derived;
      step.params.remove = ((step.params.remove as string[] | undefined) ?? []).filter((n) => n !== name);
      step.after.push(last);
      derivedFrom.set(step.id, (derivedFrom.get(step.id) ?? new Set()).add(m?.[1] ?? ""));
    }
  }

  // Reverse order: an undo runs after the undos of the steps that ran after its step.
  const downstreamUndos = (id: string, seen = new Set<string>()): string[] =>
    runbook.steps
      .filter((s) => s.after.includes(id) && !seen.has(s.id) && seen.add(s.id))
      .flatMap((s) =>
        undoIds.get(s.id)?.length ? [undoIds.get(s.id)?.at(-1) as string] : downstreamUndos(s.id, seen),
      );
  for (const [id, ids] of undoIds) {
    const first = steps.find((s) => s.id === ids[0]);
    if (!first) continue;
    for (const dep of downstreamUndos(id)) {
      // A re-derived value reverses the order between the two: the value's source comes first.
      if (derivedFrom.get(dep)?.has(id)) continue;
      if (!first.after.includes(dep)) first.after.push(dep);
    }
  }
  const restored = restoreReplication(loaded, byId, undoIds, steps);
  const generated: Runbook = {
    version: 1,
    name: `failback of ${runbook.name}`,
    description: [
      `Generated from run ${run.runId} of ${loaded.file} (started ${run.startedAt}, ${run.status}).`,
      manual.length ? `Undone by hand (approval gates): ${manual.join(", ")}.` : "",
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
    steps: steps as StepSpec[],
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

/**
 * The undo of a promotion that promotes a database in another region (rds.promote-read-replica's
 * inverse), unless the failback already replicates it out of that region again.
 */
function promotedBack(
  region: string,
  undoIds: readonly string[],
  steps: readonly Spec[],
): { step: Spec; region: string } | undefined {
  const step = undoIds
    .map((id) => steps.find((s) => s.id === id))
    .filter((s): s is Spec => s?.kind === "rds.promote-read-replica")
    .at(-1);
  if (!step) return undefined;
  const at = step.region ?? region;
  const source = `\${steps.${step.id}.outputs.arn}`;
  const replicated = steps.some(
    (s) => s.kind === "rds.create-read-replica" && s.params.source === source && (s.region ?? region) !== at,
  );
  return replicated ? undefined : { step, region: at };
}

/** The steps of a DAG no other step runs after: the ends of the run. */
const sinks = (steps: readonly Spec[]) =>
  steps.filter((s) => !steps.some((o) => o.after.includes(s.id))).map((s) => s.id);

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
  const { runbook } = loaded;
  const said: string[] = [];
  for (const spec of runbook.steps) {
    if (spec.kind !== "rds.promote-read-replica" || records.get(spec.id)?.status !== "succeeded") continue;
    const standbyRegion = spec.region ?? runbook.region;
    const back = promotedBack(runbook.region, undoIds.get(spec.id) ?? [], steps);
    if (!back || back.region === standbyRegion) continue;
    const source = `\${steps.${back.step.id}.outputs.arn}`;
    const backRegion = back.region;
    const promoted = back.step.params.instance;
    const old = records.get(spec.id)?.inputs?.instance;
    const id = `restore-dr-${spec.id}`;
    const common = {
      id,
      after: sinks(steps),
      timeoutSeconds: Math.max(spec.timeoutSeconds, 7200),
      retries: 0,
      onFailure: "stop" as const,
    };
    if (typeof old === "string" && typeof promoted === "string") {
      const name = nextReplicaName(old);
      steps.push({
        ...common,
        kind: "rds.create-read-replica",
        ...(standbyRegion !== runbook.region ? { region: standbyRegion } : {}),
        params: { instance: name, source },
      });
      said.push(
        `DR is restored by ${id}: ${name} in ${standbyRegion} replicates ${promoted} (${old} there, promoted by the failover, stands alone: point the failover runbook at ${name}).`,
      );
      continue;
    }
    steps.push({
      ...common,
      kind: "approval",
      params: {
        message: escapeReferences(
          `DR is not restored: the database ${back.step.id} promotes in ${backRegion} has no replica in ${standbyRegion}. Create a read replica of it there (aws rds create-db-instance-read-replica in ${standbyRegion}, its source the ARN ${back.step.id} printed), then approve`,
        ),
      },
    });
    said.push(`DR is not restored by this failback: ${id} says what to run.`);
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
