import { InputError } from "../errors.js";

/** Where references in a step's parameters get their values. */
export interface ValueSources {
  /** ${steps.ID.outputs.KEY}: an earlier step's output. */
  outputs(stepId: string): Record<string, string> | undefined;
  /** ${config.KEY}: the runbook's config block, with --set overrides. */
  config: Readonly<Record<string, string | number | boolean>>;
  /**
   * ${ssm:/path} (or /path:VERSION): an SSM parameter read in the step's region, with whether it
   * is a SecureString (its type as SSM reports it, never as the runbook says).
   */
  ssm(name: string): Promise<{ value: string; secure: boolean } | undefined>;
}

/** The IAM actions resolving ${ssm:...} needs (kms:Decrypt for SecureStrings under a customer key). */
export const REFERENCE_PERMISSIONS = ["ssm:GetParameter", "kms:Decrypt"];

/** `$${` is a literal `${`; the rest are references (groups: steps id, key; config key; ssm name). */
export const TOKEN =
  /\$\$\{|\$\{(steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)|config\.([A-Za-z0-9_.-]+)|ssm:([^}]+))\}/g;

/** Text as a runbook writes it literally: every "${" becomes "$${", so nothing in it is resolved. */
export const escapeReferences = (text: string): string => text.split("${").join("$${");

/** The ${ssm:...} names a value refers to (for permissions and the journal). */
export function ssmReferences(params: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string")
      for (const m of v.matchAll(TOKEN)) {
        if (m[5]) found.push(m[5]);
      }
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(params);
  return found;
}

/** Whether a string is (or contains) references still to be resolved. */
export const hasReferences = (text: string): boolean => [...text.matchAll(TOKEN)].some((m) => m[0] !== "$${");

export interface Resolved {
  /** The parameters with every reference replaced by its value: what the step runs with. */
  value: unknown;
  /**
   * The parameters as the journal keeps them, in runbook text: ${ssm:...} references as they
   * were written (their values are never kept), other values in place with "${" escaped.
   */
  journal: unknown;
  /** Values that came from SecureString parameters. */
  secrets: string[];
}

type Scalar = string | number | boolean;

async function resolveString(text: string, sources: ValueSources, where: string, secrets: string[]) {
  const matches = [...text.matchAll(TOKEN)];
  if (matches.length === 0) return { value: text as Scalar, journal: text as Scalar };
  const parts: { value: Scalar; journal: Scalar }[] = await Promise.all(
    matches.map(async (m) => {
      const [whole, , step, key, configKey, ssmName] = m;
      if (whole === "$${") return { value: "${", journal: "$${" };
      if (step && key) {
        const value = sources.outputs(step)?.[key];
        if (value === undefined)
          throw new InputError(
            `${where}: ${whole} has no value (is "${step}" listed in after:, and does it output ${key}?)`,
          );
        return { value, journal: escapeReferences(value) };
      }
      if (configKey) {
        const value = sources.config[configKey];
        if (value === undefined)
          throw new InputError(
            `${where}: ${whole} has no value (expected "${configKey}" in the runbook's config: block or --set ${configKey}=VALUE; known: ${Object.keys(sources.config).join(", ") || "none"})`,
          );
        return { value, journal: typeof value === "string" ? escapeReferences(value) : value };
      }
      const found = await sources.ssm(ssmName ?? "");
      if (found === undefined) throw new InputError(`${where}: ${whole}: no SSM parameter ${ssmName ?? ""}`);
      if (found.secure) secrets.push(found.value);
      return { value: found.value, journal: whole };
    }),
  );
  // One reference and nothing else: the value keeps its type (a number from config stays a number).
  if (matches.length === 1 && matches[0]?.[0] === text && parts[0]) return parts[0];
  let value = "";
  let journal = "";
  let at = 0;
  matches.forEach((m, i) => {
    const literal = text.slice(at, m.index);
    value += literal;
    journal += literal;
    value += String(parts[i]?.value);
    journal += String(parts[i]?.journal);
    at = (m.index ?? 0) + m[0].length;
  });
  value += text.slice(at);
  journal += text.slice(at);
  return { value, journal };
}

/**
 * Replaces references in every string of `params`: ${steps.ID.outputs.KEY}, ${config.KEY},
 * ${ssm:/path}; `$${` is a literal `${`. A string that is one reference takes the value's own
 * type; a missing value is an error naming the reference and where to define it.
 */
export async function resolveParams(
  params: unknown,
  sources: ValueSources,
  where: string,
): Promise<Resolved> {
  const secrets: string[] = [];
  const walk = async (v: unknown): Promise<{ value: unknown; journal: unknown }> => {
    if (typeof v === "string") return resolveString(v, sources, where, secrets);
    if (Array.isArray(v)) {
      const items = await Promise.all(v.map(walk));
      return { value: items.map((i) => i.value), journal: items.map((i) => i.journal) };
    }
    if (v && typeof v === "object") {
      const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await walk(x)] as const));
      return {
        value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])),
        journal: Object.fromEntries(entries.map(([k, x]) => [k, x.journal])),
      };
    }
    return { value: v, journal: v };
  };
  const out = await walk(params);
  return { ...out, secrets };
}
