/**
 * A step kind's parameters as its documentation lists them, read from its params schema: each
 * parameter's name, type, whether it is required or its default, and what it means (the schema's
 * description, `.describe()`).
 */
import type { z } from "zod";
import { isDuration } from "../util/duration.js";

export interface ParamDoc {
  name: string;
  type: string;
  /** "required", "optional" or "default: VALUE". */
  presence: string;
  description: string | undefined;
}

type Def = {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  defaultValue?: unknown;
};
const defOf = (s: z.core.$ZodType) => s._zod.def as Def;
const descriptionOf = (s: z.core.$ZodType) => (s as unknown as { description?: string }).description;

/** The first description from the outside in: `.describe()` may be on a wrapper or on what it wraps. */
function describedIn(schema: z.core.$ZodType): string | undefined {
  for (let s: z.core.$ZodType | undefined = schema; s;) {
    const found = descriptionOf(s);
    if (found) return found;
    const def = defOf(s);
    s = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  }
  return undefined;
}

/** What a value of `schema` is, as a reader writes it in YAML. */
export function typeName(schema: z.core.$ZodType): string {
  if (isDuration(schema)) return "duration (500ms, 90s, 2m30s, 1h30m) or seconds";
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
      return def.innerType ? typeName(def.innerType) : "any";
    case "pipe":
      return def.in ? typeName(def.in) : "any";
    case "enum":
      return Object.values(def.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(" \\| ");
    case "literal":
      return (def.values ?? []).map((v) => `\`${String(v)}\``).join(" \\| ");
    case "array":
      return def.element ? `list of ${plural(typeName(def.element))}` : "list";
    case "record":
      return def.valueType ? `map of names to ${plural(typeName(def.valueType))}` : "map";
    case "object":
      return `object (${Object.keys(def.shape ?? {}).join(", ")})`;
    case "union": {
      const names = [...new Set((def.options ?? []).map(typeName))];
      return names.length > 1
        ? `${names.slice(0, -1).join(", ")} or ${names.at(-1) ?? ""}`
        : (names[0] ?? "any");
    }
    case "unknown":
      return "JSON value";
    default:
      return def.type;
  }
}

/** "strings", "objects (a, b)", "(string, number or boolean)": a type after "list of". */
const plural = (t: string) =>
  / or /.test(t)
    ? `(${t})`
    : /^(string|number|boolean|JSON value)$/.test(t)
      ? `${t}s`
      : t.replace(/^object/, "objects");

function presenceOf(schema: z.core.$ZodType): string {
  for (let s: z.core.$ZodType | undefined = schema; s;) {
    const def = defOf(s);
    if (def.type === "default" || def.type === "prefault") {
      const value = def.defaultValue;
      return `default: \`${JSON.stringify(typeof value === "function" ? (value as () => unknown)() : value)}\``;
    }
    if (def.type === "optional") return "optional";
    s = def.type === "nullable" ? def.innerType : undefined;
  }
  return "required";
}

/** The object schema inside a kind's params (under refinements, transforms and defaults). */
function objectOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> {
  const def = defOf(schema);
  if (def.type === "object") return def.shape ?? {};
  const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
  return inner ? objectOf(inner) : {};
}

/** Each top-level parameter of a kind, in the order its schema declares them. */
export function paramDocs(schema: z.core.$ZodType): ParamDoc[] {
  return Object.entries(objectOf(schema)).map(([name, s]) => ({
    name,
    type: typeName(s),
    presence: presenceOf(s),
    description: describedIn(s),
  }));
}
