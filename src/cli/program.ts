import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import { DrctlError, EXIT, exitCodeOfError, exitCodesLine } from "../errors.js";
import { CommandContext, type GlobalOptions } from "./context.js";
import { registerDrill } from "./drill.js";
import { registerInventory } from "./inventory.js";
import { registerFreshness } from "./freshness.js";
import { registerHistory } from "./history.js";
import { registerInit } from "./init.js";
import { registerPlan } from "./plan.js";
import { registerPublish } from "./publish.js";
import { registerRunbook } from "./runbook.js";
import { registerScan } from "./scan.js";
import { registerSchedule } from "./schedule.js";
import { processIo, terminalSafe, type Io } from "./io.js";

/** The version in package.json: two levels up from src/cli when run with tsx, three from dist/src/cli. */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      // not at this level
    }
  }
  return "0.0.0";
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Builds the command tree; `exit` receives each command's exit code. */
export function buildProgram(io: Io, exit: (code: number) => void): Command {
  const program = new Command("drctl");
  program
    .description(
      "Prove that the standby AWS region can take over: readiness, freshness, failover and drills.",
    )
    .version(packageVersion(), "-V, --version")
    .addOption(
      new Option("--region <code>", "region to act on (repeatable); default: from drctl.yaml")
        .argParser(collect)
        .default([]),
    )
    .option("--profile <name>", "AWS profile from ~/.aws/config")
    .option(
      "--endpoint-url <url>",
      "send every AWS call to this endpoint (a local emulator); default: AWS_ENDPOINT_URL",
    )
    .option("--config <file>", "configuration file (default: ./drctl.yaml when present)")
    .option(
      "--store <location>",
      "history: a SQLite file, or dynamodb://TABLE?region=REGION (default: ~/.drctl/history.sqlite)",
    )
    .option("--json", "print results as JSON on stdout")
    .option("--quiet", "print no progress on stderr")
    .option("--verbose", "print every AWS call on stderr")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // Bad input is one line: what was expected, where; `drctl COMMAND --help` has the rest.
      outputError: (s, write) => write(`drctl: ${s.replace(/^error: /, "").trim()}\n`),
    })
    .addHelpText(
      "after",
      `
${exitCodesLine()}

Examples:
  drctl scan --html report.html            readiness of every DR pair, with an HTML report
  drctl inventory                          count resources in the primary and standby regions
  drctl inventory --json --region us-east-1
  drctl --config prod.yaml --profile prod inventory`,
    );

  const withContext = async (run: (ctx: CommandContext) => Promise<number>) => {
    const ctx = CommandContext.create(program.opts<GlobalOptions>(), io);
    try {
      exit(await run(ctx));
    } finally {
      ctx.close();
    }
  };
  registerScan(program, withContext);
  registerFreshness(program, withContext);
  registerHistory(program, withContext);
  registerPublish(program, withContext);
  registerRunbook(program, withContext);
  registerSchedule(program, withContext);
  registerDrill(program, withContext);
  registerInventory(program, withContext);
  registerPlan(program, withContext);
  registerInit(program, withContext);
  return program;
}

/**
 * Runs drctl with `argv` (without node and script); resolves to the exit code. Never throws.
 * Everything it prints goes through `terminalSafe`.
 */
export async function runCli(argv: string[], rawIo: Io = processIo): Promise<number> {
  const io = terminalSafe(rawIo);
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (err instanceof DrctlError) io.err(`drctl: ${err.message}`);
    else
      io.err(`drctl: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return exitCodeOfError(err);
  }
}
