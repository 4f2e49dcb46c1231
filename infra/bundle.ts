import { STEP_KINDS } from "../src/catalog.js";
import { buildSync } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRunbook, type LoadedRunbook } from "../src/runbook/load.js";

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

/**
 * Copies the triggers' runbooks (paths relative to the config's folder) into the bundle's
 * runbooks/ folder, where the functions find them; each is validated on the way, so a broken
 * runbook fails the synth with its file:line, not the failover.
 */
export function bundleRunbooks(codeDir: string, configDir: string, paths: string[]): LoadedRunbook[] {
  const target = join(codeDir, "runbooks");
  rmSync(target, { recursive: true, force: true });
  return [...new Set(paths)].map((path) => {
    const source = join(configDir, path);
    const loaded = loadRunbook(STEP_KINDS, source);
    mkdirSync(dirname(join(target, path)), { recursive: true });
    copyFileSync(source, join(target, path));
    return loaded;
  });
}
