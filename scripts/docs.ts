/**
 * npm run docs: regenerates the parts of the documentation that are made from code.
 * `--check` exits 1 instead of writing when something is stale (used by the tests).
 * `--demo-output FILE` (what `npm run demo` printed) also cuts the README's tour of the demo again.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../src/util/files.js";
import { generatedDocs } from "./generated-docs.js";

const check = process.argv.includes("--check");
const demoFile = process.argv[process.argv.indexOf("--demo-output") + 1];
if (process.argv.includes("--demo-output") && (!demoFile || !existsSync(demoFile))) {
  console.error(
    "--demo-output: expected the file npm run demo's output was saved to (npm run demo > out/demo.txt)",
  );
  process.exit(2);
}
const demoOutput = process.argv.includes("--demo-output") ? readFileSync(demoFile ?? "", "utf8") : undefined;
let stale = 0;
for (const { file, content } of generatedDocs({ demoOutput })) {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (current === content) continue;
  stale++;
  if (check) console.error(`${file} is stale: run npm run docs`);
  // Whole or not at all, and readable like any file of the repository.
  else writeFileAtomic(file, content, { mode: 0o644, dirMode: 0o755 });
}
process.exitCode = check && stale > 0 ? 1 : 0;
