import type { Command } from "commander";
import { join } from "node:path";
import { primaryRegions } from "../config/schema.js";
import { publishToS3, writeSiteToFolder } from "../report/publish.js";
import { buildSite } from "../report/site.js";
import { drctlHome } from "../store/open.js";
import type { CommandContext } from "./context.js";

export function registerPublish(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("publish")
    .description(
      "write the report site from the history: one page per scan, an index with trend, and the JSON",
    )
    .option("--to <target>", "a folder, or s3://BUCKET[/PREFIX] (default: ~/.drctl/site)")
    .option("--website", "with s3://: also configure static website hosting (objects stay private)")
    .option("--limit <n>", "how many recent scans to include", "100")
    .addHelpText(
      "after",
      "\nExamples:\n  drctl publish                             ~/.drctl/site/index.html\n  drctl publish --to ./site\n  drctl publish --to s3://dr-reports/prod   private bucket, created with public access blocked if missing",
    )
    .action((flags: { to?: string; website?: boolean; limit: string }) =>
      withContext(async (ctx) => {
        const files = await buildSite(await ctx.store(), Number(flags.limit) || 100);
        const target = flags.to ?? join(drctlHome(), "site");
        const region = ctx.options.region[0] ?? primaryRegions(ctx.config)[0] ?? "us-east-1";
        const where = target.startsWith("s3://")
          ? await publishToS3(await ctx.aws(), region, target, files, { website: flags.website ?? false })
          : writeSiteToFolder(target, files);
        ctx.result(
          () => `published ${files.length} files: ${where}`,
          () => ({ version: 1, files: files.map((f) => f.path), index: where }),
        );
        return 0;
      }),
    );
}
