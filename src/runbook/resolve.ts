import { InputError } from "../errors.js";

const REFERENCE = /\$\{steps\.([a-z0-9-]+)\.outputs\.([A-Za-z0-9_]+)\}/g;

/**
 * Replaces ${steps.ID.outputs.KEY} in every string of `params` with the output of an earlier
 * step. A reference to an output that does not exist is an error naming the step and key.
 */
export function resolveParams(
  params: unknown,
  outputs: (stepId: string) => Record<string, string> | undefined,
  where: string,
): unknown {
  if (typeof params === "string") {
    return params.replace(REFERENCE, (_m, step: string, key: string) => {
      const value = outputs(step)?.[key];
      if (value === undefined)
        throw new InputError(
          `${where}: \${steps.${step}.outputs.${key}} has no value (is "${step}" listed in after:, and does it output ${key}?)`,
        );
      return value;
    });
  }
  if (Array.isArray(params)) return params.map((p) => resolveParams(p, outputs, where));
  if (params && typeof params === "object")
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, resolveParams(v, outputs, where)]));
  return params;
}
