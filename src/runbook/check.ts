/**
 * What a runbook's text can be checked for before anything is read from AWS, so that a plan is
 * refused rather than a run stopping halfway: each step's kind; its parameters as far as they are
 * written literally (a URL with a password, an unknown key, a number that is not one); the
 * references in them (a step that does not exist or does not run before, an output its kind does
 * not produce, a config key that is not there); and values that would run as code (a reference
 * inside a shell script). Each problem has the YAML path of what it is about, for file:line.
 */
import type { z } from "zod";
import { closest } from "../util/closest.js";
import { ancestors } from "./dag.js";
import type { StepKinds } from "./kinds.js";
import { envNameFor, hasReferences, referencesIn, type Reference } from "./resolve.js";
import type { Runbook, StepSpec } from "./schema.js";
import type { StepKind } from "./step.js";

export type YamlPath = (string | number)[];

export interface Problem {
  /** Where in the file: keys and indexes from the document's root. */
  path: YamlPath;
  message: string;
  /** The problem is the key itself (an unknown one): its line is the key's, not its value's. */
  atKey?: boolean;
}

/** "parameters./app/x" or "run[1]": a parameter path as messages show it. */
export const pathLabel = (path: YamlPath): string =>
  path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    "",
  );

const didYouMean = (name: string, known: readonly string[]) => {
  const near = closest(name, known);
  return near ? ` (did you mean "${near}"?)` : "";
};

/** Every string inside `value`, with its path. */
function stringsIn(value: unknown, path: YamlPath = []): [string, YamlPath][] {
  if (typeof value === "string") return [[value, path]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, [...path, k]));
  return [];
}

const valueAt = (value: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (o, k) => (o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined),
    value,
  );

