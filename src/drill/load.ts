import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { parseYamlWithSchema } from "../config/load.js";
import { ConfigError, InputError } from "../errors.js";
import { commandProblems, literalProblems, pathLabel } from "../runbook/check.js";
import { loadRunbook, type LoadedRunbook } from "../runbook/load.js";
import type { StepKinds } from "../runbook/kinds.js";
import { closest } from "../util/closest.js";
import { drillSchema, type DrillFile } from "./schema.js";

export interface LoadedDrill {
  drill: DrillFile;
  file: string;
  /** sha256 of the drill file and of the runbooks it names: a drill resumes only with the same texts. */
  hash: string;
  /** The failover runbook (undefined for `runbook: none`). */
  runbook: LoadedRunbook | undefined;
  /** The failback runbook file (undefined for generated or none). */
  failback: LoadedRunbook | undefined;
  failbackMode: "generated" | "none" | "file";
  /** The step kinds its fault and runbooks were checked against. */
  kinds: StepKinds;
}

/** file:line:column of a key path in the YAML text (the nearest existing ancestor). */
function positionOf(text: string, path: (string | number)[]): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lines.linePos(range[0]);
  }
  return { line: 1, col: 1 };
}

/** Where a drill file's error is: file:line:column of a key path, with the message. */
type At = (path: (string | number)[], message: string) => ConfigError;

/** Names given once, two regions, the fault's region in its scope, probe timeouts in range. */
function checkShape(drill: DrillFile, at: At): void {
  const names = new Set<string>();
  drill.endpoints.forEach((e, i) => {
    if (names.has(e.name))
      throw at(["endpoints", i, "name"], `endpoints.${i}.name: "${e.name}" is named twice`);
    names.add(e.name);
  });
  const canaryNames = new Set<string>();
  drill.canaries.forEach((c, i) => {
    if (canaryNames.has(c.name))
      throw at(["canaries", i, "name"], `canaries.${i}.name: "${c.name}" is named twice`);
    canaryNames.add(c.name);
  });
  const { primary, standby } = drill.regions;
  if (primary === standby)
    throw at(["regions", "standby"], "regions.standby: expected another region than the primary");
  const { region: faultRegion, scope } = drill.fault;
  const mayAct = scope === "any" ? undefined : scope === "standby" ? [primary, standby] : [primary];
  if (faultRegion !== undefined && mayAct && !mayAct.includes(faultRegion))
    throw at(
      ["fault", "region"],
      `fault.region: ${faultRegion} is ${faultRegion === standby ? "the standby region" : "not the primary region"}: a drill's fault acts in its primary region (${primary})${scope === "primary" ? `; scope: ${faultRegion === standby ? "standby" : "any"} with a reason lets it act there` : "; scope: any with a reason lets it act there"}`,
    );
  if (drill.probe.timeout > drill.probe.interval * 10)
    throw at(["probe", "timeout"], "probe.timeout: expected at most ten probe intervals");
}

/** The fault: a fault kind that exists, its parameters valid, no value inside a shell script. */
function checkFault(drill: DrillFile, at: At, kinds: StepKinds): void {
  const kind = kinds.get(drill.fault.kind);
  if (!kind || !drill.fault.kind.startsWith("fault.")) {
    const known = kinds.faults();
    const near = closest(drill.fault.kind, known);
    throw at(
      ["fault", "kind"],
      `fault.kind: no fault kind "${drill.fault.kind}"${near ? ` (did you mean ${near}?)` : ""}; expected one of ${known.join(", ")}`,
    );
  }
  // Checked as a runbook's step is: a misspelt key first, with the closest known one.
  const problem = literalProblems(kind, drill.fault.params)[0];
  if (problem)
    throw at(
      ["fault", "params", ...problem.path],
      `fault.params${problem.path.length ? `.${pathLabel(problem.path)}` : ""}: ${problem.message}${problem.message.includes(kind.kind) ? "" : ` (for ${kind.kind})`}`,
    );
  // A value inside a command's shell script would run as code: refused as in a runbook.
  const command = commandProblems(kind, drill.fault.params)[0];
  if (command)
    throw at(
      ["fault", "params", ...command.path],
      `fault.params.${pathLabel(command.path)}: ${command.message}`,
    );
}

/** The failover and failback runbooks the drill names, loaded and for the drill's application. */
function runbooksOf(drill: DrillFile, file: string, at: At, kinds: StepKinds) {
  const near = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  const runbookFile = (key: "runbook" | "failback", path: string, set = {}) => {
    try {
      return loadRunbook(kinds, near(path), set);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw at([key], `${key}: ${(err as Error).message}`);
    }
  };
  const runbook = drill.runbook === "none" ? undefined : runbookFile("runbook", drill.runbook, drill.set);
  if (!runbook && Object.keys(drill.set).length > 0)
    throw at(["set"], "set: values for a runbook, but runbook is none");
  if (runbook && runbook.runbook.application !== drill.application)
    throw at(
      ["runbook"],
      `runbook: ${runbook.file} is for application "${runbook.runbook.application}", the drill for "${drill.application}" (one lock must cover both)`,
    );
  const failbackMode =
    drill.failback === "generated" ? "generated" : drill.failback === "none" ? "none" : "file";
  if (failbackMode === "generated" && !runbook) {
    // Nothing to generate from: the revert of the fault is the failback.
  }
  const failback = failbackMode === "file" ? runbookFile("failback", drill.failback) : undefined;
  if (failback && failback.runbook.application !== drill.application)
    throw at(
      ["failback"],
      `failback: ${failback.file} is for application "${failback.runbook.application}", the drill for "${drill.application}"`,
    );
  return { runbook, failback, failbackMode } as const;
}

/**
 * Reads and validates a drill file: its schema, the fault's kind and parameters, the runbooks it
 * names. Every error names file:line:column and what was expected; nothing is read from AWS.
 */
export function loadDrill(kinds: StepKinds, file: string): LoadedDrill {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read drill file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const drill = parseYamlWithSchema(text, file, drillSchema);
  const at: At = (path, message) => {
    const pos = positionOf(text, path);
    return new ConfigError(file, pos.line, pos.col, message);
  };
  checkShape(drill, at);
  checkFault(drill, at, kinds);
  const { runbook, failback, failbackMode } = runbooksOf(drill, file, at, kinds);
  const hash = createHash("sha256").update(text);
  for (const r of [runbook, failback]) if (r) hash.update(r.hash);
  return { drill, file, hash: hash.digest("hex"), runbook, failback, failbackMode, kinds };
}
