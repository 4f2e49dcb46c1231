import type { Command } from "commander";
import { exitCodeFor, summarizeCauses } from "../errors.js";
import { formatInventory, inventoryFailures, takeInventory } from "../inventory/inventory.js";
import type { CommandContext } from "./context.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";

export function registerInventory(
  program: Command,
  withContext: (run: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  program
    .command("inventory")
    .description(COMMAND_DESCRIPTIONS.inventory)
    .addHelpText(
      "after",
      `
Examples:
  drctl inventory                                  regions.primary and regions.standby of drctl.yaml (default us-east-1)
  drctl inventory --region eu-west-1 --region us-east-1 --json
  drctl inventory --endpoint-url http://127.0.0.1:5000   against a local emulator`,
    )
    .action(() =>
      withContext(async (ctx) => {
        const aws = await ctx.aws();
        ctx.progress(`counting resources in ${ctx.regions.join(", ")}`);
        const inventory = await takeInventory(aws, ctx.regions);
        ctx.result(
          () => formatInventory(inventory),
          () => ({ version: 1, ...inventory, stats: { calls: aws.counter.byOperation } }),
        );
        ctx.progress(ctx.callSummary());
        // Failures said once per cause, with a count; each one under --verbose.
        const failures = inventoryFailures(inventory);
        for (const f of failures) ctx.detail(`error: ${f.where}: ${f.error}`);
        for (const line of summarizeCauses(
          failures.map((f) => f.cause),
          { one: "call failed", many: "calls failed" },
        ))
          ctx.io.err(`drctl: ${line}`);
        return exitCodeFor({ unfinished: failures.map((f) => f.cause) });
      }),
    );
}
