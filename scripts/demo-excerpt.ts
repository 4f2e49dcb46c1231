/**
 * The excerpts of the demo's output in README.md and docs/ are cut from what `npm run demo`
 * printed, never written by hand: `npm run demo > out/demo.txt; npm run docs -- --demo-output
 * out/demo.txt` refreshes them, and test/demo-excerpt.test.ts runs the demo and fails when one no
 * longer matches its output.
 */

/** A part of the tour: the first line (after the previous part) containing `from`, and `lines` more. */
interface Cut {
  from: string;
  lines: number;
}

/** What the tour shows, in the order the demo prints it. */
export const DEMO_TOUR: Cut[] = [
  { from: "scan --html", lines: 15 },
  { from: "web-005  arn:", lines: 3 },
  { from: "$ drctl --config out/drctl.yaml freshness", lines: 10 },
  { from: "$ drctl failover run", lines: 1 },
  { from: "elapsed ", lines: 0 },
  { from: "$ drctl --config out/drctl.yaml drill run", lines: 6 },
  { from: "$ drctl --config out/drctl.yaml plan", lines: 2 },
];

/** Every excerpt: the file, the name of its marked block (`<!-- NAME:start -->`), what it shows. */
export const DEMO_EXCERPTS: { file: string; block: string; cuts: Cut[] }[] = [
  { file: "README.md", block: "demo-tour", cuts: DEMO_TOUR },
  {
    file: "docs/freshness.md",
    block: "demo-freshness",
    cuts: [
      { from: "$ drctl --config out/drctl.yaml freshness", lines: 12 },
      { from: "  BREACH ", lines: 1 },
      { from: "data protection:", lines: 3 },
    ],
  },
  {
    file: "docs/drill.md",
    block: "demo-drill",
    cuts: [
      { from: "$ drctl --config out/drctl.yaml drill run", lines: 16 },
      { from: "(the truth: ", lines: 0 },
      { from: "$ drctl --config out/drctl.yaml history", lines: 4 },
    ],
  },
  {
    file: "docs/images.md",
    block: "demo-images",
    cuts: [
      { from: "schedule run daily-images --execute", lines: 9 },
      { from: "the copy in us-west-2:", lines: 9 },
    ],
  },
];

/** Lines longer than this are cut (with " …"): the README stays readable on a narrow screen. */
const WIDTH = 150;

/** The demo's output with its output folder written as `out/`, as the default `--out` prints it. */
function relativeToOut(output: string): string[] {
  const outDir = /^ {2}config +(.+)\/drctl\.yaml$/m.exec(output)?.[1];
  const text = outDir ? output.split(`${outDir}/`).join("out/") : output;
  return text.split("\n");
}

/** An excerpt cut from the demo's stdout; throws naming the part the output does not have. */
export function demoTour(output: string, tour: Cut[] = DEMO_TOUR): string {
  const lines = relativeToOut(output);
  const shown: string[] = [];
  let at = 0;
  for (const cut of tour) {
    const start = lines.findIndex((l, i) => i >= at && l.includes(cut.from));
    if (start === -1)
      throw new Error(`the demo's output has no line with "${cut.from}" where the tour expects it`);
    if (shown.length > 0 && start > at) shown.push(lines[start - 1] === "" && start === at + 1 ? "" : "...");
    const part = lines.slice(start, start + cut.lines + 1);
    shown.push(...part.map((l) => (l.length > WIDTH ? `${l.slice(0, WIDTH - 2)} …` : l)));
    at = start + part.length;
  }
  return ["```", ...shown, "```"].join("\n");
}

/**
 * What may differ between two runs of the demo and still be the same output: ids, times, figures
 * and the alignment that follows their width.
 */
export function comparable(text: string): string {
  return text
    .replace(/\d{8}T\d{6}Z-[a-z0-9]{4}/g, "RUN")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "UUID")
    .replace(/\b(ami|snap|i|sg|subnet|vpc)-[0-9a-f]{8,17}\b/g, "$1-ID")
    .replace(/\/[0-9a-f]{16}\b/g, "/ID")
    .replace(/\d+(\.\d+)?/g, "0")
    .replace(/[ \t]+/g, " ");
}

/**
 * The lines of two tours that differ once made comparable; a line cut at the README's width (" …")
 * matches the same line cut a character earlier or later.
 */
export function tourDifferences(expected: string, actual: string): string[] {
  const cut = (l: string) => ({ text: comparable(l.replace(/ …$/, "")), cut: l.endsWith(" …") });
  const a = expected.split("\n").map(cut);
  const b = actual.split("\n").map(cut);
  const differences: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    const same =
      x !== undefined &&
      y !== undefined &&
      (x.text === y.text ||
        ((x.cut || y.cut) &&
          (x.text.startsWith(y.text.slice(0, -3)) || y.text.startsWith(x.text.slice(0, -3)))));
    if (!same) differences.push(`line ${i + 1}: README "${x?.text ?? ""}", demo "${y?.text ?? ""}"`);
  }
  return differences;
}
