import { InputError } from "../errors.js";

/** Where references in a step's parameters get their values. */
export interface ValueSources {
  /** ${steps.ID.outputs.KEY}: an earlier step's output. */
  outputs(stepId: string): Record<string, string> | undefined;
  /** ${config.KEY}: the runbook's config block, with --set overrides. */
  config: Readonly<Record<string, string | number | boolean>>;
  /** ${ssm:/path}: an SSM parameter read in the step's region. */
  ssm(name: string): Promise<string | undefined>;
}

const REFERENCE =
  /\$\{(steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)|config\.([A-Za-z0-9_.-]+)|ssm:([^}]+))\}/g;

async function valueOf(
  m: RegExpExecArray,
  sources: ValueSources,
  where: string,
): Promise<string | number | boolean> {
  const [whole, , step, key, configKey, ssmName] = m;
  if (step && key) {
    const value = sources.outputs(step)?.[key];
    if (value === undefined)
      throw new InputError(
        `${where}: ${whole} has no value (is "${step}" listed in after:, and does it output ${key}?)`,
      );
    return value;
  }
  if (configKey) {
    const value = sources.config[configKey];
    if (value === undefined)
      throw new InputError(
        `${where}: ${whole} has no value (expected "${configKey}" in the runbook's config: block or --set ${configKey}=VALUE; known: ${Object.keys(sources.config).join(", ") || "none"})`,
      );
    return value;
  }
  const value = await sources.ssm(ssmName ?? "");
  if (value === undefined) throw new InputError(`${where}: ${whole}: no SSM parameter ${ssmName ?? ""}`);
  return value;
}

/**
 * Replaces references in every string of `params`: ${steps.ID.outputs.KEY}, ${config.KEY},
 * ${ssm:/path}. A string that is one reference takes the value's own type (a number from config
 * stays a number); a missing value is an error naming the reference and where to define it.
 */
export async function resolveParams(params: unknown, sources: ValueSources, where: string): Promise<unknown> {
  if (typeof params === "string") {
    const matches = [...params.matchAll(REFERENCE)];
    if (matches.length === 0) return params;
    const values = await Promise.all(matches.map((m) => valueOf(m, sources, where)));
    if (matches.length === 1 && matches[0]?.[0] === params) return values[0];
    let i = 0;
    return params.replace(REFERENCE, () => String(values[i++]));
  }
  if (Array.isArray(params)) return Promise.all(params.map((p) => resolveParams(p, sources, where)));
  if (params && typeof params === "object")
    return Object.fromEntries(
      await Promise.all(
        Object.entries(params).map(async ([k, v]) => [k, await resolveParams(v, sources, where)] as const),
      ),
    );
  return params;
}
