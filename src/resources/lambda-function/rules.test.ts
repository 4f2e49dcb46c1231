import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { PUBLISHED_VERSIONS, type NormalizedFunction } from "./normalize.js";
import { cases } from "./rules.cases.js";
import { lambdaFunctionRules } from "./rules.js";

runRuleCases(lambdaFunctionRules, cases);

const rule = (id: string) => {
  const found = lambdaFunctionRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const base = cases["lambda-function.runtime"]?.pass[0] as NormalizedFunction;

describe("severities that follow from the values", () => {
  it("a standby queue's visibility timeout: high below the timeout, low below six times it, medium when unread", () => {
    const check = (visibilityTimeoutSeconds: number | null, error?: string) =>
      rule("lambda-function.sqs-visibility-timeout").check(
        base,
        { ...base, timeoutSeconds: 30, sqsSources: [{ queue: "jobs-dr", visibilityTimeoutSeconds, error }] },
        SETTINGS,
      );
    expect(check(20)[0]?.severity).toBeUndefined(); // the rule's own: high
    expect(check(20)[0]?.message).toMatch(
      /visibility timeout of 20 seconds and the standby function a timeout of 30/,
    );
    expect(check(60)[0]?.severity).toBe("low");
    expect(check(180)).toEqual([]);
    expect(check(null, "access denied")[0]).toMatchObject({ severity: "medium" });
  });

  it("reserved concurrency 0 on the standby is critical: it cannot run at all", () => {
    const found = rule("lambda-function.reserved-concurrency").check(
      base,
      { ...base, reservedConcurrency: 0 },
      SETTINGS,
    );
    expect(found[0]?.severity).toBe("critical");
  });

  it("a VPC attached on one side only is one difference, the counts then not compared", () => {
    const found = rule("lambda-function.vpc").check(
      base,
      { ...base, vpc: { attached: false, subnets: 0, securityGroups: 0 } },
      SETTINGS,
    );
    expect(found.map((d) => d.path)).toEqual(["vpc.attached"]);
  });
});

describe("provisioned concurrency", () => {
  it("is a finding when the standby's alias has less, information under pilot light", () => {
    const check = (a: NormalizedFunction, b: NormalizedFunction, settings = SETTINGS) =>
      rule("lambda-function.provisioned-concurrency").check(a, b, settings);
    const [p, s] = [base, { ...base, provisionedConcurrency: { live: 5 } }];
    expect(check(p, s, SETTINGS)).toMatchObject([
      {
        path: "provisionedConcurrency.live",
        message:
          "the standby's provisioned concurrency on alias live is 5 executions, the primary's 20 executions",
      },
    ]);
    expect(check(p, s, SETTINGS)[0]?.severity).toBeUndefined();
    expect(check(p, s, { ...SETTINGS, strategy: "pilot-light" })[0]?.severity).toBe("info");
    const none = { ...base, provisionedConcurrency: {} };
    expect(check(none, none, SETTINGS)).toEqual([]);
  });

  it("compares alias by alias: as much on another alias does not serve the primary's", () => {
    const check = (a: NormalizedFunction, b: NormalizedFunction) =>
      rule("lambda-function.provisioned-concurrency").check(a, b, SETTINGS);
    const moved = { ...base, provisionedConcurrency: { live: 5, canary: 20 } };
    expect(check(base, moved).map((d) => d.message)).toEqual([
      "the standby's provisioned concurrency on alias live is 5 executions, the primary's 20 executions",
    ]);
    const versions = (n: number) => ({ ...base, provisionedConcurrency: { [PUBLISHED_VERSIONS]: n } });
    expect(check(versions(10), versions(4)).map((d) => d.message)).toEqual([
      "the standby's provisioned concurrency on its published versions is 4 executions, the primary's 10 executions",
    ]);
    expect(check(versions(4), versions(10))).toEqual([]);
  });

  it("compares what sits under names the other side lacks as a total: the same capacity under another name is no finding", () => {
    const check = (a: NormalizedFunction, b: NormalizedFunction) =>
      rule("lambda-function.provisioned-concurrency").check(a, b, SETTINGS);
    const on = (m: Record<string, number>) => ({ ...base, provisionedConcurrency: m });
    // The alias on one side, the version it points to on the other.
    expect(check(on({ live: 20 }), on({ [PUBLISHED_VERSIONS]: 20 }))).toEqual([]);
    // Region-suffixed alias names, less on the standby.
    expect(check(on({ "live-use1": 20 }), on({ "live-euw1": 8 })).map((d) => [d.path, d.message])).toEqual([
      [
        "provisionedConcurrency",
        "the standby's provisioned concurrency is 8 executions on aliases and versions the primary does not name alike (live-euw1), the primary's 20 executions (live-use1)",
      ],
    ]);
  });
});
