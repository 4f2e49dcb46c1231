import { STEP_KINDS } from "./registry.js";

/** docs/runbook-steps.md: every step kind, what it does, its outputs, whether a failback can undo it, its IAM actions. */
export function stepsMarkdown(): string {
  const kinds = [...STEP_KINDS.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  return [
    "# Runbook step kinds",
    "",
    "Generated from the step kinds (`npm run docs`); a test fails when this file is stale.",
    'Outputs are used as `${steps.ID.outputs.KEY}`. "Undo" is what `drctl failback --from RUN` and',
    "`onFailure: rollback` do with a step that ran: generated from what the journal recorded, or an",
    "approval gate where a person has to undo it.",
    "",
    "| Kind | What it does | Outputs | Undo | IAM actions |",
    "| --- | --- | --- | --- | --- |",
    ...kinds.map(
      (k) =>
        `| \`${k.kind}\` | ${k.description} | ${k.outputs.map((o) => `\`${o}\``).join(", ") || "-"} | ${k.inverse ? "generated" : "by hand (approval gate)"} | ${k.permissions.map((p) => `\`${p}\``).join(", ") || "-"} |`,
    ),
    "",
  ].join("\n");
}
