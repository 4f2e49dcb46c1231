import type { HistoryStore } from "../history/types.js";
import type { PlanResult } from "../core/plan-result.js";

/** How far back the history is searched for an application's plan. */
const SEARCH = 100;

/** The newest stored plan of `application` other than `exceptId`. */
export async function previousPlan(
  store: HistoryStore,
  application: string,
  exceptId?: string,
): Promise<{ id: string; result: PlanResult } | undefined> {
  for (const header of await store.list({ kind: "plan", limit: SEARCH })) {
    if (header.id === exceptId) continue;
    const run = await store.get(header.id).catch(() => undefined);
    if (run?.kind === "plan" && run.result.application === application)
      return { id: run.id, result: run.result };
  }
  return undefined;
}
