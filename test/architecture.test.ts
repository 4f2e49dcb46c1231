/**
 * The shape of src/, kept true: no import cycle between files (type imports count), no two parts
 * of src/ that import each other, and every import pointing down the layers docs/architecture.md
 * lists. A new arrow that breaks one of these fails here, naming the files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = "src";

/** Every source file of src/ that ships (tests and test helpers aside). */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|testing|cases)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The files of src/ a file imports: static, type-only, re-exports and dynamic import() alike. */
function importsOf(file: string, known: Set<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => normalize(join(dirname(file), name)).replace(/\.js$/, ".ts"))
    .filter((path) => known.has(path));
}

/** The part of src/ a file belongs to: its top folder, or the file itself at the top. */
export const partOf = (file: string): string => {
  const [top = ""] = relative(SRC, file).split("/");
  return top.replace(/\.ts$/, "");
};

function graph(): Map<string, string[]> {
  const files = sourceFiles();
  const known = new Set(files);
  return new Map(files.map((f) => [f, importsOf(f, known)]));
}

/** Strongly connected components of more than one file (Tarjan), each a cycle. */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (g.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The layers of docs/architecture.md, bottom first: each a list of parts of src/. */
export function documentedLayers(text = readFileSync("docs/architecture.md", "utf8")): string[][] {
  const table = text.split("<!-- layers -->")[1]?.split("<!-- /layers -->")[0] ?? "";
  return table
    .split("\n")
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) =>
      (line.split("|")[2] ?? "")
        .split(",")
        .map((part) => part.trim().replace(/^`|`$/g, "").replace(/\/$/, "").replace(/\.ts$/, ""))
        .filter(Boolean),
    );
}

describe("the shape of src/", () => {
  const g = graph();

  it("has no import cycle between files, type imports included", () => {
    expect(cycles(g)).toEqual([]);
  });

  it("has no two parts that import each other", () => {
    const arrows = new Set<string>();
    for (const [file, targets] of g)
      for (const t of targets) if (partOf(file) !== partOf(t)) arrows.add(`${partOf(file)} -> ${partOf(t)}`);
    const both = [...arrows].filter((a) => {
      const [from, to] = a.split(" -> ");
      return (from ?? "") < (to ?? "") && arrows.has(`${to ?? ""} -> ${from ?? ""}`);
    });
    expect(both).toEqual([]);
  });

  it("imports only down the layers docs/architecture.md lists, and the list names every part", () => {
    const layers = documentedLayers();
    const level = new Map(layers.flatMap((parts, i) => parts.map((p) => [p, i] as const)));
    const parts = [...new Set([...g.keys()].map(partOf))].sort();
    expect(parts.filter((p) => !level.has(p))).toEqual([]);
    expect([...level.keys()].filter((p) => !parts.includes(p))).toEqual([]);
    const upward: string[] = [];
    for (const [file, targets] of g)
      for (const t of targets) {
        const [from, to] = [level.get(partOf(file)) ?? -1, level.get(partOf(t)) ?? -1];
        if (to > from || (to === from && partOf(file) !== partOf(t)))
          upward.push(`${file} -> ${t} (layer ${from + 1} imports layer ${to + 1})`);
      }
    expect(upward).toEqual([]);
  });

  it("sees a cycle when there is one (the check can fail)", () => {
    const g2 = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(g2)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
