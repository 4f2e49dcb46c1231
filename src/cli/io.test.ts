import { describe, expect, it } from "vitest";
import { jsonText, terminalSafe } from "./io.js";

describe("terminal-safe output", () => {
  it("removes control characters and bidi overrides from every line, keeping newlines", () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = terminalSafe({ out: (t) => out.push(t), err: (t) => err.push(t) });
    io.out("name: web\u001b[2J-001\nnext\u202eline");
    io.err("drctl: \u0007bell\u009b");
    expect(out).toEqual(["name: web[2J-001\nnextline"]);
    expect(err).toEqual(["drctl: bell"]);
  });

  it("writes JSON whose unprintable characters are escapes: valid, and equal once parsed", () => {
    const value = { v: "a\u001b[2Jb\u007f\u202ec ü 漢字", n: 1 };
    const text = jsonText(value);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain("\\u001b[2Jb\\u007f\\u202ec ü 漢字");
    expect(JSON.parse(text)).toEqual(value);
  });
});
