import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePrivateDir, writeFileAtomic } from "./files.js";

const temp = () => mkdtempSync(join(tmpdir(), "drctl-files-"));

describe("writeFileAtomic", () => {
  it("replaces a file whole, private by default, and leaves no temporary file behind", () => {
    const dir = temp();
    const file = join(dir, "nested", "report.html");
    writeFileAtomic(file, "first");
    writeFileAtomic(file, "second, longer than the first");
    expect(readFileSync(file, "utf8")).toBe("second, longer than the first");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "nested")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, "nested"))).toEqual(["report.html"]);
  });

  it("keeps the old content when the write fails, and cleans up", () => {
    const dir = temp();
    const file = join(dir, "a.txt");
    writeFileSync(file, "old");
    // A folder in the way of the rename: the write fails after the temporary file was made.
    expect(() => writeFileAtomic(join(dir, "a.txt", "b"), "new")).toThrow();
    expect(readFileSync(file, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.txt"]);
  });

  it("takes the mode it is asked for", () => {
    const file = join(temp(), "site.html");
    writeFileAtomic(file, "x", { mode: 0o644 });
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});

describe("ensurePrivateDir", () => {
  it("makes an existing folder private", () => {
    const dir = temp();
    ensurePrivateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
