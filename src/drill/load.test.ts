import { STEP_KINDS } from "../catalog.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDrill } from "./load.js";

describe("loadDrill: an endpoint URL with credentials", () => {
  it("is refused at its line: the URL is printed, stored and published with the drill", () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-drill-load-"));
    const file = join(dir, "drill.yaml");
    const text = readFileSync("examples/drills/dns-failover.yaml", "utf8");
    const url = /url: (\S+)/.exec(text)?.[1] ?? "";
    expect(url).toMatch(/^https?:\/\//);
    writeFileSync(file, text.replace(url, url.replace("://", "://probe:S3cr3t@")));
    const line = text.split("\n").findIndex((l) => l.includes(url)) + 1;
    expect(() => loadDrill(STEP_KINDS, file)).toThrow(
      new RegExp(`${file.replace(/[.]/g, "\\.")}:${line}:\\d+: .*expected a URL without a user or password`),
    );
    let message = "";
    try {
      loadDrill(STEP_KINDS, file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain("S3cr3t");
  });
});

describe("loadDrill: inputs that fail cleanly, at their line", () => {
  const dir = mkdtempSync(join(tmpdir(), "drctl-drill-load-"));
  const example = readFileSync("examples/drills/dns-failover.yaml", "utf8");
  const errorOf = (text: string): string => {
    const file = join(dir, "drill.yaml");
    writeFileSync(file, text);
    try {
      loadDrill(STEP_KINDS, file);
    } catch (err) {
      return (err as Error).message.replace(`${file}:`, "FILE:");
    }
    return "loaded";
  };
  const lineOf = (text: string, what: string) => text.split("\n").findIndex((l) => l.includes(what)) + 1;

  it("an endpoint URL without a scheme", () => {
    const text = example.replace("https://web-001.example.com/health", "web-001.example.com/health");
    expect(errorOf(text)).toMatch(
      new RegExp(
        `^FILE:${lineOf(text, "url: web-001")}:\\d+: endpoints\\.0\\.url: expected an http:// or https:// URL`,
      ),
    );
  });

  it("a region typo, with the closest region code", () => {
    const text = example.replace("standby: us-west-2", "standby: eu-west-01");
    expect(errorOf(text)).toMatch(
      new RegExp(
        `^FILE:${lineOf(text, "eu-west-01")}:\\d+: regions\\.standby: unknown AWS region "eu-west-01": expected a region code such as us-east-1 \\(did you mean eu-west-1\\?\\)$`,
      ),
    );
  });

  it("a fault in the standby region without scope: standby and a reason", () => {
    const fault = "  kind: fault.route53-health-check\n";
    const text = example.replace(fault, `${fault}  region: us-west-2\n`);
    expect(errorOf(text)).toMatch(
      new RegExp(
        `^FILE:${lineOf(text, "region: us-west-2")}:\\d+: fault\\.region: us-west-2 is the standby region: a drill's fault acts in its primary region \\(us-east-1\\); scope: standby with a reason lets it act there$`,
      ),
    );
    const scoped = example.replace(fault, `${fault}  region: us-west-2\n  scope: standby\n`);
    expect(errorOf(scoped)).toMatch(/^FILE:\d+:\d+: fault\.reason: expected a reason for scope: standby/);
    expect(
      errorOf(scoped.replace("  scope: standby\n", "  scope: standby\n  reason: the standby's own drill\n")),
    ).toBe("loaded");
  });

  it.each([
    ["fault.ec2-stop", "{ tags: {} }", /fault\.params\.tags: expected at least one tag/],
    ["fault.ec2-stop", "{ instances: [] }", /fault\.params\.instances: .*/],
    [
      "fault.security-group-deny",
      "{ groupId: sg-0123, ports: [] }",
      /fault\.params\.ports: expected at least one port/,
    ],
  ])("%s with an empty selector %s", (kind, params, message) => {
    const text = example
      .replace("kind: fault.route53-health-check", `kind: ${kind}`)
      .replace(/params: \{ healthCheck: [^}]*\}/, `params: ${params}`);
    expect(errorOf(text)).toMatch(new RegExp(`^FILE:${lineOf(text, "params:")}:\\d+: ${message.source}`));
  });

  it.each([
    ["rto: 30, rpo: 500ms", { rto: 30, rpo: 0.5 }],
    ["rto: 1.5s, rpo: 2m30s", { rto: 1.5, rpo: 150 }],
    ['rto: "1h30m", rpo: "45"', { rto: 5400, rpo: 45 }],
  ])("targets written as %s", (targets, seconds) => {
    const file = join(dir, "drill.yaml");
    writeFileSync(file, example.replace("targets: { rto: 5m, rpo: 1m }", `targets: { ${targets} }`));
    expect(loadDrill(STEP_KINDS, file).drill.targets).toEqual(seconds);
  });

  it("a target that is no duration, with the forms drctl takes", () => {
    const text = example.replace("targets: { rto: 5m, rpo: 1m }", "targets: { rto: 5m, rpo: 1 minute }");
    expect(errorOf(text)).toMatch(
      new RegExp(
        `^FILE:${lineOf(text, "targets:")}:\\d+: targets\\.rpo: expected a duration: a number with a unit \\(500ms, 1\\.5s, 90s, 15m, 1h, 2d\\), units combined from the largest \\(2m30s, 1h30m\\), or a bare number of seconds \\(30\\); found "1 minute"$`,
      ),
    );
  });

  it("a misspelt fault parameter, at its line, with the closest known one", () => {
    const text = example.replace(
      "params: { healthCheck: web-001-1.us-east-1.elb.amazonaws.com, action: invert }",
      "params:\n    healthChek: web-001-1.us-east-1.elb.amazonaws.com\n    action: invert",
    );
    expect(errorOf(text).replace(/^FILE:(\d+):\d+: /, "FILE:$1: ")).toBe(
      `FILE:${lineOf(text, "healthChek:")}: fault.params.healthChek: unknown parameter of fault.route53-health-check; did you mean \`healthCheck\`? (its parameters: healthCheck, action)`,
    );
  });
});
