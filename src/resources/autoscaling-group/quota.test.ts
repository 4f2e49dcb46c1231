import { describe, expect, it } from "vitest";
import { quotaOf } from "./quota.js";

describe("which quota an instance type counts against", () => {
  it.each([
    ["t3.micro", "L-1216C47A"],
    ["m5.large", "L-1216C47A"],
    ["c7gn.xlarge", "L-1216C47A"],
    ["g5.xlarge", "L-DB2E81BA"],
    ["p4d.24xlarge", "L-417A185B"],
    ["inf2.xlarge", "L-1945791B"],
    ["x2idn.16xlarge", "L-7295265B"],
  ])("%s -> %s", (type, code) => expect(quotaOf(type)?.code).toBe(code));

  it("knows none for families it has no quota code for", () => {
    expect(quotaOf("u-6tb1.metal")).toBeUndefined();
    expect(quotaOf("(chosen by attributes)")).toBeUndefined();
  });
});
