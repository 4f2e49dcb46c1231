/**
 * Twin matching: which resource on the standby is the twin of which on the primary. One matcher
 * for every resource type that is referenced from another (target groups, security groups, ...),
 * in the order a person would reason:
 *   1. through the pair: the resource the same listener action, rule position or record uses
 *      on both sides (evidence), when it points one way only;
 *   2. by name;
 *   3. by name with region codes, role words and the pair's own name parts taken out;
 *   4. by shape (same protocol, port, health check, ...) when exactly one candidate remains.
 * Two candidates that come to the same key are ambiguous: reported, never guessed.
 */
import { nameKeyer, type NameSide } from "./twin-names.js";

/** A resource that may have a twin on the other side. */
export interface TwinCandidate {
  id: string;
  name: string;
  /** What it is, without its name: two candidates of equal shape could be twins. */
  shape?: string;
}

/** "primary `primaryId` and standby `standbyId` are used in the same place" (`via` says where). */
export interface TwinEvidence {
  primaryId: string;
  standbyId: string;
  via: string;
}

export type TwinMethod = "pair" | "name" | "normalized-name" | "shape";

export interface TwinLink {
  primary: { id: string; name: string };
  standby: { id: string; name: string };
  method: TwinMethod;
  /** For a match through the pair: where both are used. */
  via?: string;
}

/** Resources of both sides that come to one key: more than one on a side, so none is chosen. */
export interface Ambiguity {
  /** The key they share (their name, or their name without region and role). */
  key: string;
  primary: { id: string; name: string }[];
  standby: { id: string; name: string }[];
}

export interface MatchResult {
  links: TwinLink[];
  unmatchedPrimary: TwinCandidate[];
  unmatchedStandby: TwinCandidate[];
  ambiguous: Ambiguity[];
}

export interface MatchSides {
  primary: NameSide;
  standby: NameSide;
}

const view = (c: TwinCandidate) => ({ id: c.id, name: c.name });

type SideName = "primary" | "standby";

/** The one id with the most votes, or undefined when none or a tie. */
function best(counts: Map<string, number>): string | undefined {
  const top = Math.max(0, ...counts.values());
  const at = [...counts].filter(([, n]) => n === top);
  return at.length === 1 ? at[0]?.[0] : undefined;
}

/** Candidates that have a shape, grouped by it. */
function byShapeOf(free: ReadonlyMap<string, TwinCandidate>): Map<string, TwinCandidate[]> {
  const out = new Map<string, TwinCandidate[]>();
  for (const c of free.values()) {
    if (c.shape === undefined) continue;
    const same = out.get(c.shape);
    if (same) same.push(c);
    else out.set(c.shape, [c]);
  }
  return out;
}

/** One match: the candidates not yet linked on each side, the links and the ambiguities found. */
class TwinMatcher {
  readonly freeP: Map<string, TwinCandidate>;
  readonly freeS: Map<string, TwinCandidate>;
  readonly links: TwinLink[] = [];
  readonly ambiguous = new Map<string, Ambiguity>();
  // Each candidate's name and name key, computed once (a VPC may hold hundreds of groups).
  private readonly keys = new Map<TwinCandidate, { name: string; key: string }>();
  private readonly nameTwinOfP: Map<string, string>;
  private readonly nameTwinOfS: Map<string, string>;
  private readonly keyers: Record<SideName, (name: string) => string>;

  constructor(primaries: readonly TwinCandidate[], standbys: readonly TwinCandidate[], sides: MatchSides) {
    this.keyers = { primary: nameKeyer(sides.primary), standby: nameKeyer(sides.standby) };
    this.freeP = new Map(primaries.map((c) => [c.id, c]));
    this.freeS = new Map(standbys.map((c) => [c.id, c]));
    this.nameTwinOfP = this.nameTwins(primaries, standbys, "primary");
    this.nameTwinOfS = this.nameTwins(standbys, primaries, "standby");
  }

  link(p: TwinCandidate, s: TwinCandidate, method: TwinMethod, via?: string): void {
    this.links.push({ primary: view(p), standby: view(s), method, ...(via ? { via } : {}) });
    this.freeP.delete(p.id);
    this.freeS.delete(s.id);
  }

  keysOf(c: TwinCandidate, side: SideName): { name: string; key: string } {
    let k = this.keys.get(c);
    if (!k) {
      k = { name: c.name.toLowerCase(), key: this.keyers[side](c.name) };
      this.keys.set(c, k);
    }
    return k;
  }

