import type { HistoryStore, StoredOf, StoredRun } from "./types.js";

/**
 * The newest stored run before `run` of the same kind that `usable` accepts (any, by default), if
 * any. A run it refuses (one that could not read everything) is passed over for the one before.
 */
export async function previousRun<K extends StoredRun["kind"]>(
  store: HistoryStore,
  run: { id: string; kind: K },
  usable: (found: StoredOf<K>) => boolean = () => true,
): Promise<StoredOf<K> | undefined> {
  const recent = await store.list({ kind: run.kind, limit: 50 });
  const at = recent.findIndex((r) => r.id === run.id);
  for (const before of recent.slice(at + 1)) {
    const found = await store.get(before.id);
    if (found?.kind !== run.kind) continue;
    if (usable(found as StoredOf<K>)) return found as StoredOf<K>;
  }
  return undefined;
}
