import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { backupRules } from "./rules.js";

runRuleCases(backupRules, cases);

describe("backup plans", () => {
  it("say when a rule copies nothing out of its region", () => {
    const rule = backupRules[0];
    if (!rule) throw new Error("no rule");
    const local = {
      name: "daily",
      region: "us-east-1",
      rules: [{ name: "nightly", copies: [{ region: "us-east-1", deleteAfterDays: 7 }] }],
    };
    expect(rule.check(null, local, SETTINGS).map((d) => d.message)).toEqual([
      "backup plan daily rule nightly copies nothing out of us-east-1",
    ]);
  });
});
