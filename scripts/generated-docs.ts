import { readFileSync } from "node:fs";
import { readActions } from "../infra/permissions.js";
import { exitCodesMarkdown } from "../src/errors.js";
import { permissionsMarkdown } from "../src/permissions.js";
import { stepsMarkdown } from "../src/runbook/step-catalog.js";
import { rulesMarkdown, STEP_KINDS } from "../src/catalog.js";

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function replaceBlock(text: string, name: string, block: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`markers ${start} ... ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${block}\n${text.slice(to)}`;
}

/** Every generated file, as it should be now. */
export function generatedDocs(): { file: string; content: string }[] {
  const readme = readFileSync("README.md", "utf8");
  return [
    {
      file: "README.md",
      content: replaceBlock(
        replaceBlock(
          replaceBlock(readme, "permissions", permissionsMarkdown()),
          "scan-policy",
          scanPolicyBlock(),
        ),
        "exit-codes",
        exitCodesMarkdown(),
      ),
    },
    { file: "docs/rules.md", content: rulesMarkdown() },
    { file: "docs/runbook-steps.md", content: stepsMarkdown(STEP_KINDS) },
  ];
}

function scanPolicyBlock(): string {
  const policy = {
    Version: "2012-10-17",
    Statement: [{ Sid: "DrctlScanRead", Effect: "Allow", Action: readActions(), Resource: "*" }],
  };
  return ["```json", JSON.stringify(policy, null, 2), "```"].join("\n");
}
