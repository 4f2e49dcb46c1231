import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import type { NormalizedTable } from "./normalize.js";
import { dynamodbTableRules } from "./rules.js";

const table = (): NormalizedTable => {
  const base = cases["dynamodb-table.key-schema"]?.pass[0];
  if (!base) throw new Error("cases missing");
  return base;
};

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

describe("auto scaling", () => {
  const scaled = (read: NormalizedTable["autoScaling"][string]) => ({
    ...table(),
    capacity: { read: 5, write: 50 },
    autoScaling: { read },
  });
  const setting = { min: 5, max: 100, targetUtilization: 70 };

  it("leaves the current units of a dimension auto scaled on both sides to the auto-scaling rule", () => {
    const [p, s] = [scaled(setting), { ...scaled(setting), capacity: { read: 80, write: 50 } }];
    expect(rule("dynamodb-table.provisioned-capacity").check(p, s, SETTINGS)).toEqual([]);
    expect(rule("dynamodb-table.auto-scaling").check(p, s, SETTINGS)).toEqual([]);
  });

  it("says which side scales, and is less grave when only the standby does", () => {
    const [on, off] = [scaled(setting), { ...scaled(setting), autoScaling: {} }];
    const check = (a: NormalizedTable, b: NormalizedTable) =>
      rule("dynamodb-table.auto-scaling").check(a, b, SETTINGS);
    expect(check(on, off)).toMatchObject([
      {
        path: "autoScaling.read",
        message:
          "the standby's read capacity does not auto scale, the primary's does (5 to 100 units, tracking 70% utilisation)",
      },
    ]);
    expect(check(on, off)[0]?.severity).toBeUndefined();
    expect(check(off, on)[0]?.severity).toBe("medium");
  });

  it("compares the target utilisation, and a target on one side only", () => {
    const check = (b: NormalizedTable["autoScaling"][string]) =>
      rule("dynamodb-table.auto-scaling").check(scaled(setting), scaled(b), SETTINGS);
    expect(check({ ...setting, targetUtilization: 50 }).map((d) => d.message)).toEqual([
      "the standby's read capacity tracks 50% utilisation, the primary's 70%",
    ]);
    expect(check({ ...setting, targetUtilization: null }).map((d) => d.path)).toEqual([
      "autoScaling.read.targetUtilization",
    ]);
  });

  it("that could not be read is one low finding naming the side; the units are then not compared", () => {
    const unread = { ...scaled(setting), autoScaling: {}, autoScalingUnread: "access denied" };
    const other = { ...scaled(setting), capacity: { read: 500, write: 5 } };
    expect(rule("dynamodb-table.provisioned-capacity").check(other, unread, SETTINGS)).toEqual([]);
    const found = rule("dynamodb-table.auto-scaling").check(other, unread, SETTINGS);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: "autoScaling", severity: "low", secondary: null });
    expect(found[0]?.message).toMatch(/^auto scaling could not be read \(the standby's: access denied\)/);
  });

  it("is not compared when either side is on demand", () => {
    const onDemand = { ...scaled(setting), billingMode: "PAY_PER_REQUEST", capacity: null, autoScaling: {} };
    expect(rule("dynamodb-table.auto-scaling").check(scaled(setting), onDemand, SETTINGS)).toEqual([]);
  });
});
