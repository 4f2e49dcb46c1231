import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError, InputError } from "../errors.js";
import { configFileOf, defaultConfig, type LoadedConfig } from "./file.js";
import { configSchema, configSchemaFor } from "./schema.js";

export { DEFAULT_CONFIG_FILE, type LoadedConfig } from "./file.js";

/** What the config is checked against beyond its own schema: the rule ids of the catalogue. */
export interface ConfigKnowledge {
  /** Absent: the suppressions' rule ids are not checked here (the caller reads the file again with them). */
  ruleIds?: readonly string[];
}

/**
 * Loads drctl.yaml. An explicit path must exist; without one, ./drctl.yaml is used when present
 * and the defaults otherwise. Any error names the file, line and column and what was expected.
 */
export function loadConfig(path: string | undefined, known: ConfigKnowledge): LoadedConfig {
  const file = configFileOf(path);
  if (file === undefined) return defaultConfig();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const config = parseYamlWithSchema(
    text,
    file,
    known.ruleIds ? configSchemaFor(known.ruleIds) : configSchema,
  );
  return {
    config,
    file,
    where(key) {
      const lines = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lines });
      const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
      if (!node?.range) return `${key} in ${file}`;
      const pos = lines.linePos(node.range[0]);
      return `${key} in ${file}:${pos.line}:${pos.col}`;
    },
  };
}

/** Parses YAML text and validates it; errors carry file:line:column. Reused for every YAML input. */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lines.linePos(syntax.pos[0]);
    throw new ConfigError(file, pos.line, pos.col, `invalid YAML: ${syntax.message.split("\n")[0] ?? ""}`);
  }
  const result = schema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError(file, 1, 1, "invalid configuration");
  const offset = offsetOf(doc, issue);
  const pos = lines.linePos(offset);
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : "";
  throw new ConfigError(file, pos.line, pos.col, `${where}${describe(issue)}${more}`);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; check its spelling against the configuration reference`;
  }
  // A bad record key: the useful sentence is the key schema's own message.
  if (issue.code === "invalid_key") return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

/** The source offset of the node a zod issue is about (the nearest existing ancestor if it is missing). */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // An unknown or invalid key: point at the key itself, not at its value.
  const key =
    issue.code === "unrecognized_keys"
      ? issue.keys[0]
      : issue.code === "invalid_key"
        ? path.at(-1)
        : undefined;
  if (key !== undefined) {
    const mapPath = issue.code === "unrecognized_keys" ? path : path.slice(0, -1);
    const map = mapPath.length > 0 ? doc.getIn(mapPath, true) : doc.contents;
    const pair = isMap(map)
      ? map.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key))
      : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}
