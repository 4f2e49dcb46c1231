import { describe, expect, it } from "vitest";
import type { QuotaReading } from "../aws/service-quotas.js";
import { addedBy, quotaDifferences, type QuotaUsage } from "./quota-check.js";

const QUOTA: QuotaReading = {
  service: "rds",
  code: "L-7B6409FD",
  name: "DB instances",
  value: 40,
  source: "applied",
};
const usage = (over: Partial<QuotaUsage> = {}): QuotaUsage => ({
  region: "eu-west-1",
  inUse: { count: 38 },
  quota: QUOTA,
  ...over,
});
const need = (adds: number, over: Partial<QuotaUsage> = {}) =>
  quotaDifferences({
    path: "regionQuotas.dbInstances",
    usage: usage(over),
    adds,
    unit: "DB instances",
    because: "the primary's cluster has 3 more instances than the standby's",
  });

describe("whether the standby region's quota holds what a failover adds", () => {
  it("fits: in use plus what the failover adds is the quota at most", () => {
    expect(need(2)).toEqual([]);
  });

  it("does not fit: says the total, the quota and the increase request to make", () => {
    const [d] = need(3);
    expect(d?.severity).toBeUndefined(); // the rule's own (high)
    expect(d?.message).toBe(
      "a failover needs 41 DB instances in eu-west-1 (38 in use there now, plus 3: the primary's cluster has 3 more instances than the standby's), " +
        "but the applied quota L-7B6409FD (DB instances) there is 40: " +
        "aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7B6409FD --desired-value 41 --region eu-west-1",
    );
  });

  it("needs nothing of the quota when the failover adds nothing, read or not", () => {
    expect(need(0, { quota: { ...QUOTA, value: undefined, error: "access denied" } })).toEqual([]);
  });

  it("a quota that cannot be read is a low finding naming the quota and the read to make, never a pass", () => {
    const found = need(1, { quota: { ...QUOTA, value: undefined, error: "access denied" } });
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("low");
    expect(found[0]?.message).toMatch(
      /quota L-7B6409FD \(DB instances\) could not be checked in eu-west-1: it could not be read \(access denied\); read it with aws service-quotas get-service-quota --service-code rds --quota-code L-7B6409FD --region eu-west-1/,
    );
  });

  it("usage that could not be counted is a low finding too", () => {
    const found = need(1, { inUse: { error: "throttled" } });
    expect(found.map((d) => d.severity)).toEqual(["low"]);
    expect(found[0]?.message).toMatch(/what the region uses now could not be counted \(throttled\)/);
  });

  it("what a failover adds: the primary's count beyond the standby's, never below zero", () => {
    expect(addedBy({ count: 5 }, { count: 2 })).toEqual({ adds: 3 });
    expect(addedBy({ count: 1 }, { count: 2 })).toEqual({ adds: 0 });
    expect(addedBy({ error: "denied" }, { count: 2 })).toEqual({
      error: "the primary's could not be counted (denied)",
    });
  });
});
