import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, InputError } from "../errors.js";
import { loadConfig } from "./load.js";

import { ruleIds } from "../catalog.js";

/** drctl.yaml loaded as the CLI loads it: suppressions checked against the rule catalogue. */
const loadConfigOf = (file: string | undefined) => loadConfig(file, { ruleIds: ruleIds() });

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-config-")), "drctl.yaml");
  writeFileSync(file, text);
  return file;
}

function errorOf(text: string): ConfigError {
  const file = configFile(text);
  try {
    loadConfigOf(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("reads failover triggers with their defaults, and says where a bad one is", () => {
    const { config } = loadConfigOf(
      configFile("triggers:\n  - alarms: [web-*]\n    runbook: runbooks/failover.yaml\n"),
    );
    expect(config.triggers).toEqual([
      {
        alarms: ["web-*"],
        runbook: "runbooks/failover.yaml",
        policy: "approve",
        windowMinutes: 60,
        approvalTimeoutMinutes: 120,
        set: {},
      },
    ]);
    const outside = errorOf("triggers:\n  - alarms: [web-*]\n    runbook: ../elsewhere/failover.yaml\n");
    expect(outside.message).toMatch(
      /:3:14: triggers\.0\.runbook: expected a path relative to the config file, inside its folder/,
    );
    const noAlarm = errorOf("triggers:\n  - alarms: []\n    runbook: f.yaml\n    policy: now\n");
    expect(noAlarm.message).toMatch(/:2:13: triggers\.0\.alarms: expected at least one alarm name/);
  });

  it("applies defaults to an empty file", () => {
    const { config } = loadConfigOf(configFile(""));
    // No standby is assumed: freshness reads the regions AWS records copies in.
    expect(config.regions).toEqual({ primary: "us-east-1" });
    expect(config.strategy).toBe("warm-standby");
    expect(config.retry.maxAttempts).toBe(6);
  });

  it("reads a full file", () => {
    const { config } = loadConfigOf(
      configFile(`version: 1
regions:
  primary: [us-east-1, us-east-2]
  standby: us-west-2
strategy: pilot-light
accounts:
  "222222222222":
    roleArn: arn:aws:iam::222222222222:role/drctl-read
rateLimits:
  ELBv2: { perSecond: 5, burst: 20 }
`),
    );
    expect(config.regions.primary).toEqual(["us-east-1", "us-east-2"]);
    expect(config.accounts["222222222222"]?.roleArn).toContain("drctl-read");
    expect(config.rateLimits).toEqual({ ELBv2: { perSecond: 5, burst: 20 } });
  });

  it("points at an unknown region value", () => {
    const err = errorOf("regions:\n  primary: us-east-1\n  standby: us-wset-2\n");
    expect([err.line, err.column]).toEqual([3, 12]);
    expect(err.message).toMatch(
      /drctl\.yaml:3:12: regions\.standby: unknown AWS region "us-wset-2": expected a region code such as us-east-1 \(did you mean us-west-2\?\)$/,
    );
  });

  it("points at a misspelt key", () => {
    const err = errorOf("version: 1\nregoins:\n  primary: us-east-1\n");
    expect([err.line, err.column]).toEqual([2, 1]);
    expect(err.detail).toMatch(/unknown key "regoins"/);
  });

  it("points at a misspelt nested key", () => {
    const err = errorOf("regions:\n  primary: us-east-1\n  stanby: us-west-2\n");
    expect([err.line, err.column]).toEqual([3, 3]);
  });

  it("points at a value of the wrong type", () => {
    const err = errorOf("retry:\n  maxAttempts: many\n");
    expect([err.line, err.column]).toEqual([2, 16]);
    expect(err.detail).toMatch(/retry\.maxAttempts: .*number/i);
  });

  it("reads durations in every form: 500ms, 1.5s, 2m30s, 1h30m and a bare number of seconds", () => {
    const { config } = loadConfigOf(
      configFile(
        "applications:\n  - { name: a, rto: 30, rpo: 500ms }\n  - { name: b, rto: 2m30s, rpo: 1.5s }\n  - { name: c, rto: 1h30m, rpo: '90' }\n",
      ),
    );
    expect(config.applications.map((a) => [a.rto, a.rpo])).toEqual([
      [30, 0.5],
      [150, 1.5],
      [5400, 90],
    ]);
  });

  it("points at a duration it cannot read, with the forms it takes", () => {
    const err = errorOf("applications:\n  - name: a\n    rto: 30 minutes\n");
    expect(err.line).toBe(3);
    expect(err.detail).toMatch(
      /applications\.0\.rto: expected a duration: .*500ms.*2m30s.*bare number of seconds \(30\); found "30 minutes"/,
    );
  });

  it("points at an account key that is not an account id", () => {
    const err = errorOf("accounts:\n  prod:\n    roleArn: arn:aws:iam::222222222222:role/r\n");
    expect(err.line).toBe(2);
    expect(err.detail).toMatch(/12-digit account id/);
  });

  it("reports YAML syntax errors with their position", () => {
    const err = errorOf("regions:\n  primary: [us-east-1\n");
    expect(err.line).toBeGreaterThanOrEqual(2);
    expect(err.detail).toMatch(/invalid YAML/);
  });

  it("reports a missing explicit file as bad input", () => {
    expect(() => loadConfigOf("/nonexistent/drctl.yaml")).toThrow(InputError);
    expect(() => loadConfigOf("/nonexistent/drctl.yaml")).toThrow(
      /cannot read config file \/nonexistent\/drctl\.yaml/,
    );
  });
});
