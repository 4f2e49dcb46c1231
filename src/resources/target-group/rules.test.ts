import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { targetGroupRules } from "./rules.js";

runRuleCases(targetGroupRules, cases);

describe("an empty standby", () => {
  it("weighs as much as the strategy says", () => {
    const rule = targetGroupRules.find((r) => r.id === "target-group.no-targets");
    const [p, s] = cases["target-group.no-targets"]?.fail ?? [];
    if (!rule || !p || !s) throw new Error("no case");
    const severity = (strategy: typeof SETTINGS.strategy) =>
      rule.check(p, s, { ...SETTINGS, strategy })[0]?.severity;
    expect([severity("pilot-light"), severity("warm-standby"), severity("hot-standby")]).toEqual([
      "info",
      "high",
      "critical",
    ]);
  });
});
