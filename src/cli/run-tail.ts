/**
 * What the scan and freshness commands share around the run pipeline: the channels checked
 * before the first AWS call, what sends (or why nothing will), and the lines that say how the
 * sending went.
 */
import { join } from "node:path";
import { expandHome } from "../config/store-location.js";
import { drctlHome } from "../history/open.js";
import { channelsOf, type NotifyChoice } from "../notify/notify.js";
import type { Finished } from "../runs/pipeline.js";
import type { CommandContext } from "./context.js";
import { prepareFolder } from "./paths.js";

/** The outbox a run will write its email to, checked to be writable before any work starts. */
export function prepareOutbox(ctx: CommandContext, choice: NotifyChoice): void {
  const email = ctx.config.notify.email;
  if (choice === "outbox" || (choice === "configured" && email.enabled && email.transport === "outbox"))
    prepareFolder(
      email.outbox ? expandHome(email.outbox) : join(drctlHome(), "outbox"),
      email.outbox ? "notify.email.outbox" : "the outbox",
    );
}

/**
 * finishRun's `send`, when this run sends at all: with --no-store nothing is compared, so only an
 * explicit --notify outbox sends, never the channels of drctl.yaml.
 */
export function sendOption<T>(flags: { store: boolean }, choice: NotifyChoice, send: T): { send?: T } {
  return !flags.store && choice === "configured" ? {} : { send };
}

/** How the sending went, a line a channel; and, with --no-store, what was not sent and why. */
export function sayDeliveries(
  ctx: CommandContext,
  finished: Finished<unknown>,
  flags: { store: boolean },
  choice: NotifyChoice,
): void {
  if (!finished.sendable) return;
  if (!flags.store && choice === "configured") {
    const would = channelsOf(ctx.config.notify, choice);
    if (would.length > 0)
      ctx.progress(`notify: nothing sent to ${would.join(", ")}: --no-store leaves nothing to compare with`);
    return;
  }
  for (const d of finished.deliveries) ctx.progress(`notify: ${d.channel}: ${d.detail}`);
  for (const d of finished.deliveries.filter((x) => !x.ok))
    ctx.io.err(`drctl: notification through ${d.channel} failed: ${d.detail}`);
}
