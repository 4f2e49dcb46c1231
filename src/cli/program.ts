import { packageVersion } from "./version.js";
import { Command, CommanderError, Option } from "commander";
import { DrctlError, EXIT, exitCodeOfError, exitCodesLine } from "../errors.js";
import type { CommandContext, GlobalOptions } from "./context.js";
import { COMMAND_DESCRIPTIONS, type CommandName } from "./descriptions.js";
import { processIo, terminalSafe, type Io } from "./io.js";

type WithContext = (run: (ctx: CommandContext) => Promise<number>) => Promise<void>;
type Register = (program: Command, withContext: WithContext) => void;

/**
 * Where each command lives. Only the module of the command being run is loaded (with the AWS SDK
 * clients behind it): `drctl --version` and `drctl --help` load none, so the CLI starts at once.
 */
const MODULES: readonly { commands: readonly CommandName[]; load: () => Promise<Register> }[] = [
  { commands: ["init"], load: async () => (await import("./init.js")).registerInit },
  { commands: ["scan"], load: async () => (await import("./scan.js")).registerScan },
  { commands: ["freshness"], load: async () => (await import("./freshness.js")).registerFreshness },
  { commands: ["history", "diff"], load: async () => (await import("./history.js")).registerHistory },
  { commands: ["publish"], load: async () => (await import("./publish.js")).registerPublish },
  {
    commands: ["failover", "failback", "runbook"],
    load: async () => (await import("./runbook.js")).registerRunbook,
  },
  { commands: ["schedule"], load: async () => (await import("./schedule.js")).registerSchedule },
  { commands: ["drill"], load: async () => (await import("./drill.js")).registerDrill },
  { commands: ["inventory"], load: async () => (await import("./inventory.js")).registerInventory },
  { commands: ["plan"], load: async () => (await import("./plan.js")).registerPlan },
];

/** Global options that take a value: their value is never the command's name. */
const VALUED_GLOBALS = new Set(["--region", "--profile", "--endpoint-url", "--config", "--store"]);

/** The command `argv` runs ("help scan" runs scan's help), or undefined for none or an unknown one. */
export function invokedCommand(argv: readonly string[]): CommandName | undefined {
  let afterHelp = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") return undefined;
    if (arg.startsWith("-")) {
      if (VALUED_GLOBALS.has(arg)) i++;
      continue;
    }
    if (arg === "help" && !afterHelp) {
      afterHelp = true;
      continue;
    }
    return arg in COMMAND_DESCRIPTIONS ? (arg as CommandName) : undefined;
  }
  return undefined;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The program with its global options and help, and how a command gets its context. */
function programRoot(io: Io, exit: (code: number) => void): { program: Command; withContext: WithContext } {
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

  const withContext: WithContext = async (run) => {
    const { CommandContext } = await import("./context.js");
    const ctx = await CommandContext.create(program.opts<GlobalOptions>(), io);
    try {
      exit(await run(ctx));
    } finally {
      ctx.close();
    }
  };
  return { program, withContext };
}

/**
 * The command tree for `argv`: the command it runs registered in full, every other one by its
 * name and description only (enough for `drctl --help`); `exit` receives the command's exit code.
 * `argv` undefined registers every command in full.
 */
export async function buildProgram(
  io: Io,
  exit: (code: number) => void,
  argv?: readonly string[],
): Promise<Command> {
  const { program, withContext } = programRoot(io, exit);
  const invoked = argv === undefined ? undefined : invokedCommand(argv);
  for (const module of MODULES) {
    if (argv === undefined || (invoked !== undefined && module.commands.includes(invoked))) {
      (await module.load())(program, withContext);
      continue;
    }
    for (const name of module.commands) program.command(name).description(COMMAND_DESCRIPTIONS[name]);
  }
  return program;
}

/**
 * Runs drctl with `argv` (without node and script); resolves to the exit code. Never throws.
 * Everything it prints goes through `terminalSafe`.
 */
export async function runCli(argv: string[], rawIo: Io = processIo): Promise<number> {
  const io = terminalSafe(rawIo);
  let code: number = EXIT.ok;
  try {
    const program = await buildProgram(io, (c) => (code = c), argv);
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
