/**
 * The README's tour of the demo is what the demo prints now: the demo runs once (its own emulator,
 * its outputs in a temporary folder) and the tour cut from its output must match the README's,
 * ids, times and figures aside. When it fails: npm run demo > out/demo.txt, then
 * npm run docs -- --demo-output out/demo.txt, and read the README's tour again.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoTour, tourDifferences } from "../scripts/demo-excerpt.js";

/** The block between the README's demo-tour markers. */
function readmeTour(): string {
  const text = readFileSync("README.md", "utf8");
  return text.split("<!-- demo-tour:start -->\n")[1]?.split("\n<!-- demo-tour:end -->")[0] ?? "";
}

describe("the README's tour of the demo", () => {
  const out = mkdtempSync(join(tmpdir(), "drctl-demo-tour-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("tells apart a changed line from changed ids and figures", () => {
    const tour = "```\nweb-005 drift 0 2\n  RTO 2.0 s (± 0.5 s) run-20261207T173235Z-3b2c\n```";
    expect(tourDifferences(tour, tour.replace("2.0 s", "2.5 s").replace("3b2c", "x9z1"))).toEqual([]);
    expect(tourDifferences(tour, tour.replace("drift", "pass"))).toHaveLength(1);
    expect(tourDifferences(tour, `${tour}\nmore`)).toHaveLength(1);
  });

  it("matches what npm run demo prints now", () => {
    const demo = spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", "--out", out], {
      encoding: "utf8",
      timeout: 540_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(demo.stdout, demo.stderr).toContain("Outputs:");
    expect(tourDifferences(readmeTour(), demoTour(demo.stdout))).toEqual([]);
  }, 600_000);
});
