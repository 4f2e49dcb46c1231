import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { InputError } from "../errors.js";
import { checkDag } from "./dag.js";
import type { RunRecord, StepRecord } from "./journal.js";
import type { LoadedRunbook } from "./load.js";
import { STEP_KINDS } from "./registry.js";
import type { Runbook, StepSpec } from "./schema.js";

type Spec = Omit<StepSpec, "params"> & { params: Record<string, unknown> };

const REFERENCE = /^\$\{steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)\}$/;

/**
 * The failback of a recorded run: each succeeded step's undo (its kind's inverse(), fed the
 * parameters and outputs the journal kept), in the reverse order of the failover. A step a
 * person has to undo becomes an approval gate. A parameter value the failover took from a step's
 * output (the promoted database's endpoint) is taken from the same output of that step's undo.
 */
export function generateFailback(loaded: LoadedRunbook, run: RunRecord, records: StepRecord[]): Runbook {
  const { runbook } = loaded;
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
    const inverse =
      kind?.inverse && record.inputs ? kind.inverse(record.inputs, record.outputs, region) : undefined;
    const undo = inverse ?? [
      {
        kind: "approval",
        params: {
          message: `undo "${spec.id}" (${spec.kind}) by hand, then approve: it did ${record.plan ?? "(no plan recorded)"}`,
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
    const values = step.params.parameters as Record<string, string>;
    for (const name of Object.keys(raw)) {
      const m = REFERENCE.exec(String(raw[name]));
      const last = m ? undoIds.get(m[1] as string)?.at(-1) : undefined;
      const lastKind = last ? STEP_KINDS.get(steps.find((s) => s.id === last)?.kind ?? "") : undefined;
      const firstKind = m ? STEP_KINDS.get(specs.get(m[1] as string)?.kind ?? "") : undefined;
      const key = m?.[2] ?? "";
      if (!last || !firstKind?.establishes?.includes(key) || !lastKind?.establishes?.includes(key)) continue;
      values[name] = `\${steps.${last}.outputs.${key}}`;
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
  const generated: Runbook = {
    version: 1,
    name: `failback of ${runbook.name}`,
    description: [
      `Generated from run ${run.runId} of ${loaded.file} (started ${run.startedAt}, ${run.status}).`,
      manual.length ? `Undone by hand (approval gates): ${manual.join(", ")}.` : "",
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
  return generated;
}

/** Writes a generated failback where it can be reviewed, edited and resumed: <dir>/failback-<run>.yaml. */
export function writeFailback(dir: string, run: RunRecord, runbook: Runbook): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `failback-${run.runId}.yaml`);
  const header = `# Generated by drctl from the journal of run ${run.runId}: review before running with --execute.\n`;
  writeFileSync(file, header + stringify(runbook, { lineWidth: 0 }));
  return file;
}
