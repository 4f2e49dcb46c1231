import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { parseYamlWithSchema } from "../config/load.js";
import { ConfigError, InputError } from "../errors.js";
import { runbookProblems, type Problem, type YamlPath } from "./check.js";
import { checkDag } from "./dag.js";
import type { StepKinds } from "./kinds.js";
import { referencesIn } from "./resolve.js";
import { runbookSchema, type Runbook, type StepSpec } from "./schema.js";

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** sha256 of the file's text (and the --set values): a run refuses to resume with a runbook that changed. */
  hash: string;
  /** The --set values (or a trigger's set:) over the runbook's config. */
  set: Record<string, string | number | boolean>;
  /**
   * Each step's fingerprint: what it does as this text says it (kind, region, parameters, the
   * config values they use, after:, timeout, retries, onFailure). The journal keeps it with each
   * step, so a run resumes with an edited runbook when no step that acted was changed. Absent
   * for a runbook made in code (a drill's fault): its run resumes only with the same hash.
   */
  fingerprints?: Record<string, string>;
  /** The step kinds it was checked against, and that plan, run and undo its steps. */
  kinds: StepKinds;
  /**
   * "file:line" of a path in its text (a step's parameter found wrong once resolved); absent for
   * a runbook made in code.
   */
  lineOf?(path: YamlPath): string;
}

/** Where the key a path ends with is written (an unknown key is pointed at, not its value). */
function keyOffset(doc: Document, path: YamlPath): number | undefined {
  const key = path.at(-1);
  if (typeof key !== "string") return undefined;
  const map = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
  return pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
}

/** Line and column of a path in the YAML text (the nearest existing ancestor). */
function positionOf(text: string, problem: Problem): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const atKey = problem.atKey ? keyOffset(doc, problem.path) : undefined;
  let offset = atKey ?? 0;
  for (let depth = atKey === undefined ? problem.path.length : -1; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(problem.path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      offset = range[0];
      break;
    }
  }
  return lines.linePos(offset);
}

/** file:line:column of a problem in the YAML text. */
function configError(text: string, file: string, problem: Problem): ConfigError {
  const pos = positionOf(text, problem);
  return new ConfigError(file, pos.line, pos.col, problem.message);
}

/** JSON with object keys sorted: the same value is the same text, whatever order it was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** A step's fingerprint (see LoadedRunbook.fingerprints). */
export function stepFingerprint(runbook: Runbook, step: StepSpec): string {
  const used = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      for (const r of referencesIn(v).references) if ("config" in r) used.add(r.config);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(step.params);
  const config = Object.fromEntries([...used].map((k) => [k, runbook.config[k] ?? null]));
  const what = {
    kind: step.kind,
    region: step.region ?? runbook.region,
    params: step.params,
    config,
    after: [...step.after].sort(),
    timeoutSeconds: step.timeoutSeconds,
    retries: step.retries,
    onFailure: step.onFailure,
  };
  return createHash("sha256").update(canonical(what)).digest("hex");
}

/**
 * Reads and validates a runbook file: its schema, its step graph, each step's kind and literal
 * parameters, and every reference (steps, outputs, config keys) before anything is planned; every
 * error names file:line:column and what was expected.
 */
export function loadRunbook(
  kinds: StepKinds,
  file: string,
  overrides: Record<string, string | number | boolean> = {},
): LoadedRunbook {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read runbook ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseYamlWithSchema(text, file, runbookSchema);
  const dag = checkDag(parsed.steps).map((p): Problem => ({
    path: ["steps", p.stepIndex, p.field] as YamlPath,
    message: `steps[${p.stepIndex}].${p.field}: ${p.message}`,
  }));
  if (dag[0]) throw configError(text, file, dag[0]);
  // A value for a key the runbook does not have would be ignored (a typo promoting the default database).
  const unknown = Object.keys(overrides).filter((k) => !(k in parsed.config));
  if (unknown.length > 0)
    throw new InputError(
      `${file}: no config key ${unknown.map((k) => `"${k}"`).join(", ")} to set (the runbook's config: keys are ${Object.keys(parsed.config).join(", ") || "none"})`,
    );
  const runbook = { ...parsed, config: { ...parsed.config, ...overrides } };
  const problem = runbookProblems(runbook, kinds)[0];
  if (problem) throw configError(text, file, problem);
  // Overrides are part of what a run means: resuming with other values is refused like an edited file.
  const hash = createHash("sha256").update(text);
  if (Object.keys(overrides).length > 0) hash.update(JSON.stringify(Object.entries(overrides).sort()));
  return {
    runbook,
    file,
    hash: hash.digest("hex"),
    set: overrides,
    kinds,
    fingerprints: Object.fromEntries(runbook.steps.map((s) => [s.id, stepFingerprint(runbook, s)])),
    lineOf: (path) => `${file}:${positionOf(text, { path, message: "" }).line}`,
  };
}
