import { describe, expect, it } from "vitest";
import { parseArn } from "../../aws/arn.js";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { ownsApiStage } from "./pairing.js";
import { cases } from "./rules.cases.js";
import { apigatewayStageRules } from "./rules.js";

runRuleCases(apigatewayStageRules, cases);

describe("API Gateway stage rules", () => {
  it("says which method's throttling differs, with both values", () => {
    const c = cases["apigateway-stage.throttling"];
    if (!c) throw new Error("no case");
    const rule = apigatewayStageRules.find((r) => r.id === "apigateway-stage.throttling");
    expect(rule?.check(c.fail[0], c.fail[1], SETTINGS).map((d) => d.message)).toEqual([
      "throttling for the stage's default method settings is rateLimit 10; burstLimit 200 on the standby, rateLimit 100; burstLimit 200 on the primary",
      "the standby sets throttling for method orders/GET (rateLimit 5; burstLimit 5), the primary does not",
    ]);
  });
});

describe("which ARNs are a stage's", () => {
  it("owns /restapis/{id}/stages/{name}, not the API itself nor a method of it", () => {
    const arn = (resource: string) => parseArn(`arn:aws:apigateway:eu-west-1::${resource}`);
    expect(ownsApiStage(arn("/restapis/a1b2c3/stages/prod"))).toBe(true);
    expect(ownsApiStage(arn("/restapis/a1b2c3"))).toBe(false);
    expect(ownsApiStage(arn("/restapis/a1b2c3/resources/r1/methods/GET"))).toBe(false);
    expect(ownsApiStage(arn("/apis/a1b2c3/stages/prod"))).toBe(false);
  });
});
