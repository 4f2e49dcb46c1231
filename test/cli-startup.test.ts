/**
 * The CLI starts at once: `drctl --version` and `drctl --help` load no command module and no AWS
 * SDK client (checked on the module graph, not by timing), and a reader that leaves early (a pipe
 * into `head`) ends nothing with a crash.
 */
import { spawn } from "node:child_process";
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The CLI bundled as users run it, split where it imports dynamically. */
async function bundle() {
  const outdir = mkdtempSync(join(tmpdir(), "drctl-startup-"));
  const out = await build({
    entryPoints: ["src/cli/main.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    metafile: true,
    external: ["better-sqlite3"],
    logLevel: "silent",
  });
  return out.metafile.outputs;
}

type Outputs = Awaited<ReturnType<typeof bundle>>;

/** Every source and package file loaded with `roots` before any dynamic import runs. */
function staticallyLoaded(outputs: Outputs, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  for (const root of roots) visit(root);
  return [...seen].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {}));
}

/** The output that holds `input` (an entry point or a module imported dynamically). */
const chunkOf = (outputs: Outputs, input: string) =>
  Object.keys(outputs).find((o) => outputs[o]?.entryPoint === input || input in (outputs[o]?.inputs ?? {})) ??
  "";

/** Every source and package file the CLI's entry loads before any dynamic import runs. */
async function loadedAtStart(): Promise<string[]> {
  const outputs = await bundle();
  return staticallyLoaded(outputs, [chunkOf(outputs, "src/cli/main.ts")]);
}

describe("CLI start-up", () => {
  it("loads no command module and no AWS SDK client before a command is chosen", async () => {
    const inputs = await loadedAtStart();
    expect(inputs).toContain("src/cli/program.ts");
    expect(inputs.filter((i) => /@aws-sdk\/client-|@smithy\//.test(i))).toEqual([]);
    expect(inputs.filter((i) => /^src\/cli\/(scan|runbook|drill|freshness|plan)\.ts$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/catalog\.ts|better-sqlite3|nodemailer/.test(i))).toEqual([]);
  });

  it("loads for a scan, before its first AWS call, no readiness type and no AWS SDK client but the tagging API's", async () => {
    const outputs = await bundle();
    // What `drctl scan` has loaded when it starts discovery: the entry, the scan command, its context.
    const inputs = staticallyLoaded(
      outputs,
      ["src/cli/main.ts", "src/cli/scan.ts", "src/cli/context.ts"].map((i) => chunkOf(outputs, i)),
    );
    expect(inputs).toContain("src/scan/engine.ts");
    expect(inputs).toContain("src/resources/readiness-types.ts");
    // A type's folder holds its pairing and modules: each is imported when discovery needs it.
    expect(inputs.filter((i) => /^src\/(resources|datastores)\/[^/]+\//.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/catalog\.ts|src\/runbook\/steps\/|nodemailer/.test(i))).toEqual([]);
    const clients = new Set(inputs.flatMap((i) => /@aws-sdk\/(client-[^/]+)/.exec(i)?.[1] ?? []));
    expect([...clients]).toEqual(["client-resource-groups-tagging-api"]);
  });

  it("goes on to its exit code when the reader of stdout leaves", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
