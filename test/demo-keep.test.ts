/**
 * `npm run demo -- --keep` leaves the world running for a person to try drctl on, and
 * `npm run demo -- --stop` ends it: run as a user runs them, as processes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/program.js";

const out = mkdtempSync(join(tmpdir(), "drctl-demo-keep-"));
const demo = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", "--out", out, ...args], {
    encoding: "utf8",
    timeout: 600_000,
  });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  demo("--stop");
});

describe("a kept demo world", () => {
  it("stays up after the demo, answers drctl, refuses a second --keep, and --stop ends it", async () => {
    const kept = demo("--keep", "--pairs", "1");
    expect(kept.status, kept.stderr.slice(-2000)).toBe(0);
    expect(kept.stdout).toContain("The demo world stays up");
    expect(kept.stdout).toMatch(
      /export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+ AWS_ACCESS_KEY_ID=testing/,
    );
    expect(readFileSync(join(out, "demo.log"), "utf8")).toContain("The demo world stays up");
    const state = JSON.parse(readFileSync(join(out, "kept-world.json"), "utf8")) as {
      pid: number;
      endpoint: string;
      config: string;
    };
    expect(alive(state.pid)).toBe(true);

    // What the demo told the person to export.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runCli(
      [
        "--endpoint-url",
        state.endpoint,
        "--config",
        state.config,
        "scan",
        "--no-store",
        "--fail-on",
        "never",
      ],
      { out: (t) => lines.push(t), err: (t) => errors.push(t) },
    );
    expect(code, errors.join("\n")).toBe(0);
    expect(lines.join("\n")).toMatch(/^web-001 .* (pass|drift) /m);

    const again = demo("--keep");
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`a kept demo world already runs (process ${state.pid}`);

    const stop = demo("--stop");
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain(`stopped the kept demo world (process ${state.pid}`);
    expect(alive(state.pid)).toBe(false);
    expect(existsSync(join(out, "kept-world.json"))).toBe(false);
    expect(demo("--stop").stdout).toContain("nothing to stop");

    // A state file whose process number now belongs to another process: that one is never signalled.
    const stale = { pid: process.pid, endpoint: state.endpoint, code: 0, config: state.config };
    writeFileSync(join(out, "kept-world.json"), JSON.stringify(stale));
    expect(demo("--stop").stdout).toContain("nothing to stop");
    expect(alive(process.pid)).toBe(true);
    // The whole demo runs first: minutes on a loaded machine.
  }, 900_000);
});
