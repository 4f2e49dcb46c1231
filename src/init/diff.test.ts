import { describe, expect, it } from "vitest";
import { lineDiff } from "./diff.js";

describe("lineDiff", () => {
  it("shows only the lines that change, under the line they start at", () => {
    expect(lineDiff("a\nb\nc\n", "a\nB\nc\nd\n")).toBe("@@ line 2\n+ B\n- b\n@@ line 4\n+ d");
  });
  it("is empty for the same text", () => {
    expect(lineDiff("a\nb\n", "a\nb\n")).toBe("");
  });
});
