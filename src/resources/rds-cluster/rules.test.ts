import { describe, expect, it } from "vitest";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { globalRoleOf } from "./normalize.js";
import { globalPairs } from "./pairing.js";
import { cases } from "./rules.cases.js";
import { rdsClusterRules } from "./rules.js";

runRuleCases(rdsClusterRules, cases);

const rule = (id: string) => {
  const found = rdsClusterRules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const [writer, secondary] = cases["rds-cluster.global-membership"]?.pass ?? [];

describe("Aurora global databases", () => {
  it("reports a standby of another global database, and one mid-failover as not promotable", () => {
    if (!writer || !secondary) throw new Error("no case");
    const other = {
      ...secondary,
      global: { id: "billing-global", role: "secondary" as const, failingOver: false },
    };
    expect(rule("rds-cluster.global-membership").check(writer, other, SETTINGS)[0]?.message).toBe(
      "the primary writes the global database orders-global, but the standby is a member of the global database billing-global, not a secondary of it",
    );
    const failing = {
      ...secondary,
      global: { id: "orders-global", role: "secondary" as const, failingOver: true },
    };
    expect(rule("rds-cluster.promotable").check(writer, failing, SETTINGS)[0]?.message).toBe(
      "the standby cannot be promoted now: its global database orders-global is already failing over",
    );
  });

  it("does not ask a primary of no global database for a secondary", () => {
    if (!writer || !secondary) throw new Error("no case");
    expect(
      rule("rds-cluster.global-membership").check(
        { ...writer, global: null },
        { ...secondary, global: null },
        SETTINGS,
      ),
    ).toEqual([]);
  });

  const ARN = (region: string, id: string) => `arn:aws:rds:${region}:123456789012:cluster:${id}`;
  const global = {
    GlobalClusterIdentifier: "orders-global",
    FailoverState: { Status: "failing-over" as const },
    GlobalClusterMembers: [
      { DBClusterArn: ARN("eu-west-1", "orders-euw1"), IsWriter: false },
      {
        DBClusterArn: ARN("us-east-1", "orders-use1"),
        IsWriter: true,
        Readers: [ARN("eu-west-1", "orders-euw1")],
      },
    ],
  };

  it("pairs the writer with each secondary in another region when the writer is in a primary region", () => {
    expect(globalPairs(global, ["us-east-1"])).toEqual([
      {
        primaryArn: ARN("us-east-1", "orders-use1"),
        standbyArn: ARN("eu-west-1", "orders-euw1"),
        via: "the Aurora global database orders-global",
      },
    ]);
    expect(globalPairs(global, ["eu-west-1"])).toEqual([]);
  });

  it("reads a member's role and a failover under way", () => {
    expect(globalRoleOf(ARN("eu-west-1", "orders-euw1"), [global])).toEqual({
      id: "orders-global",
      role: "secondary",
      failingOver: true,
    });
    expect(globalRoleOf(ARN("eu-west-1", "other"), [global])).toBeNull();
  });
});
