/**
 * A line diff of two small texts (an existing drctl.yaml and the one init would write), for
 * --dry-run: only what changes, each run of changes under the line number it starts at in the old file.
 */
export function lineDiff(before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  // Longest common subsequence, from the end (files here are hundreds of lines at most).
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, lcs[i]?.[j + 1] ?? 0);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let inRun = false;
  const mark = () => {
    if (!inRun) out.push(`@@ line ${i + 1}`);
    inRun = true;
  };
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      inRun = false;
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      mark();
      out.push(`+ ${b[j++] ?? ""}`);
    } else {
      mark();
      out.push(`- ${a[i++] ?? ""}`);
    }
  }
  return out.join("\n");
}
