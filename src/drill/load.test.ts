import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDrill } from "./load.js";

describe("loadDrill: an endpoint URL with credentials", () => {
  it("is refused at its line: the URL is printed, stored and published with the drill", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-drill-load-"));
    const file = join(dir, "drill.yaml");
    const text = readFileSync("examples/drills/dns-failover.yaml", "utf8");
    const url = /url: (\S+)/.exec(text)?.[1] ?? "";
    expect(url).toMatch(/^https?:\/\//);
    writeFileSync(file, text.replace(url, url.replace("://", "://probe:S3cr3t@")));
    const line = text.split("\n").findIndex((l) => l.includes(url)) + 1;
    expect(() => loadDrill(file)).toThrow(
      new RegExp(`${file.replace(/[.]/g, "\\.")}:${line}:\\d+: .*expected a URL without a user or password`),
    );
    let message = "";
    try {
      loadDrill(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain("S3cr3t");
  });
});
