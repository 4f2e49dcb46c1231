/**
 * The event rules' function: each API call CloudTrail delivers through EventBridge, each alarm's
 * state change and each certificate ACM renews, rotates, revokes or lets expire, kept in the
 * history as it comes, so the next incremental scan re-reads the pairs it touches. Any other event
 * (or one that names nothing) is ignored; recording the same event twice keeps it once.
 */
import { changeOfEventBridgeEvent } from "../changes/cloudtrail-event.js";
import { openStore } from "../history/open.js";
import type { Runtime } from "./runtime.js";

export interface ChangesSummary {
  events: number;
  recorded: number;
  ignored: number;
}

/** Records the changes an EventBridge event (or a list of them) says were made. */
export async function changes(
  rt: Pick<Runtime, "store" | "aws" | "log">,
  event: unknown,
): Promise<ChangesSummary> {
  const events: unknown[] = Array.isArray(event) ? event : [event];
  const found = events.flatMap((e) => changeOfEventBridgeEvent(e) ?? []);
  if (found.length > 0) {
    const store = await openStore(rt.store, () => Promise.resolve(rt.aws));
    try {
      await store.recordChanges(found);
    } finally {
      store.close();
    }
  }
  const summary = { events: events.length, recorded: found.length, ignored: events.length - found.length };
  rt.log(`changes: ${summary.recorded} recorded, ${summary.ignored} ignored of ${summary.events} events`);
  return summary;
}
