/**
 * Test support: every rule with a check() has, beside its rules.ts, a passing and a failing pair
 * of normalized values (rules.cases.ts), run by its rules.test.ts; src/catalog.test.ts
 * fails when a rule has none. Values with references are resolved through twins as the engine
 * resolves them (`resolved`), so a case compares what a scan compares.
 */
import { describe, expect, it } from "vitest";
import { PairTwins, type RefKind } from "./refs.js";
import type { TwinLink } from "./twins.js";
import type { Rule, ScanSettings } from "./rule.js";

export interface RuleCase<T> {
  /** Primary and standby that the rule finds equal. */
  pass: [T, T];
  /** Primary and standby that differ in what the rule compares; `paths` are the differences it reports. */
  fail: [T, T];
  paths: string[];
  settings?: Partial<ScanSettings>;
}

export type RuleCases<T> = Record<string, RuleCase<T>>;

export const SETTINGS: ScanSettings = {
  strategy: "warm-standby",
  certificateExpiryDays: 30,
  now: new Date("2026-12-01T00:00:00Z"),
};

/** Primary and standby values with their references resolved through `links` (of `kind`). */
export function resolved<T>(kind: RefKind, links: TwinLink[], primary: T, standby: T): [T, T] {
  const twins = new PairTwins();
  twins.record(kind, links);
  return [twins.resolve(primary, "primary"), twins.resolve(standby, "standby")];
}

export function runRuleCases<T>(rules: readonly Rule<T>[], cases: RuleCases<T>): void {
  describe("rule cases", () => {
    for (const rule of rules) {
      const c = cases[rule.id];
      if (!c) continue;
      const settings = { ...SETTINGS, ...c.settings };
      it(`${rule.id}: passes equal twins and reports the difference of unequal ones`, () => {
        expect(rule.check(c.pass[0], c.pass[1], settings)).toEqual([]);
        const found = rule.check(c.fail[0], c.fail[1], settings);
        expect(found.map((d) => d.path).sort()).toEqual([...c.paths].sort());
        // A sentence a person can act on: no JSON, no template.
        for (const d of found) expect(d.message).not.toMatch(/[{}[\]"]{2}|\{region\}|^\s*$/);
      });
    }
  });
}
