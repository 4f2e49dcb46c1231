import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { dynamodbTableRules } from "./rules.js";

runRuleCases(dynamodbTableRules, cases);

const rule = (id: string) => {
  const found = dynamodbTableRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

describe("point-in-time recovery", () => {
  const [on, off] = [
    cases["dynamodb-table.point-in-time-recovery"]?.pass[0],
    cases["dynamodb-table.point-in-time-recovery"]?.fail[1],
  ];
  it("is high when the standby lacks it, and less grave when only the primary does", () => {
    if (!on || !off) throw new Error("cases missing");
    const pitr = rule("dynamodb-table.point-in-time-recovery");
    const check = (a: typeof on, b: typeof on) => pitr.check(a, b, SETTINGS);
    expect(check(on, off)[0]?.severity).toBeUndefined();
    expect(check(on, off)[0]?.message).toBe(
      "point-in-time recovery is off on the standby, on on the primary",
    );
    expect(check(off, on)[0]?.severity).toBe("medium");
  });
});

describe("provisioned capacity", () => {
  const base = cases["dynamodb-table.provisioned-capacity"]?.pass[0];
  it("is not compared when either side is on demand (billing mode says so)", () => {
    if (!base) throw new Error("cases missing");
    const onDemand = { ...base, billingMode: "PAY_PER_REQUEST", capacity: null };
    expect(rule("dynamodb-table.provisioned-capacity").check(base, onDemand, SETTINGS)).toEqual([]);
  });
});
