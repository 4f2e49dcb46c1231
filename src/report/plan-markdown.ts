/**
 * The plan in Markdown (CommonMark with GitHub tables), for a repository or a wiki. Every value
 * is escaped, so nothing from AWS or drctl.yaml becomes markup or raw HTML: text has Markdown's
 * punctuation backslash-escaped, code spans and blocks are fenced longer than any backtick run.
 */
import type { Block, Inline } from "./plan-document.js";

/** Backslash-escapes what Markdown would read as markup (CommonMark allows it for all ASCII punctuation). */
export function escapeMarkdown(s: string): string {
  const flat = s.replace(/[\r\n]+/g, " ").replace(/[\\`*_[\]<>|&~]/g, (c) => `\\${c}`);
  // What only means something at the start of a line: a heading, a list item, a rule.
  return flat.replace(/^([#+=-]|\d+[.)])/, (m) => `${m.slice(0, -1)}\\${m.slice(-1)}`);
}

/** Emphasis must not begin or end with a space (CommonMark): the spaces go outside the markers. */
function wrap(marker: string, v: string): string {
  const [, lead = "", core = "", trail = ""] = /^(\s*)(.*?)(\s*)$/.exec(v) ?? [];
  return core === "" ? v : `${lead}${marker}${escapeMarkdown(core)}${marker}${trail}`;
}

const longestRun = (s: string) => Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));

function codeSpan(v: string): string {
  const flat = v.replace(/[\r\n]+/g, " ");
  const fence = "`".repeat(longestRun(flat) + 1);
  // A space each side when the content starts or ends with a backtick (CommonMark strips one).
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function inline(parts: Inline[], inTable: boolean): string {
  const out = parts
    .map((p) => {
      switch (p.t) {
        case "code":
          // A pipe ends a table cell even inside a code span (GitHub tables): escape it there.
          return inTable ? codeSpan(p.v).replace(/\|/g, "\\|") : codeSpan(p.v);
        case "strong":
          return wrap("**", p.v);
        case "em":
          return wrap("*", p.v);
        default:
          return escapeMarkdown(p.v);
      }
    })
    .join("");
  return out;
}

export function renderMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.b) {
      case "h1":
        out.push(`# ${escapeMarkdown(b.v)}`);
        break;
      case "h2":
        out.push(`## ${escapeMarkdown(b.v)}`);
        break;
      case "h3":
        out.push(`### ${escapeMarkdown(b.v)}`);
        break;
      case "p":
        out.push(inline(b.v, false));
        break;
      case "list":
        out.push(b.items.map((i) => `- ${inline(i, false)}`).join("\n"));
        break;
      case "code": {
        const body = b.lines.join("\n");
        const fence = "`".repeat(Math.max(3, longestRun(body) + 1));
        out.push(`${fence}sh\n${body}\n${fence}`);
        break;
      }
      case "table": {
        const head = b.head.map((h) => escapeMarkdown(h) || " ");
        out.push(
          [
            `| ${head.join(" | ")} |`,
            `| ${head.map(() => "---").join(" | ")} |`,
            ...b.rows.map((r) => `| ${r.map((c) => inline(c, true) || " ").join(" | ")} |`),
          ].join("\n"),
        );
        break;
      }
    }
  }
  return `${out.join("\n\n")}\n`;
}
