import { ops } from "../aws/services.js";
import { InputError } from "../errors.js";
import { MIN_SECRET_LENGTH, shortSecretMessage } from "./secrets.js";

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
export const REFERENCE_PERMISSIONS = [...ops("SSM", "GetParameter"), ...ops("KMS", "Decrypt")];

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

/** A reference in a string, as written: what it names. */
export type Reference =
  | { whole: string; step: string; output: string }
  | { whole: string; config: string }
  | { whole: string; ssm: string };

/**
 * The references in `text`, and what is left of it that looks like one but is not (a "${steps."
 * with a capital letter, a "${config." without its key): such text would be kept literally.
 */
export function referencesIn(text: string): { references: Reference[]; malformed: string[] } {
  const references: Reference[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const [whole, , step, output, config, ssm] = m;
    if (step && output) references.push({ whole, step, output });
    else if (config) references.push({ whole, config });
    else if (ssm) references.push({ whole, ssm });
  }
  const rest = text.replace(TOKEN, "");
  const malformed = [...rest.matchAll(/\$\{(?:steps|config)\b[^}]*\}?|\$\{ssm:[^}]*$/g)].map((m) => m[0]);
  return { references, malformed };
}

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

/** Where a string being resolved is: its parameter path, and whether it is a process's argument. */
interface Place {
  where: string;
  path: string;
  /** An argument of a process (a kind's `commands`): no SecureString may go there. */
  argv: boolean;
}

/**
 * A name for the environment variable that carries a reference's value, for messages that say
 * how to pass it: ${ssm:/app/api-token} -> API_TOKEN, ${config.db-host} -> DB_HOST.
 */
export function envNameFor(reference: Reference): string {
  const base =
    "ssm" in reference
      ? (reference.ssm.replace(/:\d+$/, "").split("/").pop() ?? "")
      : "config" in reference
        ? reference.config
        : reference.output;
  return (
    base
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, "_")
      .replace(/^(?=\d)/, "_") || "VALUE"
  );
}

/** A SecureString where it may not go, or too short to keep out of output: refused, naming the reference. */
function checkSecret(reference: string, ssmName: string, value: string, place: Place): void {
  if (value.length < MIN_SECRET_LENGTH)
    throw new InputError(`${place.where}: params.${place.path}: ${shortSecretMessage(reference)}`);
  if (place.argv) {
    const name = envNameFor({ whole: reference, ssm: ssmName });
    throw new InputError(
      `${place.where}: params.${place.path}: ${reference} is a SecureString, and a process's arguments can be read by any user of the machine (ps, /proc/PID/cmdline); pass it as an environment variable: env: { ${name}: "${reference}" }, and "$${name}" in a script`,
    );
  }
}

async function resolveString(text: string, sources: ValueSources, place: Place, secrets: string[]) {
  const { where } = place;
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
      if (found.secure) {
        checkSecret(whole, ssmName ?? "", found.value, place);
        secrets.push(found.value);
      }
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
  options: { commands?: readonly string[] } = {},
): Promise<Resolved> {
  const secrets: string[] = [];
  const commands = options.commands ?? [];
  const walk = async (v: unknown, path: string): Promise<{ value: unknown; journal: unknown }> => {
    if (typeof v === "string") {
      const argv = commands.some((c) => path === c || path.startsWith(`${c}[`));
      return resolveString(v, sources, { where, path, argv }, secrets);
    }
    if (Array.isArray(v)) {
      const items = await Promise.all(v.map((x, i) => walk(x, `${path}[${i}]`)));
      return { value: items.map((i) => i.value), journal: items.map((i) => i.journal) };
    }
    if (v && typeof v === "object") {
      const entries = await Promise.all(
        Object.entries(v).map(async ([k, x]) => [k, await walk(x, path ? `${path}.${k}` : k)] as const),
      );
      return {
        value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])),
        journal: Object.fromEntries(entries.map(([k, x]) => [k, x.journal])),
      };
    }
    return { value: v, journal: v };
  };
  const out = await walk(params, "");
  return { ...out, secrets };
}

/**
 * Before a run: the SecureStrings `params` refer to, each where it would go. One too short to
 * scrub, or in a process's arguments (`commands`), is refused now, before any step changed
 * anything. A parameter that does not exist yet is left to its step (an earlier one may write it).
 */
export async function checkSecretReferences(
  params: unknown,
  ssm: ValueSources["ssm"],
  where: string,
  commands: readonly string[],
): Promise<void> {
  if (ssmReferences(params).length === 0) return;
  const later = new Proxy({}, { get: () => "" }) as Record<string, string>;
  await resolveParams(
    params,
    {
      outputs: () => later,
      config: new Proxy({}, { get: () => "" }),
      ssm: async (name) => (await ssm(name)) ?? { value: "", secure: false },
    },
    where,
    { commands },
  );
}
