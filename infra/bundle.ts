import { buildSync } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles the Lambda handlers into one ES module. better-sqlite3 stays out: the cloud history is
 * DynamoDB, and the SQLite adapter is only imported when a file store is used.
 */
export function bundleHandlers(outDir = join(root, "infra", "build", "lambda")): string {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [join(root, "src", "lambda", "handlers.ts")],
    outfile: join(outDir, "handlers.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: ["better-sqlite3"],
    // CommonJS dependencies inside an ES module need require().
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return outDir;
}
