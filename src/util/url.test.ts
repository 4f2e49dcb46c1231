import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { urlField, urlHasCredentials } from "./url.js";

describe("URLs with credentials", () => {
  it("are told by their user or password, written any way the parser takes", () => {
    expect(urlHasCredentials("https://probe:S3cr3t@app.example.com/health")).toBe(true);
    expect(urlHasCredentials("https://probe@app.example.com/")).toBe(true);
    expect(urlHasCredentials("https://:pw@app.example.com/")).toBe(true);
    expect(urlHasCredentials("  HTTP://u:p@host  ")).toBe(true);
    expect(urlHasCredentials("https://app.example.com/a@b?c=d@e")).toBe(false);
    expect(urlHasCredentials("not a url")).toBe(false);
    expect(urlField().safeParse("https://u:p@host/").success).toBe(false);
    expect(urlField().safeParse("https://host/").success).toBe(true);
  });

  it("are refused by every URL field: no schema in src takes a URL but through urlField", () => {
    const files = readdirSync("src", { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== join("util", "url.ts"))
      .filter((f) => /\bz\s*\.\s*url\(|\.url\(\)/.test(readFileSync(join("src", f), "utf8")));
    expect(files).toEqual([]);
  });
});
