/**
 * The last step of `npm run build`: replaces the compiled dist/src/cli/main.js with the CLI bundled
 * (esbuild, split where it imports dynamically), so that a command loads a few files instead of
 * hundreds of modules: Node resolves, reads and links each file of an unbundled tree on every start,
 * and scans each CommonJS package's source for its exports when an ES module imports it. The
 * chunks sit beside main.js, so that a path relative to a module (the package.json the version is
 * read from) is the same as in the compiled tree. The rest of dist/ stays as tsc wrote it.
 */
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const OUT = "dist/src/cli";
// The chunks of an earlier build (named NAME-HASH.js) would otherwise pile up in the package.
for (const file of readdirSync(OUT)) if (/^[\w-]+-[A-Z0-9]{8}\.js$/.test(file)) rmSync(`${OUT}/${file}`);

await build({
  entryPoints: { main: "src/cli/main.ts" },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // A native module, loaded only when the SQLite history is used.
  external: ["better-sqlite3"],
  // CommonJS dependencies inside an ES module need require().
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);",
  },
  allowOverwrite: true,
  logLevel: "warning",
});
// tsc's source map is of the file the bundle replaced.
rmSync(`${OUT}/main.js.map`, { force: true });
