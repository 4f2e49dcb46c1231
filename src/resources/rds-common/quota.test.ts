import { describe, expect, it } from "vitest";
import { footprintOf, instancesNamed } from "./quota.js";

describe("what databases take of the region's RDS quotas", () => {
  it("counts every instance, and the storage of all but Aurora's (its cluster volume is outside the quota)", () => {
    expect(
      footprintOf([
        { DBInstanceIdentifier: "orders", Engine: "postgres", AllocatedStorage: 100 },
        { DBInstanceIdentifier: "orders-replica", Engine: "postgres", AllocatedStorage: 120 },
        { DBInstanceIdentifier: "ledger-1", Engine: "aurora-postgresql", AllocatedStorage: 1 },
      ]),
    ).toEqual({ instances: 3, storageGiB: 220 });
  });

  it("finds instances of the region by identifier; ARNs (another region's replicas) match none", () => {
    const all = new Map([
      ["arn:1", { DBInstanceIdentifier: "a" }],
      ["arn:2", { DBInstanceIdentifier: "b" }],
    ]);
    expect(
      instancesNamed(all, ["b", "arn:aws:rds:eu-west-1:1:db:a"]).map((d) => d.DBInstanceIdentifier),
    ).toEqual(["b"]);
  });
});
