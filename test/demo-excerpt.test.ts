/**
 * The excerpts of the demo's output in README.md and docs/ are what the demo prints now: the demo
 * runs once (its own emulator, its outputs in a temporary folder) and each excerpt cut from its
 * output must match the file's, ids, times and figures aside. When one fails: npm run demo >
 * out/demo.txt, then npm run docs -- --demo-output out/demo.txt, and read the prose around it again.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_EXCERPTS, demoTour, tourDifferences } from "../scripts/demo-excerpt.js";

/** The text between a file's `<!-- NAME:start -->` and `<!-- NAME:end -->` markers. */
function markedBlock(file: string, name: string): string {
  const text = readFileSync(file, "utf8");
  return text.split(`<!-- ${name}:start -->\n`)[1]?.split(`\n<!-- ${name}:end -->`)[0] ?? "";
}

describe("the excerpts of the demo in README.md and docs/", () => {
  const out = mkdtempSync(join(tmpdir(), "drctl-demo-tour-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("tells apart a changed line from changed ids and figures", () => {
    const tour = "```\nweb-005 drift 0 2\n  RTO 2.0 s (± 0.5 s) run-20261207T173235Z-3b2c\n```";
    expect(tourDifferences(tour, tour.replace("2.0 s", "2.5 s").replace("3b2c", "x9z1"))).toEqual([]);
    expect(tourDifferences(tour, tour.replace("drift", "pass"))).toHaveLength(1);
    expect(tourDifferences(tour, `${tour}\nmore`)).toHaveLength(1);
  });

  let output: string | undefined;
  /** What npm run demo prints, run once for every excerpt. */
  function demoOutput(): string {
    if (output !== undefined) return output;
    const demo = spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", "--out", out], {
      encoding: "utf8",
      timeout: 540_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(demo.stdout, demo.stderr).toContain("Outputs:");
    output = demo.stdout;
    return output;
  }

  it.each(DEMO_EXCERPTS)(
    "$block in $file matches what npm run demo prints now",
    ({ file, block, cuts }) => {
      expect(tourDifferences(markedBlock(file, block), demoTour(demoOutput(), cuts))).toEqual([]);
    },
    600_000,
  );
});
