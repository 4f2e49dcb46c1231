import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { snsTopicRules } from "./rules.js";

runRuleCases(snsTopicRules, cases);

describe("pending confirmations", () => {
  const rule = snsTopicRules.find((r) => r.id === "sns-topic.pending-confirmation");
  const c = cases["sns-topic.pending-confirmation"];
  it("are high when the standby waits on more, and less grave when the primary does", () => {
    if (!rule || !c) throw new Error("rule or cases missing");
    const [none, one] = c.fail;
    expect(rule.check(none, one, SETTINGS)).toMatchObject([
      { message: "the standby has 1 email subscription pending confirmation, the primary 0" },
    ]);
    expect(rule.check(none, one, SETTINGS)[0]?.severity).toBeUndefined();
    expect(rule.check(one, none, SETTINGS)[0]?.severity).toBe("medium");
  });
});

describe("filter policies", () => {
  const rule = snsTopicRules.find((r) => r.id === "sns-topic.filter-policy");
  const base = cases["sns-topic.filter-policy"]?.pass[0];
  it("say which side has none, without printing the policy", () => {
    if (!rule || !base) throw new Error("rule or cases missing");
    const key = "https https://hooks.example.com/alerts";
    const bare = {
      ...base,
      delivery: { [key]: { filterPolicy: null, filterPolicyScope: null, rawMessageDelivery: true } },
    };
    expect(rule.check(base, bare, SETTINGS).map((d) => d.message)).toEqual([
      `the subscription ${key} has no filter policy on the standby, a filter policy on the message attributes on the primary`,
    ]);
  });
});
