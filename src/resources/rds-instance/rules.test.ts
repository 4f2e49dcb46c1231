import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { cases } from "./rules.cases.js";
import { rdsInstanceRules } from "./rules.js";

runRuleCases(rdsInstanceRules, cases);

const rule = (id: string) => {
  const found = rdsInstanceRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

describe("severities that depend on the difference", () => {
  it("reports another minor version of the same major as low, another major at the rule's severity", () => {
    const [p] = cases["rds-instance.engine-version"]?.pass ?? [];
    if (!p) throw new Error("no case");
    const minor = rule("rds-instance.engine-version").check(p, { ...p, engineVersion: "15.7" }, SETTINGS);
    expect(minor.map((d) => d.severity)).toEqual(["low"]);
    const major = rule("rds-instance.engine-version").check(
      p,
      { ...p, engineVersion: "16.1", majorVersion: "16" },
      SETTINGS,
    );
    expect(major.map((d) => d.severity)).toEqual([undefined]);
    expect(major[0]?.message).toBe(
      "the standby runs postgres 16.1, the primary 15.4 (another major version)",
    );
  });

  it("reports a standby without backups as high, another retention at the rule's severity", () => {
    const [p] = cases["rds-instance.backup-retention"]?.pass ?? [];
    if (!p) throw new Error("no case");
    const none = rule("rds-instance.backup-retention").check(p, { ...p, backupRetentionDays: 0 }, SETTINGS);
    expect(none.map((d) => d.severity)).toEqual(["high"]);
    const fewer = rule("rds-instance.backup-retention").check(p, { ...p, backupRetentionDays: 3 }, SETTINGS);
    expect(fewer.map((d) => d.severity)).toEqual([undefined]);
  });

  it("says which parameter differs and both values", () => {
    const [p, s] = cases["rds-instance.parameters"]?.fail ?? [];
    if (!p || !s) throw new Error("no case");
    const messages = rule("rds-instance.parameters")
      .check(p, s, SETTINGS)
      .map((d) => d.message);
    expect(messages).toContain("parameter max_connections is 100 on the standby, 200 on the primary");
  });
});

describe("another engine", () => {
  it("is reported once, under the engine rule: its version, parameters and options are not compared", () => {
    const [p] = cases["rds-instance.parameters"]?.fail ?? [];
    if (!p) throw new Error("no case");
    const s = {
      ...p,
      engine: "mysql",
      engineVersion: "8.0.35",
      majorVersion: "8.0",
      parameters: {},
      options: { X: "(on)" },
    };
    const found = rdsInstanceRules.flatMap((r) => r.check(p, s, SETTINGS).map(() => r.id));
    expect(found).toEqual(["rds-instance.engine"]);
  });
});