/** Whether the value at `path` is, or lies inside or around, a reference (then only its resolved value can be checked). */
function dependsOnReference(params: unknown, path: readonly PropertyKey[]): boolean {
  let at: unknown = params;
  for (const key of path) {
    if (typeof at === "string") return hasReferences(at);
    if (!at || typeof at !== "object") return false;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return stringsIn(at).some(([text]) => hasReferences(text));
}

/** The schema inside wrappers (optional, default, a transform's input): what the value is checked against. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  if (def.innerType) return unwrapped(def.innerType);
  if (def.type === "pipe" && def.in) return unwrapped(def.in);
  return schema;
}

/** The keys an object at `path` of a kind's parameters may have (none known: []). */
export function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let at = unwrapped(schema);
  for (const key of path) {
    const def = at._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    const next =
      def.type === "object"
        ? def.shape?.[String(key)]
        : def.type === "array"
          ? def.element
          : def.type === "record"
            ? def.valueType
            : undefined;
    if (!next) return [];
    at = unwrapped(next);
  }
  const shape = (at._zod.def as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** What is wrong with a kind's parameters, one problem per unknown key (at the key), for messages and file:line. */
export function paramIssueProblems(
  kind: StepKind<unknown>,
  params: unknown,
  issue: z.core.$ZodIssue,
): Problem[] {
  const path = issue.path.map((k) => (typeof k === "symbol" ? String(k) : k));
  if (issue.code === "invalid_type" && valueAt(params, issue.path) === undefined)
    return [
      {
        path,
        message: `missing: ${kind.kind} takes ${issue.expected === "object" ? "an object" : `a ${issue.expected}`} here`,
      },
    ];
  if (issue.code !== "unrecognized_keys") return [{ path, message: issue.message }];
  const known = keysAt(kind.params, issue.path);
  const which = path.length === 0 ? "its parameters" : "its keys there";
  return issue.keys.map((k) => {
    const near = closest(k, known);
    return {
      path: [...path, k],
      atKey: true,
      message: `unknown parameter of ${kind.kind}${near ? `; did you mean \`${near}\`?` : ""}${known.length ? ` (${which}: ${known.join(", ")})` : ""}`,
    };
  });
}

/**
 * The parameters checked against the kind where they are written literally: a parameter that is
 * (or holds) a reference is checked when it is resolved, at the plan.
 */
export function literalProblems(kind: StepKind<unknown>, params: unknown): Problem[] {
  let parsed: ReturnType<StepKind<unknown>["params"]["safeParse"]>;
  try {
    parsed = kind.params.safeParse(params);
  } catch {
    // A refinement that cannot take a reference's text: its value is checked when resolved.
    return [];
  }
  if (parsed.success) return [];
  // A misspelt key first: it is why the key it misspells is missing.
  const first = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? 0 : 1);
  return [...parsed.error.issues]
    .sort((a, b) => first(a) - first(b))
    .filter((issue) => issue.code === "unrecognized_keys" || !dependsOnReference(params, issue.path))
    .flatMap((issue) => paramIssueProblems(kind, params, issue));
}

/**
 * The parameters of `kind` that run a process, checked for values that would become code: a
 * reference inside a shell script, or naming the program to run. Paths are under the params.
 */
export function commandProblems(kind: StepKind<unknown>, params: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const name of kind.commands ?? []) {
    const path = name.split(".");
    const value = valueAt(params, path);
    if (typeof value === "string" && hasReferences(value)) {
      const first = referencesIn(value).references[0] as Reference;
      const env = envNameFor(first);
      problems.push({
        path,
        message: `${first.whole} inside a shell script is refused: its value would run as shell code. Give it to the script as an environment variable: env: { ${env}: "${first.whole}" }, and "$${env}" in the script; or write ${name} as a list, a program and its arguments, which no shell reads: ${name}: ["./script.sh", "${first.whole}"]`,
      });
    }
    if (Array.isArray(value) && typeof value[0] === "string" && hasReferences(value[0]))
      problems.push({
        path: [...path, 0],
        message: `the program to run is written as it is, not taken from a reference (a value would choose what runs); references may fill its arguments`,
      });
  }
  return problems;
}

/** A reference's problem in step `step` of `runbook`, if it has one. */
function referenceProblem(
  runbook: Runbook,
  kinds: StepKinds,
  step: StepSpec,
  ref: Reference,
): string | undefined {
  if ("config" in ref) {
    const keys = Object.keys(runbook.config);
    if (ref.config in runbook.config) return undefined;
    return `${ref.whole}: no "${ref.config}" in the runbook's config: block${didYouMean(ref.config, keys)}; its keys: ${keys.join(", ") || "none"}`;
  }
  if (!("step" in ref)) return undefined;
  const ids = runbook.steps.map((s) => s.id);
  const source = runbook.steps.find((s) => s.id === ref.step);
  if (!source) return `${ref.whole}: no step "${ref.step}" in this runbook${didYouMean(ref.step, ids)}`;
  if (source.id === step.id) return `${ref.whole}: a step cannot use its own outputs`;
  const kind = kinds.get(source.kind);
  if (kind && !kind.openOutputs && !kind.outputs.includes(ref.output))
    return `${ref.whole}: step "${source.id}" (${source.kind}) has no output "${ref.output}"${didYouMean(ref.output, kind.outputs)}; ${kind.kind} outputs ${kind.outputs.join(", ") || "nothing"}`;
  if (!ancestors(runbook.steps, step.id).includes(source.id))
    return `${ref.whole}: step "${step.id}" does not run after "${source.id}", so that output is not there when it runs; add "${source.id}" to its after:`;
  return undefined;
}

/** The kind of each step and its parameters: unknown kinds, literal values, references, commands. */
export function runbookProblems(runbook: Runbook, kinds: StepKinds): Problem[] {
  const problems: Problem[] = [];
  runbook.steps.forEach((step, i) => {
    const at = (path: YamlPath, message: string, atKey?: boolean) =>
      problems.push({
        atKey,
        path: ["steps", i, "params", ...path],
        message: `steps[${i}].params${path.length ? `.${pathLabel(path)}` : ""}: ${message}`,
      });
    const kind = kinds.get(step.kind);
    if (!kind) {
      const known = kinds.names();
      problems.push({
        path: ["steps", i, "kind"],
        message: `steps[${i}].kind: no step kind "${step.kind}"${didYouMean(step.kind, known)}; known: ${known.join(", ")}`,
      });
      return;
    }
    for (const p of commandProblems(kind, step.params)) at(p.path, p.message);
    for (const [text, path] of stringsIn(step.params)) {
      const { references, malformed } = referencesIn(text);
      for (const m of malformed)
        at(
          path,
          `${m} is not a reference drctl knows (it would be kept as text): expected \${steps.ID.outputs.KEY}, \${config.KEY} or \${ssm:/path}; write $\${ for a literal \${`,
        );
      for (const ref of references) {
        const problem = referenceProblem(runbook, kinds, step, ref);
        if (problem) at(path, problem);
      }
    }
    for (const p of literalProblems(kind, step.params)) at(p.path, p.message, p.atKey);
  });
  return problems;
}
