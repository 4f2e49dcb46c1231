import { describe, expect, it } from "vitest";
import {
  DrctlError,
  EXIT,
  EXIT_CODES,
  exitCodeFor,
  exitCodeOfError,
  InputError,
  summarizeCauses,
} from "./errors.js";

describe("the exit-code contract", () => {
  it("has one row per code, 0 to 3", () => {
    expect(EXIT_CODES.map((c) => c.code)).toEqual([0, 1, 2, 3]);
  });

  it("puts could-not-finish above drift, and drift above clean", () => {
    expect(exitCodeFor({})).toBe(EXIT.ok);
    expect(exitCodeFor({ failed: true })).toBe(EXIT.findings);
    expect(exitCodeFor({ failed: true, unfinished: ["a read failed"] })).toBe(EXIT.couldNotFinish);
    expect(exitCodeFor({ failed: false, unfinished: [] })).toBe(EXIT.ok);
  });

  it("takes an error's own code, and 3 for anything drctl did not expect", () => {
    expect(exitCodeOfError(new InputError("bad flag"))).toBe(EXIT.badInput);
    expect(exitCodeOfError(new DrctlError("store unusable"))).toBe(EXIT.couldNotFinish);
    expect(exitCodeOfError(new TypeError("x is undefined"))).toBe(EXIT.couldNotFinish);
  });
});

describe("summarizeCauses", () => {
  it("says each cause once with its count, the most frequent first", () => {
    const refused = "could not reach the endpoint: connect ECONNREFUSED 127.0.0.1:1";
    expect(
      summarizeCauses([refused, "access denied: no", refused, refused], {
        one: "call failed",
        many: "calls failed",
      }),
    ).toEqual([`3 calls failed: ${refused}`, "1 call failed: access denied: no"]);
    expect(summarizeCauses([], { one: "x", many: "xs" })).toEqual([]);
  });
});
