import { readFileSync } from "node:fs";
import { readActions } from "../infra/permissions.js";
import { exitCodesMarkdown } from "../src/errors.js";
import { permissionsMarkdown } from "../src/permissions.js";
import { stepsMarkdown } from "../src/runbook/step-catalog.js";
import { rulesMarkdown, STEP_KINDS } from "../src/catalog.js";
import { DEMO_EXCERPTS, demoTour } from "./demo-excerpt.js";

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function replaceBlock(text: string, name: string, block: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`markers ${start} ... ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${block}\n${text.slice(to)}`;
}

/** The marked blocks each file holds, by name, as they should be now. */
function markedBlocks(demoOutput: string | undefined): Record<string, Record<string, () => string>> {
  const blocks: Record<string, Record<string, () => string>> = {
    "README.md": { "exit-codes": exitCodesMarkdown },
    "docs/cli.md": { "exit-codes": exitCodesMarkdown },
    "docs/permissions.md": { permissions: permissionsMarkdown, "scan-policy": scanPolicyBlock },
  };
  // Excerpts of the demo are refreshed only from a demo run's output (npm run docs -- --demo-output
  // FILE); without one they are kept as they are.
  if (demoOutput !== undefined)
    for (const { file, block, cuts } of DEMO_EXCERPTS)
      blocks[file] = { ...blocks[file], [block]: () => demoTour(demoOutput, cuts) };
  return blocks;
}

/**
 * Every generated file, as it should be now. `demoOutput` is what `npm run demo` printed: with it
 * the README's tour of the demo is cut from it again.
 */
export function generatedDocs(options: { demoOutput?: string } = {}): { file: string; content: string }[] {
  const marked = Object.entries(markedBlocks(options.demoOutput)).map(([file, blocks]) => ({
    file,
    content: Object.entries(blocks).reduce(
      (text, [name, block]) => replaceBlock(text, name, block()),
      readFileSync(file, "utf8"),
    ),
  }));
  return [
    ...marked,
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
