import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Emulator, MOTO_INSTALL_COMMAND } from "../demo/emulator.js";
import { runCli } from "../src/cli/program.js";
import { EmulatorUnavailableError } from "../src/errors.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-cli-")), name);
  writeFileSync(file, text);
  return file;
}

describe("drctl as a process", () => {
  it("prints its version and help with examples, exit 0", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });
    const version = run("--version");
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("--endpoint-url");
    expect(help.stdout).toContain("Exit codes:");
  });

  it("exits 2 with one line on stderr for a config error", () => {
    const file = tempFile("drctl.yaml", "regions:\n  standby: mars-1\n");
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "--config", file, "inventory"],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      `drctl: ${file}:2:12: regions.standby: unknown AWS region "mars-1": expected a region code such as us-east-1`,
    ]);
  });
});

describe("bad input", () => {
  it.each([
    [
      ["--config", "/nonexistent/drctl.yaml", "inventory"],
      /cannot read config file \/nonexistent\/drctl\.yaml/,
    ],
    [
      ["--region", "us-wset-2", "inventory"],
      /unknown AWS region "us-wset-2" in --region: expected a region code such as us-east-1 \(did you mean/,
    ],
    [
      ["--endpoint-url", "localhost:4566", "inventory"],
      /malformed endpoint URL "localhost:4566" in --endpoint-url: expected http\(s\):\/\/host\[:port\]/,
    ],
    [["--endpoint-url", "http//x", "inventory"], /malformed endpoint URL/],
    [["inventroy"], /unknown command 'inventroy'/],
    [["inventory", "--frobnicate"], /unknown option '--frobnicate'/],
  ])("%j exits 2 and says what was expected", async (argv, message) => {
    const r = await drctl(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("rejects a profile that does not exist, naming the known ones", async () => {
    const config = tempFile("config", "[profile prod]\nregion = us-east-1\n[default]\nregion = us-east-1\n");
    const saved = { config: process.env.AWS_CONFIG_FILE, creds: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = config;
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmpdir(), "drctl-no-credentials-file");
    try {
      const r = await drctl("--profile", "staging", "inventory");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /AWS profile "staging" \(from --profile\) was not found .* known profiles: default, prod/,
      );
    } finally {
      process.env.AWS_CONFIG_FILE = saved.config;
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved.creds;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      if (saved.creds === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    }
  });

  it("reports an endpoint nobody listens on per resource type and exits 3", async () => {
    const config = tempFile("drctl.yaml", "retry:\n  maxAttempts: 1\n");
    const r = await drctl(
      "--config",
      config,
      "--endpoint-url",
      "http://127.0.0.1:9",
      "--region",
      "us-east-1",
      "inventory",
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^VPCs\s+error$/m);
    expect(r.stderr).toMatch(
      /^drctl: 14 calls failed: could not reach the endpoint: connect ECONNREFUSED 127\.0\.0\.1:9$/m,
    );
  });
});

describe("an unavailable emulator", () => {
  it("names the install command when python3 cannot be run", async () => {
    process.env.DRCTL_PYTHON = "/nonexistent/python3";
    try {
      await expect(Emulator.start()).rejects.toThrow(EmulatorUnavailableError);
      await expect(Emulator.start()).rejects.toThrow(MOTO_INSTALL_COMMAND);
    } finally {
      delete process.env.DRCTL_PYTHON;
    }
  });

  it("tries pip, then names the install command, when moto is missing", async () => {
    // A python3 that runs but has neither moto nor a working pip.
    const fake = tempFile(
      "python3",
      '#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.11.0" && exit 0\nexit 1\n',
    );
    chmodSync(fake, 0o755);
    process.env.DRCTL_PYTHON = fake;
    try {
      await expect(Emulator.start()).rejects.toThrow(
        /installing it failed\. Run: python3 -m pip install 'moto\[server\]>=5\.2'/,
      );
    } finally {
      delete process.env.DRCTL_PYTHON;
    }
  });
});

describe("drctl inventory on the emulator", () => {
  it("prints JSON on stdout, progress and the call count on stderr", async () => {
    const r = await drctl("--endpoint-url", env.emulator.endpoint, "--json", "inventory");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      version: number;
      regions: { region: string }[];
      stats: { calls: Record<string, number> };
    };
    expect(result.version).toBe(1);
    // Without a drctl.yaml, the default primary region alone: no standby region is assumed.
    expect(result.regions.map((x) => x.region)).toEqual(["us-east-1"]);
    expect(result.stats.calls["ELBv2.DescribeLoadBalancers"]).toBe(1);
    expect(r.stderr).toMatch(/counting resources in us-east-1\n/);
    expect(r.stderr).toMatch(/AWS calls: \d+ \(ACM\.ListCertificates 1/);
  });

  it("is silent on stderr with --quiet and lists every call with --verbose", async () => {
    const quiet = await drctl(
      "--endpoint-url",
      env.emulator.endpoint,
      "--quiet",
      "--region",
      "eu-west-1",
      "inventory",
    );
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toMatch(/load balancers\s+0/);
    const verbose = await drctl(
      "--endpoint-url",
      env.emulator.endpoint,
      "--verbose",
      "--region",
      "eu-west-1",
      "inventory",
    );
    expect(verbose.stderr).toMatch(/aws: EC2\.DescribeVpcs eu-west-1/);
  });
});
