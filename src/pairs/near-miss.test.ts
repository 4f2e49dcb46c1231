import { describe, expect, it } from "vitest";
import { nearMissFinding, nearMissFix, nearMissTags } from "./near-miss.js";

const ARN = "arn:aws:rds:us-east-1:123456789012:db:orders";
const STANDBY = "arn:aws:rds:eu-west-1:123456789012:db:orders-dr";
const whats = (tags: Record<string, string>) => nearMissTags(tags).map((m) => m.what);

describe("near-miss DR tags", () => {
  it("a key in another case: each listed with the key it should be", () => {
    expect(whats({ Enable: "true", IsPrimary: "true", SecondaryArn: STANDBY })).toEqual([
      "tag key `Enable` should be `enable`",
      "tag key `IsPrimary` should be `isPrimary`",
      "tag key `SecondaryArn` should be `secondaryARN`",
    ]);
  });

  it("a value meaning yes that is not true (yes, 1, on)", () => {
    expect(whats({ enable: "yes", isPrimary: "1", secondaryARN: STANDBY })).toEqual([
      "tag value `yes` of `enable` should be `true`",
      "tag value `1` of `isPrimary` should be `true`",
    ]);
    expect(whats({ enable: "On", isPrimary: "true", secondaryARN: STANDBY })).toEqual([
      "tag value `On` of `enable` should be `true`",
    ]);
  });

  it("a stray space (or _ -) in the key", () => {
    const misses = nearMissTags({ "enable ": "true", is_primary: "true", secondaryARN: STANDBY });
    expect(misses.map((m) => [m.key, m.expectedKey, m.expectedValue])).toEqual([
      ["enable ", "enable", "true"],
      ["is_primary", "isPrimary", "true"],
    ]);
  });

  it("a stray space or other case in the value of a near-miss key: the fix writes the value drctl reads", () => {
    const [miss] = nearMissTags({ enable: "true", isPrimary: "true", "SecondaryARN ": ` ${STANDBY} ` });
    expect(miss?.expectedValue).toBe(STANDBY);
    expect(nearMissTags({ Enable: " YES ", isPrimary: "true" })[0]?.expectedValue).toBe("true");
  });

  it("values pairing already reads as true (True, ' true ') and unrelated tags are no near-miss", () => {
    expect(whats({ enable: "True", isPrimary: " true ", secondaryARN: ` ${STANDBY}` })).toEqual([]);
    expect(whats({ enable: "true", isPrimary: "false" })).toEqual([]);
    // One lookalike key on its own is another tool's tag.
    expect(whats({ Enable: "yes", Name: "web" })).toEqual([]);
    // ... unless it holds an ARN as a secondaryARN would.
    expect(whats({ SecondaryArn: STANDBY })).toEqual(["tag key `SecondaryArn` should be `secondaryARN`"]);
  });

  it("the fix adds the exact tag and removes the near-miss key, quoted for a shell", () => {
    const [miss] = nearMissTags({ "enable ": "true", isPrimary: "true" });
    if (!miss) throw new Error("no near-miss");
    expect(nearMissFix(ARN, "us-east-1", miss)).toBe(
      `aws resourcegroupstaggingapi tag-resources --region us-east-1 --resource-arn-list ${ARN} --tags enable=true` +
        ` && aws resourcegroupstaggingapi untag-resources --region us-east-1 --resource-arn-list ${ARN} --tag-keys 'enable '`,
    );
    const [value] = nearMissTags({ enable: "yes", isPrimary: "true" });
    if (!value) throw new Error("no near-miss");
    expect(nearMissFix(ARN, "us-east-1", value)).not.toContain("untag-resources");
    const [quote] = nearMissTags({ "isPrimary'; rm -rf /": "true", enable: "true" });
    expect(quote).toBeUndefined();
  });

  it("the scan's finding names the resource, the near-miss and the fix", () => {
    const [miss] = nearMissTags({ enable: "true", isPrimary: "true", SecondaryArn: STANDBY });
    if (!miss) throw new Error("no near-miss");
    const f = nearMissFinding(ARN, "us-east-1", miss);
    expect(f).toMatchObject({ ruleId: "pair.near-miss-tag", pair: "orders", status: "drift" });
    expect(f.message).toMatch(
      /^orders is not paired: tag key `SecondaryArn` should be `secondaryARN`: aws resourcegroupstaggingapi tag-resources /,
    );
    expect(f.message).toContain(`--tags secondaryARN=${STANDBY}`);
  });
});
