import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RESOURCE_MODULES, ruleCatalog, STORE_TYPES } from "./catalog.js";
import type { RuleCases } from "./core/rule-cases.testing.js";
import { cases as drillCases } from "./drill/rules.cases.js";
import { DRILL_RULES } from "./drill/rules.js";

/**
 * Rules without a check() of their own: the engine and the twin matcher report them. Where each
 * is tested with a case that reports it and one that does not.
 */
const MADE_BY_THE_ENGINE: Record<string, string> = {
  missing: "src/core/twins.test.ts and test/scan-names.test.ts (a resource without a twin)",
  "ambiguous-twin": "src/core/twins.test.ts and test/scan-names.test.ts (two candidates, never guessed)",
  unreadable: "test/scan-world.test.ts and test/scan-resilience.test.ts (denied and failing reads)",
  "not-found": "test/scan-names.test.ts (a group deleted while the scan ran)",
  "preflight.broken":
    "made by src/drill/preflight.ts from a store freshness finds broken; no test reports it yet",
  "preflight.error":
    "made by src/drill/preflight.ts from a store freshness could not read; no test reports it yet",
  records: "test/scan-semantics.test.ts and test/scan-names.test.ts (records matched as twins)",
};

/** Every case beside every rules.ts: the readiness scan's types, the data-store types and the drill. */
async function allCases(): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  for (const folder of ["resources", "datastores"]) {
    const dir = new URL(`./${folder}/`, import.meta.url);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !existsSync(new URL(`${entry.name}/rules.cases.ts`, dir))) continue;
      const module = (await import(`./${folder}/${entry.name}/rules.cases.ts`)) as {
        cases: RuleCases<unknown>;
      };
      for (const [id, c] of Object.entries(module.cases)) found.set(id, c);
    }
  }
  // A drill's rules check what the drill saw: their cases are beside them in src/drill/.
  for (const [id, c] of Object.entries(drillCases)) found.set(id, c);
  return found;
}

/** The rules with a check() of their own: every one needs cases. */
const checkedRules = () => [
  ...RESOURCE_MODULES.flatMap((m) => m.rules.map((r) => r.id)),
  ...STORE_TYPES.flatMap((t) => t.rules.map((r) => r.id)),
  ...DRILL_RULES.map((r) => r.id),
];

describe("the rule catalogue", () => {
  it("has a passing and a failing case beside every rule that checks twins", async () => {
    const cases = await allCases();
    const checked = checkedRules();
    expect(checked.length).toBeGreaterThan(30);
    expect(checked.filter((id) => !cases.has(id))).toEqual([]);
    // And no case for a rule that does not exist (a renamed rule leaves its case behind).
    expect([...cases.keys()].filter((id) => !checked.includes(id))).toEqual([]);
  });

  it("says where every rule the engine reports is tested", () => {
    const checked = new Set(checkedRules());
    const others = ruleCatalog()
      .filter((g) => g.type !== "pair")
      .flatMap((g) => g.rules.map((r) => r.id))
      .filter((id) => !checked.has(id));
    expect(others.filter((id) => !(id.split(".").slice(1).join(".") in MADE_BY_THE_ENGINE))).toEqual([]);
  });

  it("gives every rule a remediation and a rationale", () => {
    for (const r of ruleCatalog().flatMap((g) => g.rules)) {
      expect(r.remediation.length, r.id).toBeGreaterThan(20);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
    }
  });
});
