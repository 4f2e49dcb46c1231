/** Small helpers rules share: stable value comparison and key-by-key map differences. */
import { isRef, isResolved, refName } from "./refs.js";
import type { Difference } from "./rule.js";

/**
 * JSON with sorted object keys, so equal values compare equal whatever their key order. A
 * reference is written as what it points at (for a resolved one: its twin key, so references to
 * twins are equal whatever their names); the items of a `{ $set: [...] }` in any order.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(canonicalValue(value));
}

function canonicalValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonicalValue);
  if (isRef(v)) return `$ref:${v.$ref}:${isResolved(v) ? v.key : v.id}`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === "$set" && Array.isArray(entries[0][1]))
      return { $set: entries[0][1].map((x) => canonical(x)).sort() };
    return Object.fromEntries(
      entries
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, canonicalValue(x)]),
    );
  }
  return v;
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

/** A value as a person reads it in a message: no JSON, references by name, sets as lists. */
export function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  if (value === null) return "(none)";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isRef(value)) return refName(value);
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(show).join(", ");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && entries[0]?.[0] === "$set") return show(entries[0][1]);
  return entries.map(([k, v]) => `${k} ${show(v)}`).join("; ");
}
