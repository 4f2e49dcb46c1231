import { KNOWN_REGIONS } from "../aws/regions.js";
import type { StepKinds } from "./kinds.js";
import { ssmReferences } from "./resolve.js";
import type { Runbook } from "./schema.js";
import type { RunbookScope } from "./step.js";

const known = new Set(KNOWN_REGIONS);

/** Every string in a value (object values and array items, at any depth). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/**
 * What a runbook names beside any one step: its region, its steps' regions and every region code
 * its config or its steps' parameters hold (a copy's sourceRegion, a standby region in config:),
 * and the SSM parameters its steps read (${ssm:...}) or write.
 */
export function runbookScope(runbook: Runbook, kinds: StepKinds): RunbookScope {
  const regions = [
    runbook.region,
    ...runbook.steps.flatMap((s) => (s.region ? [s.region] : [])),
    ...[...strings(runbook.config), ...runbook.steps.flatMap((s) => strings(s.params))].filter((v) =>
      known.has(v),
    ),
  ];
  const parameters = new Map<string, string[]>();
  for (const step of runbook.steps) {
    const written = kinds.get(step.kind)?.ssmParametersWritten?.(step.params) ?? [];
    for (const name of [...ssmReferences(step.params), ...written])
      parameters.set(name, [...new Set([...(parameters.get(name) ?? []), step.id])]);
  }
  return {
    regions: [...new Set(regions)],
    parameters: [...parameters].map(([name, steps]) => ({ name, steps })),
  };
}
