import type { HistoryStore, StoredRun } from "./types.js";

/** The run before `run` of the same kind, if any. */
export async function previousRun(
  store: HistoryStore,
  run: { id: string; kind: StoredRun["kind"] },
): Promise<StoredRun | undefined> {
  const recent = await store.list({ kind: run.kind, limit: 50 });
  const at = recent.findIndex((r) => r.id === run.id);
  const before = at === -1 ? recent[0] : recent[at + 1];
  return before ? store.get(before.id) : undefined;
}
