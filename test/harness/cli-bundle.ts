/**
 * drctl's CLI bundled into one file for tests that start many drctl processes (a kill matrix):
 * node starts a bundle in a fraction of the time tsx needs to compile the sources each time. Built
 * from the sources at the start of the test, with the same settings as the Lambda bundle.
 */
import { buildSync } from "esbuild";
import { join } from "node:path";

export function bundleCli(): string[] {
  // Inside node_modules, so the bundle finds better-sqlite3 (left out of it, a native module).
  const outfile = join(process.cwd(), "node_modules", ".cache", "drctl-test", `cli-${process.pid}.mjs`);
  buildSync({
    entryPoints: ["src/cli/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return [outfile];
}
