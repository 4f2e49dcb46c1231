import { InvalidArgumentError, type Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { parseArn } from "../aws/arn.js";
import { assertRegion } from "../aws/regions.js";
import { RESOURCE_TYPES, STORE_TYPES } from "../catalog.js";
import { primaryRegions } from "../config/schema.js";
import { EXIT, InputError } from "../errors.js";
import { lineDiff } from "../init/diff.js";
import { runInit } from "../init/init.js";
import { writeFileAtomic } from "../util/files.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFile } from "./paths.js";

interface InitFlags {
  out: string;
  regions?: string[];
  force?: boolean;
  dryRun?: boolean;
}

/** `--regions us-east-1,eu-west-1`: each a known region code, each once. */
function regionList(value: string): string[] {
  const regions = value
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (regions.length === 0) throw new InvalidArgumentError("expected region codes separated by commas.");
  try {
    for (const r of regions) assertRegion(r, "--regions");
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return [...new Set(regions)];
}

/** Whether drctl compares (a scan type) or measures (a data-store type) resources of this ARN's type. */
function comparable(arn: string): boolean {
  try {
    const parsed = parseArn(arn);
    return RESOURCE_TYPES.some((t) => t.pairing.owns(parsed)) || STORE_TYPES.some((t) => t.owns(parsed));
  } catch {
    return false;
  }
}

async function init(ctx: CommandContext, flags: InitFlags): Promise<number> {
  const exists = existsSync(flags.out);
  if (exists && !flags.force && !flags.dryRun)
    throw new InputError(
      `${flags.out} exists: drctl init never overwrites without --force (see what it would write with --dry-run)`,
    );
  if (!flags.dryRun) prepareFile(flags.out, "--out");
  const aws = await ctx.aws();
  const result = await runInit(aws, {
    regions: flags.regions ?? ctx.options.region,
    homeRegion: primaryRegions(ctx.config)[0] ?? "us-east-1",
    types: STORE_TYPES,
    comparable,
    file: flags.out,
    now: new Date(),
    progress: (line) => ctx.progress(line),
  });
  if (result.regions.length === 0)
    throw new InputError(
      `no region left to read: ${result.skipped.map((s) => `${s.region} (${s.reason})`).join("; ")}`,
    );
  const { plan } = result;
  const summary = `${plan.proposals.length} proposed pair(s), ${plan.tagged.length} tagged, ${plan.ambiguous.length} with two candidate twins, ${plan.nearMisses.length} near-miss tag(s)`;
  if (flags.dryRun) {
    ctx.io.out(result.text);
    if (exists) {
      const diff = lineDiff(readFileSync(flags.out, "utf8"), result.text);
      ctx.io.out(
        diff ? `# --- changes against ${flags.out} ---\n${diff}` : `# ${flags.out} would not change`,
      );
    }
    ctx.progress(`dry run: ${flags.out} not written; ${summary}`);
  } else {
    writeFileAtomic(flags.out, result.text, { mode: 0o644 });
    ctx.progress(`wrote ${flags.out}: ${summary}; review it, then run drctl scan and drctl freshness`);
  }
  ctx.progress(ctx.callSummary());
  return EXIT.ok;
}

export function registerInit(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("init")
    .description(COMMAND_DESCRIPTIONS.init)
    .option("--out <file>", "the file to write", "drctl.yaml")
    .option(
      "--regions <list>",
      "regions to read, comma-separated (default: every region enabled)",
      regionList,
    )
    .option("--force", "overwrite the file if it exists")
    .option(
      "--dry-run",
      "print what would be written (and the changes against an existing file); write nothing",
    )
    .addHelpText(
      "after",
      `
Examples:
  drctl init --regions us-east-1,eu-west-1        write ./drctl.yaml from two regions
  drctl init --dry-run                             every enabled region; print, write nothing
  drctl init --out prod.yaml --force               overwrite prod.yaml`,
    )
    .action((flags: InitFlags) => withContext((ctx) => init(ctx, flags)));
}
