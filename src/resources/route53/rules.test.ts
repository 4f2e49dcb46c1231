import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { route53Rules } from "./rules.js";

runRuleCases(route53Rules, cases);

describe("failover record messages", () => {
  it("name the load balancer a record points at, and its DNS name", () => {
    const c = cases["route53.failover-targets"];
    const rule = route53Rules[0];
    if (!c || !rule) throw new Error("no case");
    expect(rule.check(c.fail[0], c.fail[1], SETTINGS)[0]?.message).toBe(
      "the SECONDARY failover record web.example.com (A) points at load balancer shop, which is not part of this pair (shop-1.us-west-2.elb.amazonaws.com), not at the standby load balancer",
    );
  });
});
