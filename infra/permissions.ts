import { commandPermissions } from "../src/permissions.js";
import type { LoadedRunbook } from "../src/runbook/load.js";
import { STEP_KINDS } from "../src/runbook/registry.js";

/** The read-only actions of the scan (resource "*"): everything it declares but storage and email. */
export function readActions(): string[] {
  return (commandPermissions().scan ?? []).filter((a) => !a.startsWith("dynamodb:") && !a.startsWith("ses:"));
}

/** The actions of every step kind the runbooks use (and nothing else: a runbook-less deployment has none). */
export function runbookActions(runbooks: LoadedRunbook[]): string[] {
  const kinds = new Set(runbooks.flatMap((r) => r.runbook.steps.map((s) => s.kind)));
  // A triggered run may start at an approval gate and tells people through SNS.
  kinds.add("approval");
  kinds.add("notify");
  return [...new Set([...kinds].flatMap((k) => STEP_KINDS.get(k)?.permissions ?? []))].sort();
}
