import { describe, expect, it } from "vitest";
import { cases } from "./rules.cases.js";
import { canaryNotArrivedRule, DRILL_RULES, drillFindings, type DrillRule } from "./rules.js";

describe("the drill's rules", () => {
  for (const rule of DRILL_RULES as readonly DrillRule<unknown>[]) {
    const c = (cases as Record<string, { pass: unknown; fail: unknown; paths: string[] }>)[rule.id];
    it(`${rule.id}: nothing when all was well, a finding at each path when it was not`, () => {
      expect(c, `no case of ${rule.id}`).toBeDefined();
      if (!c) return;
      expect(rule.check(c.pass)).toEqual([]);
      const found = drillFindings(rule, c.fail);
      expect(found.map((f) => f.path).sort()).toEqual([...c.paths].sort());
      for (const f of found) {
        expect(f.ruleId).toBe(rule.id);
        expect(f.resourceType).toBe("drill");
        // What the finding is about is named: never empty.
        expect(f.pair).not.toBe("");
        expect(f.message).not.toMatch(/[{}[\]"]{2}|^\s*$/);
      }
    });
  }

  it("names the ARNs of what it is about where the drill knows them", () => {
    const c = cases["drill.canary-not-arrived"];
    expect(c).toBeDefined();
    const [f] = c ? drillFindings(canaryNotArrivedRule, c.fail as never) : [];
    expect(f?.pair).toBe("canary orders");
    expect(f?.primaryArn).toBe("arn:aws:s3:::orders-use1");
    expect(f?.secondaryArn).toBe("arn:aws:s3:::orders-usw2");
  });
});
