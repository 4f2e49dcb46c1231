import { iamActionsInOrder } from "../aws/services.js";
import { REFERENCE_PERMISSIONS } from "./resolve.js";
import { stringify } from "yaml";
import type { StepKinds } from "./kinds.js";
import type { StepKind } from "./step.js";
import { paramDocs } from "./step-params-doc.js";

/** docs/runbook-steps.md: every step kind, what it does, its outputs, how it is undone and reconciled, its IAM actions. */
export function stepsMarkdown(catalogue: StepKinds): string {
  const kinds = [...catalogue.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  return [
    "# Runbook step kinds",
    "",
    "Generated from the step kinds (`npm run docs`); a test fails when this file is stale.",
    'Outputs are used as `${steps.ID.outputs.KEY}`. "Undo" is what `drctl failback --from RUN` and',
    "`onFailure: rollback` do with a step that ran: generated from what the journal recorded, or an",
    "approval gate where a person has to undo it.",
    "",
    '"Idempotent": applying the step again has no further effect, so a step found in doubt after a crash',
    "(its intent journaled, its calls not) may be applied again once its reconcile says nothing happened.",
    "A step that is not idempotent is never applied again without a person's consent",
    "(`drctl runbook approve RUN STEP`, or `drctl runbook resume RUN --execute --retry-in-doubt STEP`);",
    '`drctl runbook approve RUN STEP --done` says it happened. "Reconcile" is how a step in doubt is',
    "decided from the live state.",
    "",
    'A kind "checked before the run" has its plan read before a new run begins: when that plan would',
    "fail or be refused, the run does not start and nothing changes.",
    "",
    "References are checked when a runbook is loaded, before any plan: the step a `${steps.ID.outputs.KEY}`",
    "names must exist and run before the step using it (through `after:`), and KEY be one of its kind's outputs;",
    "a `${config.KEY}` must be in the `config:` block. A kind that runs a process (`command`, `fault.command`)",
    "takes a shell script (a string, run with `sh -c`) with no reference in it, or a program and its arguments",
    '(a list, run without a shell). Values reach a script as environment variables (`env: { HOST: "${ssm:/app/host}" }`',
    'and `"$HOST"` in the script); a SecureString never goes in a process\'s arguments.',
    "",
    `Values written \`\${ssm:/path}\` are read with ${iamActionsInOrder(REFERENCE_PERMISSIONS)
      .map((p) => `\`${p}\``)
      .join(" and ")} (for SecureStrings under a customer key) in the step's region, whatever its kind.`,
    "",
    "| Kind | What it does | Outputs | Undo | Idempotent | Checked before the run | Reconcile | Secret parameters | IAM actions |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...kinds.map(
      (k) =>
        `| \`${k.kind}\` | ${k.description} | ${k.outputs.map((o) => `\`${o}\``).join(", ") || "-"} | ${k.inverse ? "generated" : "by hand (approval gate)"} | ${k.idempotent ? "yes" : "no"} | ${k.checkedBeforeRun ? "yes" : "-"} | ${k.reconciles} | ${(k.secretParams ?? []).map((p) => `\`${p}\``).join(", ") || "-"} | ${
          iamActionsInOrder(k.permissions)
            .map((p) => `\`${p}\``)
            .join(", ") || "-"
        } |`,
    ),
    "",
    "## Parameters",
    "",
    "Each kind's parameters, from its schema: an unknown parameter is refused when the runbook is loaded, at its",
    "line, with the closest known one. A duration takes `500ms`, `90s`, `2m30s`, `1h30m` or a number of seconds.",
    "Each example is loaded by a test through the runbook loader.",
    "",
    ...kinds.flatMap(paramsSection),
  ].join("\n");
}

/** A kind's example as one step of a runbook's steps: list (YAML). */
export function exampleStep(kind: StepKind<unknown>): string {
  const step = {
    id: `example-${kind.kind.replace(/[^a-z0-9]+/g, "-")}`,
    kind: kind.kind,
    params: kind.example ?? {},
  };
  return stringify([step], { lineWidth: 0 });
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function paramsSection(kind: StepKind<unknown>): string[] {
  const params = paramDocs(kind.params);
  return [
    `### \`${kind.kind}\``,
    "",
    ...(params.length
      ? [
          "| Parameter | Type | Required or default | What it means |",
          "| --- | --- | --- | --- |",
          ...params.map(
            (p) => `| \`${p.name}\` | ${p.type} | ${p.presence} | ${cell(p.description ?? "")} |`,
          ),
        ]
      : ["No parameters."]),
    "",
    ...(kind.example ? ["```yaml", exampleStep(kind).trimEnd(), "```", ""] : []),
  ];
}
