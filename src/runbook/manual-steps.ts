/**
 * A runbook by hand: each step's shell lines (its kind's manual()), with the runbook's references
 * made runnable. ${config.KEY} is its value; ${ssm:NAME} the output of `aws ssm get-parameter`;
 * ${steps.ID.outputs.KEY} the command the kind of ID says prints that output, inline for what
 * the step leaves in place, or a variable set before that step's commands for what it found.
 */
import type { StepKinds } from "./kinds.js";
import { TOKEN } from "./resolve.js";
import type { Runbook, StepSpec } from "./schema.js";
import type { Shell } from "./manual.js";
import { aws, code, comment, output, word } from "./manual.js";

const variableOf = (id: string, key: string) => `${id}_${key}`.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();

/** An SSM parameter's value, read when the line runs. */
const ssmValue = (name: string | undefined, region: string): Shell =>
  output(
    aws("ssm", "get-parameter", region, {
      name,
      "with-decryption": true,
      query: "Parameter.Value",
      output: "text",
    }),
  );

/** A step whose kind prints no commands: what to do by hand, as a comment. */
const byHand = (spec: StepSpec, kind: { description: string } | undefined, region: string): string =>
  comment(`by hand: ${kind?.description ?? spec.kind} (${JSON.stringify(spec.params)}) in ${region}`).trim();

/** Step id -> its lines, in the runbook's order. */
export function manualSteps(runbook: Runbook, kinds: StepKinds): Map<string, string[]> {
  const specs = new Map(runbook.steps.map((s) => [s.id, s]));
  const regionOf = (s: StepSpec) => s.region ?? runbook.region;
  /** Lines a step's commands need first: the outputs later steps take from what it found. */
  const first = new Map<string, Set<string>>();
  const shown = new Map<string, Record<string, unknown>>();

  const outputOf = (id: string, key: string): Shell => {
    const spec = specs.get(id);
    const how = spec ? kinds.get(spec.kind)?.manualOutputs?.(paramsOf(spec), regionOf(spec))[key] : undefined;
    if (how && !how.before) return output(how.command);
    const variable = variableOf(id, key);
    const lines = first.get(id) ?? new Set<string>();
    first.set(id, lines);
    lines.add(
      how
        ? `${variable}=$(${how.command})`
        : `# ${variable}: the ${key} output of ${id}, printed by drctl when the step runs; set it by hand`,
    );
    return code(`$${variable}`);
  };

  const resolve = (value: unknown, region: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => resolve(v, region));
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, region)]));
    if (typeof value !== "string") return value;
    const matches = [...value.matchAll(TOKEN)];
    if (matches.length === 0) return value;
    const whole = matches.length === 1 && matches[0]?.[0] === value && matches[0][4] !== undefined;
    if (whole) return runbook.config[matches[0]?.[4] ?? ""] ?? value;
    const parts: unknown[] = [];
    let at = 0;
    for (const m of matches) {
      parts.push(value.slice(at, m.index));
      at = (m.index ?? 0) + m[0].length;
      if (m[0] === "$${") parts.push("${");
      else if (m[2] !== undefined && m[3] !== undefined) parts.push(outputOf(m[2], m[3]));
      else if (m[4] !== undefined) parts.push(runbook.config[m[4]] ?? m[0]);
      else parts.push(ssmValue(m[5], region));
    }
    parts.push(value.slice(at));
    const shell = word(...parts.filter((p) => p !== ""));
    return shell.parts.every((p) => typeof p === "string") ? shell.parts.join("") : shell;
  };

  const paramsOf = (spec: StepSpec): Record<string, unknown> => {
    let p = shown.get(spec.id);
    if (!p) {
      p = resolve(spec.params, regionOf(spec)) as Record<string, unknown>;
      shown.set(spec.id, p);
    }
    return p;
  };

  const out = new Map<string, string[]>();
  for (const spec of runbook.steps) {
    const kind = kinds.get(spec.kind);
    const params = paramsOf(spec);
    out.set(spec.id, kind?.manual?.(params, regionOf(spec)) ?? [byHand(spec, kind, regionOf(spec))]);
  }
  // Outputs later steps take from what a step found are read before its commands.
  for (const [id, lines] of first) out.set(id, [...lines, ...(out.get(id) ?? [])]);
  return out;
}
