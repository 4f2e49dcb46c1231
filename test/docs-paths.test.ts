/**
 * The documentation names only what exists: every repository path in README.md and docs/*.md (in
 * prose, backticks, code blocks or links) is there, every link stays inside the repository and
 * lands on a heading that exists, docs/index.md links every page, the README stays short, and the
 * examples in `drctl ... --help` name files that exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, runCli } from "../src/cli/program.js";

const ROOT = resolve(".");
const PAGES = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Top-level folders of the repository: a word starting with one of them names a repository path. */
const REPO_PATH = /(?<![\w./~$-])(?:src|test|docs|examples|demo|scripts|infra|bench|\.ci)\/[\w.@/-]*/g;
const LINK = /!?\[[^\]]*\]\(([^)\s]+)\)/g;

/** Repository paths a page names, without trailing punctuation; globs and placeholders are left out. */
export function namedPaths(text: string): string[] {
  return [...text.matchAll(REPO_PATH)]
    .filter((m) => !/[*<>{}$]/.test(text.charAt(m.index + m[0].length)))
    .map((m) => m[0].replace(/[.,:;]+$/, ""));
}

/** Link targets of a page that are not web addresses. */
export function localLinks(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[1] ?? "").filter((t) => !/^[a-z]+:/i.test(t));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1] ?? "")));
}

/** What is wrong with a link from `page` to `target`, or undefined when it lands. */
function brokenLink(page: string, target: string): string | undefined {
  const [path = "", anchor] = target.split("#");
  const file = path === "" ? page : normalize(join(dirname(page), path));
  if (relative(ROOT, resolve(file)).startsWith("..")) return `${target} leaves the repository`;
  if (!existsSync(file)) return `${target}: ${file} does not exist`;
  if (anchor && file.endsWith(".md") && !anchors(file).has(anchor))
    return `${target}: ${file} has no heading with the anchor #${anchor}`;
  return undefined;
}

describe("documentation paths", () => {
  it.each(PAGES)("every repository path %s names exists", (page) => {
    const text = readFileSync(page, "utf8");
    const missing = [...new Set(namedPaths(text))].filter((p) => !existsSync(p));
    expect(missing, `${page} names paths that do not exist`).toEqual([]);
  });

  it.each(PAGES)("every link of %s lands inside the repository", (page) => {
    const text = readFileSync(page, "utf8");
    const broken = localLinks(text).flatMap((t) => brokenLink(page, t) ?? []);
    expect(broken.join("\n"), page).toBe("");
  });

  it.each(PAGES)("%s names no path outside the repository (../)", (page) => {
    const lines = readFileSync(page, "utf8").split("\n");
    const outside = lines.filter((l) => l.includes("../")).map((l) => l.trim());
    expect(outside, page).toEqual([]);
  });

  it("finds the paths and links a page names, and only those", () => {
    const text = "see `examples/drills/dns.yaml`, [x](docs/a.md#b), ~/.drctl/runbooks/x and out/drill.html.";
    expect(namedPaths(text)).toEqual(["examples/drills/dns.yaml", "docs/a.md"]);
    expect(localLinks(text + " [y](https://example.com)")).toEqual(["docs/a.md#b"]);
    expect(anchorOf("Use it on your account: `drctl init`")).toBe("use-it-on-your-account-drctl-init");
    expect(brokenLink("README.md", "../elsewhere.md")).toMatch(/leaves the repository/);
  });

  it("README.md is at most 260 lines", () => {
    const lines = readFileSync("README.md", "utf8").split("\n").length;
    expect(lines).toBeLessThanOrEqual(260);
  });

  it("docs/index.md links every page of docs/", () => {
    const linked = new Set(localLinks(readFileSync("docs/index.md", "utf8")).map((t) => t.split("#")[0]));
    const pages = readdirSync("docs").filter((f) => f.endsWith(".md") && f !== "index.md");
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });
});

/** Every command of the tree, as the words that reach it. */
function commandPaths(command: Command, path: string[] = []): string[][] {
  return [path, ...command.commands.flatMap((c) => commandPaths(c, [...path, c.name()]))];
}

// Every command registered in full (no argv), so every subcommand's help is reached.
const program = await buildProgram({ out: () => undefined, err: () => undefined }, () => undefined);

describe("drctl --help", () => {
  it.each(commandPaths(program).map((p) => [p.join(" ") || "(drctl)", p]))(
    "the examples of %s --help name files that exist",
    async (_name, path) => {
      let help = "";
      await runCli([...path, "--help"], { out: (t) => (help += t), err: (t) => (help += t) });
      expect(help).toMatch(/Usage: drctl/);
      const missing = namedPaths(help).filter((p) => !existsSync(p));
      expect(missing).toEqual([]);
    },
  );
});