  /** The twin each candidate's name points at, if exactly one. */
  private nameTwins(own: readonly TwinCandidate[], other: readonly TwinCandidate[], ownSide: SideName) {
    const otherSide = ownSide === "primary" ? "standby" : "primary";
    const index = new Map<string, Set<string>>();
    for (const o of other) {
      const k = this.keysOf(o, otherSide);
      for (const key of [`n:${k.name}`, `k:${k.key}`])
        index.set(key, (index.get(key) ?? new Set()).add(o.id));
    }
    const out = new Map<string, string>();
    for (const c of own) {
      const k = this.keysOf(c, ownSide);
      const hits = new Set([...(index.get(`n:${k.name}`) ?? []), ...(index.get(`k:${k.key}`) ?? [])]);
      if (hits.size === 1) out.set(c.id, [...hits][0] ?? "");
    }
    return out;
  }

  /**
   * Evidence that contradicts a name (the standby's action moved to another group while a group
   * named like the primary's is still there) is not taken as a match: the names pair the groups,
   * and the action is reported as changed.
   */
  private contradicted(p: string, s: string): boolean {
    const ps = this.nameTwinOfP.get(p);
    const sp = this.nameTwinOfS.get(s);
    return (ps !== undefined && ps !== s) || (sp !== undefined && sp !== p);
  }

  /** 1. Through the pair: p and s are twins when each is the other's one best-supported candidate. */
  throughPair(evidence: readonly TwinEvidence[]): void {
    const votes = new Map<string, Map<string, string[]>>();
    for (const e of evidence) {
      if (
        !this.freeP.has(e.primaryId) ||
        !this.freeS.has(e.standbyId) ||
        this.contradicted(e.primaryId, e.standbyId)
      )
        continue;
      const row = votes.get(e.primaryId) ?? new Map<string, string[]>();
      row.set(e.standbyId, [...(row.get(e.standbyId) ?? []), e.via]);
      votes.set(e.primaryId, row);
    }
    const byStandby = new Map<string, Map<string, number>>();
    for (const [p, row] of votes)
      for (const [s, vias] of row)
        byStandby.set(s, (byStandby.get(s) ?? new Map<string, number>()).set(p, vias.length));
    for (const [p, row] of votes) {
      const s = best(new Map([...row].map(([id, vias]) => [id, vias.length])));
      if (s === undefined || best(byStandby.get(s) ?? new Map<string, number>()) !== p) continue;
      const pc = this.freeP.get(p);
      const sc = this.freeS.get(s);
      if (pc && sc) this.link(pc, sc, "pair", [...new Set(row.get(s))].sort().join(", "));
    }
  }

  /** 2-3. By a key both sides compute from the name; a key shared by two candidates of one side is ambiguous. */
  byKey(method: "name" | "normalized-name", key: (c: TwinCandidate, side: SideName) => string): void {
    const group = (free: Map<string, TwinCandidate>, side: SideName) => {
      const out = new Map<string, TwinCandidate[]>();
      for (const c of free.values()) out.set(key(c, side), [...(out.get(key(c, side)) ?? []), c]);
      return out;
    };
    const ss = group(this.freeS, "standby");
    for (const [k, pList] of group(this.freeP, "primary")) {
      const sList = ss.get(k);
      if (!sList) continue;
      if (pList.length === 1 && sList.length === 1) {
        this.link(pList[0] as TwinCandidate, sList[0] as TwinCandidate, method);
        continue;
      }
      this.ambiguous.set(k, { key: k, primary: pList.map(view), standby: sList.map(view) });
    }
  }

  /**
   * 4. By shape, only where it leaves no choice on either side. The free candidates are grouped by
   * shape once (a VPC may hold thousands of groups, and every pair matches them): a link takes the
   * only candidate of its shape on each side, so it changes no other shape's group.
   */
  byShape(): void {
    const [primaries, standbys] = [byShapeOf(this.freeP), byShapeOf(this.freeS)];
    for (const p of [...this.freeP.values()]) {
      if (p.shape === undefined) continue;
      const candidates = standbys.get(p.shape);
      if (candidates?.length === 1 && primaries.get(p.shape)?.length === 1)
        this.link(p, candidates[0] as TwinCandidate, "shape");
    }
  }

  result(): MatchResult {
    // An ambiguity that a later step resolved is no longer one.
    const stillFree = (a: Ambiguity) =>
      a.primary.some((c) => this.freeP.has(c.id)) && a.standby.some((c) => this.freeS.has(c.id));
    return {
      links: this.links,
      unmatchedPrimary: [...this.freeP.values()],
      unmatchedStandby: [...this.freeS.values()],
      ambiguous: [...this.ambiguous.values()].filter(stillFree),
    };
  }
}

export function matchTwins(
  primaries: readonly TwinCandidate[],
  standbys: readonly TwinCandidate[],
  evidence: readonly TwinEvidence[],
  sides: MatchSides,
): MatchResult {
  const m = new TwinMatcher(primaries, standbys, sides);
  m.throughPair(evidence);
  m.byKey("name", (c, side) => m.keysOf(c, side).name);
  m.byKey("normalized-name", (c, side) => m.keysOf(c, side).key);
  m.byShape();
  return m.result();
}
