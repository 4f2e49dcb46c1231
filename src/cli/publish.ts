import { Option, type Command } from "commander";
import { join } from "node:path";
import { primaryRegions } from "../config/schema.js";
import { exitCodeFor, InputError } from "../errors.js";
import { parseS3Url, publishToS3, writeSiteToFolder } from "../report/publish.js";
import { buildSiteReport } from "../report/site.js";
import { drctlHome } from "../history/open.js";
import { wholeNumber } from "./args.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { prepareFolder } from "./paths.js";

export function registerPublish(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("publish")
    .description(COMMAND_DESCRIPTIONS.publish)
    .option("--to <target>", "a folder, or s3://BUCKET[/PREFIX] (default: ~/.drctl/site)")
    .option("--website", "with s3://: also configure static website hosting (objects stay private)")
    .addOption(
      new Option("--limit <n>", "how many recent scans to include (a whole number)")
        .argParser(wholeNumber(1))
        .default(100),
    )
    .addHelpText(
      "after",
      "\nA stored run that cannot be read is left out and listed on the index; the command then exits 3.\n\nExamples:\n  drctl publish                             ~/.drctl/site/index.html\n  drctl publish --to ./site\n  drctl publish --to s3://dr-reports/prod   private bucket, created with public access blocked if missing",
    )
    .action((flags: { to?: string; website?: boolean; limit: number }) =>
      withContext(async (ctx) => {
        // The target is checked before the history is read: a folder that cannot be made is exit 2 now
        // (and none is made for a history that does not exist).
        const target = flags.to ?? join(drctlHome(), "site");
        const toS3 = target.startsWith("s3://");
        if (!toS3 && /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target))
          throw new InputError(
            `publish target ${JSON.stringify(target)} (from --to): expected a folder or s3://BUCKET[/PREFIX]`,
          );
        if (toS3) parseS3Url(target);
        const store = await ctx.store("read");
        if (!toS3) prepareFolder(target, flags.to ? "--to" : "the default site folder", 0o755);
        const { files, skipped } = await buildSiteReport(store, flags.limit);
        const region = ctx.options.region[0] ?? primaryRegions(ctx.config)[0] ?? "us-east-1";
        const where = toS3
          ? await publishToS3(await ctx.aws(), region, target, files, { website: flags.website ?? false })
          : writeSiteToFolder(target, files);
        ctx.result(
          () => `published ${files.length} files: ${where}`,
          () => ({ version: 1, files: files.map((f) => f.path), index: where, skipped }),
        );
        for (const s of skipped) ctx.io.err(`drctl: run ${s.id} left out of the site: ${s.reason}`);
        return exitCodeFor({ unfinished: skipped.map((s) => s.reason) });
      }),
    );
}
