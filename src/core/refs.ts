/**
 * References between resources (a listener action's target group, a rule's source security group,
 * a record's load balancer), resolved through the pair's twins in this one place. normalize()
 * writes a reference as a Ref; before any rule runs, the engine replaces each Ref with what it
 * means for the pair: the same key on both sides when the two point at twins, a key of its own
 * when the target has no twin or does not exist. Rules compare the resolved values as they
 * compare anything else (canonical() writes a reference as its key), and print its name.
 */
import type { ResourceType } from "./finding.js";
import type { TwinLink } from "./twins.js";

export type RefKind = Exclude<ResourceType, "pair">;

/** A reference as normalize() writes it: the id it names on its own side, and a name to show. */
export interface Ref {
  $ref: RefKind;
  id: string;
  name: string;
  /** Not one of the pair's resources by nature (another account's group, a load balancer of no pair): compared as written. */
  external?: true;
}

export type RefState = "twin" | "no-twin" | "not-found" | "external";

/** A reference after resolution: `key` is what is compared. */
export interface ResolvedRef {
  $ref: RefKind;
  key: string;
  name: string;
  state: RefState;
  /** The side and the id it was written with. */
  role: Role;
  id: string;
  /** For a twin: the other side's name for it, when it differs. */
  twinName?: string;
}

export function ref(kind: RefKind, id: string, name: string, external = false): Ref {
  return { $ref: kind, id, name, ...(external ? { external: true as const } : {}) };
}

export function isRef(value: unknown): value is Ref | ResolvedRef {
  return typeof value === "object" && value !== null && "$ref" in value;
}

export function isResolved(value: unknown): value is ResolvedRef {
  return isRef(value) && "key" in value;
}

/** How a reference reads in a sentence: its name, and its twin's when that differs. */
export function refName(r: Ref | ResolvedRef): string {
  if (!isResolved(r)) return r.name;
  if (r.state === "no-twin") return `${r.name} (no twin)`;
  if (r.state === "not-found") return `${r.name} (does not exist)`;
  return r.twinName && r.twinName !== r.name ? `${r.name} (twin of ${r.twinName})` : r.name;
}

export type Role = "primary" | "standby";

interface Known {
  /** id -> the other side's id, for twins. */
  twinOf: Map<string, string>;
  names: Map<string, string>;
  /** Every id the module listed on this side (an id outside it does not exist). */
  listed: Set<string>;
}

/** The twins of one pair, by resource type, as the modules matched them; resolves references. */
export class PairTwins {
  private readonly kinds = new Map<RefKind, Record<Role, Known>>();
  readonly links: { type: RefKind; link: TwinLink }[] = [];

  private known(kind: RefKind): Record<Role, Known> {
    let k = this.kinds.get(kind);
    if (!k) {
      const empty = (): Known => ({ twinOf: new Map(), names: new Map(), listed: new Set() });
      k = { primary: empty(), standby: empty() };
      this.kinds.set(kind, k);
    }
    return k;
  }

  /** Records a module's matching: the twins it found and every candidate it considered. */
  record(
    kind: RefKind,
    links: readonly TwinLink[],
    listed?: {
      primary: readonly { id: string; name: string }[];
      standby: readonly { id: string; name: string }[];
    },
  ): void {
    const k = this.known(kind);
    for (const link of links) {
      this.links.push({ type: kind, link });
      k.primary.twinOf.set(link.primary.id, link.standby.id);
      k.standby.twinOf.set(link.standby.id, link.primary.id);
      k.primary.names.set(link.primary.id, link.primary.name);
      k.standby.names.set(link.standby.id, link.standby.name);
      k.primary.listed.add(link.primary.id);
      k.standby.listed.add(link.standby.id);
    }
    for (const role of ["primary", "standby"] as const)
      for (const c of listed?.[role] ?? []) {
        k[role].listed.add(c.id);
        k[role].names.set(c.id, c.name);
      }
  }

  /** Whether the module of `kind` matched anything (references of unmatched kinds stay as written). */
  has(kind: RefKind): boolean {
    return this.kinds.has(kind);
  }

  resolveRef(r: Ref, role: Role): ResolvedRef {
    const base = { $ref: r.$ref, name: r.name, role, id: r.id };
    if (r.external || !this.kinds.has(r.$ref)) return { ...base, key: `external:${r.id}`, state: "external" };
    const k = this.known(r.$ref);
    const other: Role = role === "primary" ? "standby" : "primary";
    const twin = k[role].twinOf.get(r.id);
    if (twin !== undefined) {
      const primaryId = role === "primary" ? r.id : twin;
      const twinName = k[other].names.get(twin);
      return { ...base, key: `twin:${primaryId}`, state: "twin", ...(twinName ? { twinName } : {}) };
    }
    if (!k[role].listed.has(r.id)) return { ...base, key: `not-found:${role}:${r.id}`, state: "not-found" };
    return { ...base, key: `no-twin:${role}:${r.id}`, state: "no-twin" };
  }

  /** `value` with every Ref in it resolved for `role`; the references without a twin are collected. */
  resolve<T>(value: T, role: Role, unmatched: ResolvedRef[] = []): T {
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (isRef(v) && !isResolved(v)) {
        const resolved = this.resolveRef(v, role);
        if (resolved.state === "no-twin" || resolved.state === "not-found") unmatched.push(resolved);
        return resolved;
      }
      if (v && typeof v === "object")
        return Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([key, x]) => [key, walk(x)]),
        );
      return v;
    };
    return walk(value) as T;
  }
}

/** The references in a value without a twin or target, for linking a difference to its cause. */
export function brokenRefs(value: unknown): ResolvedRef[] {
  const out: ResolvedRef[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isResolved(v)) {
      if (v.state === "no-twin" || v.state === "not-found") out.push(v);
    } else if (v && typeof v === "object") Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(value);
  return out;
}
