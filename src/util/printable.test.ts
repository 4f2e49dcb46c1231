import { describe, expect, it } from "vitest";
import { printable } from "./printable.js";

describe("printable", () => {
  it("removes escape sequences' control characters, bells and bidi overrides, keeping newlines and tabs", () => {
    expect(printable("a\u001b[2J\u001b]0;owned\u0007b")).toBe("a[2J]0;ownedb");
    expect(printable("admin\u202egnp.exe")).toBe("admingnp.exe");
    expect(printable("line 1\n\tline 2\r")).toBe("line 1\n\tline 2");
    expect(printable("plain ü é 漢字")).toBe("plain ü é 漢字");
  });
});
