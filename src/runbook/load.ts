import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { parseYamlWithSchema } from "../config/load.js";
import { ConfigError, InputError } from "../errors.js";
import { checkDag } from "./dag.js";
import { runbookSchema, type Runbook } from "./schema.js";

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** sha256 of the file's text (and the --set values): a run refuses to resume with a runbook that changed. */
  hash: string;
  /** The --set values (or a trigger's set:) over the runbook's config. */
  set: Record<string, string | number | boolean>;
}

/** Reads and validates a runbook file; every error names file:line:column and what was expected. */
export function loadRunbook(
  file: string,
  overrides: Record<string, string | number | boolean> = {},
): LoadedRunbook {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read runbook ${file}: ${(err as Error).message}`, { cause: err });
  }
  const runbook = parseYamlWithSchema(text, file, runbookSchema);
  const problems = checkDag(runbook.steps);
  const first = problems[0];
  if (first) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const steps = doc.get("steps", true);
    const step = isSeq(steps) ? steps.items[first.stepIndex] : undefined;
    const node = isMap(step) ? step.get(first.field, true) : undefined;
    const offset =
      (node as { range?: [number] } | undefined)?.range?.[0] ??
      (step as { range?: [number] } | undefined)?.range?.[0] ??
      0;
    const pos = lines.linePos(offset);
    throw new ConfigError(
      file,
      pos.line,
      pos.col,
      `steps[${first.stepIndex}].${first.field}: ${first.message}`,
    );
  }
  // A value for a key the runbook does not have would be ignored (a typo promoting the default database).
  const unknown = Object.keys(overrides).filter((k) => !(k in runbook.config));
  if (unknown.length > 0)
    throw new InputError(
      `${file}: no config key ${unknown.map((k) => `"${k}"`).join(", ")} to set (the runbook's config: keys are ${Object.keys(runbook.config).join(", ") || "none"})`,
    );
  // Overrides are part of what a run means: resuming with other values is refused like an edited file.
  const hash = createHash("sha256").update(text);
  if (Object.keys(overrides).length > 0) hash.update(JSON.stringify(Object.entries(overrides).sort()));
  return {
    runbook: { ...runbook, config: { ...runbook.config, ...overrides } },
    file,
    hash: hash.digest("hex"),
    set: overrides,
  };
}
