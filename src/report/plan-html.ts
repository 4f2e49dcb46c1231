/** The plan as one self-contained HTML page: no scripts, no external assets, every value escaped. */
import { escapeHtml as e } from "./escape.js";
import type { Block, Inline } from "./plan-document.js";

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d2330;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d8dde6;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#eef1f6}code{font:12px ui-monospace,monospace;background:#f3f4f7;padding:0 .2rem;word-break:break-all}
pre{background:#f3f4f7;padding:.6rem;overflow-x:auto}pre code{background:none;word-break:normal}
h2{border-bottom:1px solid #d8dde6;margin-top:2rem}em{color:#6b7280}nav a{margin-right:.8rem}`;

function inline(parts: Inline[]): string {
  return parts
    .map((p) => {
      switch (p.t) {
        case "code":
          return `<code>${e(p.v)}</code>`;
        case "strong":
          return `<strong>${e(p.v)}</strong>`;
        case "em":
          return `<em>${e(p.v)}</em>`;
        default:
          return e(p.v);
      }
    })
    .join("");
}

export function renderHtml(blocks: Block[], nav?: { href: string; label: string }): string {
  const title = blocks.find((b) => b.b === "h1");
  const sections = blocks.flatMap((b) => (b.b === "h2" && b.id !== undefined ? [{ id: b.id, v: b.v }] : []));
  const body = blocks
    .map((b) => {
      switch (b.b) {
        case "h1":
          return `<h1>${e(b.v)}</h1><nav>${sections.map((s) => `<a href="#${e(s.id)}">${e(s.v)}</a>`).join("")}</nav>`;
        case "h2":
          return `<h2${b.id ? ` id="${e(b.id)}"` : ""}>${e(b.v)}</h2>`;
        case "h3":
          return `<h3>${e(b.v)}</h3>`;
        case "p":
          return `<p>${inline(b.v)}</p>`;
        case "list":
          return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`;
        case "code":
          return `<pre><code>${e(b.lines.join("\n"))}</code></pre>`;
        case "table":
          return `<table><thead><tr>${b.head.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>${b.rows
            .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
            .join("")}</tbody></table>`;
      }
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title?.b === "h1" ? title.v : "drctl DR plan")}</title><style>${STYLE}</style></head><body>
${nav ? `<p><a href="${e(nav.href)}">${e(nav.label)}</a></p>` : ""}${body}
</body></html>
`;
}
