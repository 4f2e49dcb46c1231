import type { HistoryStore, StoredOf, StoredRun } from "./types.js";

/** The run before `run` of the same kind, if any. */
export async function previousRun<K extends StoredRun["kind"]>(
  store: HistoryStore,
  run: { id: string; kind: K },
): Promise<StoredOf<K> | undefined> {
  const recent = await store.list({ kind: run.kind, limit: 50 });
  const at = recent.findIndex((r) => r.id === run.id);
  const before = at === -1 ? recent[0] : recent[at + 1];
  const found = before ? await store.get(before.id) : undefined;
  return found?.kind === run.kind ? (found as StoredOf<K>) : undefined;
}
