import { readFileSync } from "node:fs";
import { readActions } from "../infra/permissions.js";
import { changeEventPatterns } from "../infra/changes.js";
import { BINDING_SERVICE, batchFanOut, batchRateLimits } from "../infra/fanout.js";
import { parseYamlWithSchema } from "../src/config/load.js";
import { configSchemaFor } from "../src/config/schema.js";
import { exitCodesMarkdown } from "../src/errors.js";
import { permissionsMarkdown } from "../src/permissions.js";
import { stepsMarkdown } from "../src/runbook/step-catalog.js";
import { ruleIds, rulesMarkdown, STEP_KINDS } from "../src/catalog.js";
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
    "docs/fleet.md": { "fan-out": fanOutBlock, "change-patterns": changePatternsBlock },
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

/** The scan's fan-out with drctl.yaml's defaults: what each batch may spend of every service's rate. */
function fanOutBlock(): string {
  const config = parseYamlWithSchema("", "defaults", configSchemaFor(ruleIds()));
  const limits = batchRateLimits(config);
  const fan = batchFanOut(config, "");
  const figure = (n: number) => String(Number(n.toFixed(3)));
  return [
    `With the defaults (\`scan.concurrency\` ${config.scan.concurrency}, binding service ${BINDING_SERVICE}): **${fan.maxConcurrency} batches at once**, each held to:`,
    "",
    "| service | rate per account and region (calls/s, burst): AWS's, or the fallback where AWS publishes none | one batch's share (calls/s, burst) |",
    "| --- | ---: | ---: |",
    ...Object.entries(fan.perBatch).map(([service, share]) => {
      const l = limits[service];
      return `| ${service} | ${l ? `${figure(l.perSecond)}, ${l.burst}` : "?"} | ${figure(share.perSecond)}, ${share.burst} |`;
    }),
  ].join("\n");
}

/** The rules' event patterns, as the forwarding rules in other accounts and regions take them. */
function changePatternsBlock(): string {
  const { apiCalls, alarmStates, certificates } = changeEventPatterns();
  return [
    "`api-calls.json`:",
    "",
    "```json",
    JSON.stringify(apiCalls),
    "```",
    "",
    "`alarm-states.json`:",
    "",
    "```json",
    JSON.stringify(alarmStates),
    "```",
    "",
    "`certificates.json`:",
    "",
    "```json",
    JSON.stringify(certificates),
    "```",
  ].join("\n");
}
