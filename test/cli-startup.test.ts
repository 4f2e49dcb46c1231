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

/** Every source and package file the CLI's entry loads before any dynamic import runs. */
async function loadedAtStart(): Promise<string[]> {
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
  const outputs = out.metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o]?.entryPoint === "src/cli/main.ts");
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
  };
  if (entry) visit(entry);
  return [...seen].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {}));
}

describe("CLI start-up", () => {
  it("loads no command module and no AWS SDK client before a command is chosen", async () => {
    const inputs = await loadedAtStart();
    expect(inputs).toContain("src/cli/program.ts");
    expect(inputs.filter((i) => /@aws-sdk\/client-|@smithy\//.test(i))).toEqual([]);
    expect(inputs.filter((i) => /^src\/cli\/(scan|runbook|drill|freshness|plan)\.ts$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /src\/catalog\.ts|better-sqlite3|nodemailer/.test(i))).toEqual([]);
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
