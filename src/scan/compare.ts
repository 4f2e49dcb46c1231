/** Small helpers rules share: stable value comparison and key-by-key map differences. */
import type { Difference } from "./types.js";

/** JSON with sorted object keys, so equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

export function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** A difference when `a` and `b` differ; none otherwise. */
export function differ(path: string, a: unknown, b: unknown, message: string): Difference[] {
  return same(a, b) ? [] : [{ path, primary: a ?? null, secondary: b ?? null, message }];
}

/** Every key present on either side whose values differ, including keys present on one side only. */
export function diffMaps(
  path: string,
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  describe: (key: string, primary: unknown, secondary: unknown) => string,
): Difference[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => {
    const [pa, sb] = [a[key], b[key]];
    if (same(pa, sb)) return [];
    return [
      { path: `${path}.${key}`, primary: pa ?? null, secondary: sb ?? null, message: describe(key, pa, sb) },
    ];
  });
}

/** Elements of a set present on one side only, each as a difference. */
export function diffSets(
  path: (item: string) => string,
  a: Iterable<string>,
  b: Iterable<string>,
  what: string,
): Difference[] {
  const [left, right] = [new Set(a), new Set(b)];
  const out: Difference[] = [];
  for (const item of [...left].sort()) {
    if (!right.has(item))
      out.push({
        path: path(item),
        primary: item,
        secondary: null,
        message: `the standby lacks ${what} ${item} that the primary has`,
      });
  }
  for (const item of [...right].sort()) {
    if (!left.has(item))
      out.push({
        path: path(item),
        primary: null,
        secondary: item,
        message: `the standby has ${what} ${item} that the primary lacks`,
      });
  }
  return out;
}

/** A value as a person reads it in a message: strings as they are, anything else as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? value : value === undefined ? "(absent)" : JSON.stringify(value);
}
