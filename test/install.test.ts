/**
 * drctl installs as a command the two ways the README gives: `npm pack` then installing the
 * tarball, and `npm install -g .` in a clone, each on a temporary prefix. The installed command
 * then runs outside the clone, against the emulator. The runtime dependencies come from the npm
 * registry or the local cache. The package is built from a copy of the sources, so the
 * worktree's own dist/ is never rebuilt under other tests.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const ROOT = resolve(import.meta.dirname, "..");
const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

function run(command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) {
  const r: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...extra, npm_config_audit: "false", npm_config_fund: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("drctl as an installed command", () => {
  it("installs from npm pack's tarball and with npm install -g ., and runs outside the clone", () => {
    const work = mkdtempSync(join(tmpdir(), "drctl-install-"));
    const clone = join(work, "clone");
    mkdirSync(clone);
    for (const f of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "README.md",
      "scripts/bundle-cli.mjs",
    ])
      cpSync(join(ROOT, f), join(clone, f));
    cpSync(join(ROOT, "src"), join(clone, "src"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");

    // npm pack runs `prepare` (the build) and packs dist/src only.
    const pack = run("npm", ["pack", "--pack-destination", work, "--json"], clone);
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed?.files.map((f) => f.path) ?? [];
    expect(files).toContain("dist/src/cli/main.js");
    expect(files.filter((f) => !f.startsWith("dist/src/")).sort()).toEqual(["README.md", "package.json"]);
    expect(files.some((f) => f.endsWith(".test.js"))).toBe(false);

    const fromTarball = join(work, "prefix-tarball");
    const install = run(
      "npm",
      ["install", "-g", "--prefix", fromTarball, join(work, packed?.filename ?? "")],
      work,
    );
    expect(install.code, install.stderr).toBe(0);
    const drctl = join(fromTarball, "bin", "drctl");
    const outside = mkdtempSync(join(tmpdir(), "drctl-elsewhere-"));
    const home = { DRCTL_HOME: join(outside, "home") };
    expect(run(drctl, ["--version"], outside).stdout.trim()).toBe(version);
    const help = run(drctl, ["--help"], outside);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes: 0 clean, 1 drift, target missed, or a plan");
    // A real scan from the installed command: an empty region is "nothing found", exit 1.
    const scan = run(
      drctl,
      ["--endpoint-url", env.emulator.endpoint, "--region", "eu-north-1", "scan"],
      outside,
      home,
    );
    expect(scan.code, scan.stderr).toBe(1);
    expect(scan.stderr).toMatch(/^drctl: no DR pairs found: no resource in eu-north-1 \(--region\)/m);
    // The history's native module was built or fetched for this Node.
    const history = run(drctl, ["history"], outside, home);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toBe(`no runs in SQLite file ${join(outside, "home", "history.sqlite")}\n`);

    const fromClone = join(work, "prefix-clone");
    const linked = run("npm", ["install", "-g", "--prefix", fromClone, "."], clone);
    expect(linked.code, linked.stderr).toBe(0);
    expect(readdirSync(join(fromClone, "bin"))).toEqual(["drctl"]);
    expect(run(join(fromClone, "bin", "drctl"), ["--version"], outside).stdout.trim()).toBe(version);
  }, 900_000);
});
