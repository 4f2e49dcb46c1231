import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import { scanExitCode } from "../src/cli/scan.js";
import { runCli } from "../src/cli/program.js";
import { undeclaredCalls } from "../src/aws/services.js";
import { commandOperations } from "../src/permissions.js";
import { runScan, type ScanOptions } from "../src/scan/engine.js";
import type { ScanResult } from "../src/core/scan-result.js";
import type { Finding } from "../src/core/finding.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy } from "./harness/fault-proxy.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
let world: World;
let result: ScanResult;
let calls: number;

const options = (overrides: Partial<ScanOptions> = {}): ScanOptions => ({
  types: RESOURCE_TYPES,
  primaryRegions: ["us-east-1"],
  configPairs: [],
  settings: { strategy: "pilot-light", certificateExpiryDays: 30, now: new Date() },
  suppressions: [],
  concurrency: 8,
  ...overrides,
});

const live = (r: ScanResult): Finding[] =>
  r.pairs.flatMap((p) => p.findings).filter((f) => f.status !== "pass" && f.severity !== "info");
const key = (f: Finding) => `${f.pair} ${f.ruleId} ${f.severity} ${f.path.replace("us-west-2", "{region}")}`;

beforeAll(async () => {
  const build = await env.clients();
  world = await buildWorld(build, { pairs: 12 });
  const aws = await env.clients();
  result = await runScan(aws, options());
  calls = aws.counter.total;
});

describe("drctl scan on the demo world", () => {
  it("scans every pair: the load balancers tagged, and the database RDS records with its cross-region read replica", () => {
    const expected = [...world.pairs, { name: "app-db", standbyArn: world.database.replicaArn }];
    expect(result.pairs.map((p) => p.name)).toEqual(
      expected.map((p) => p.name).sort((a, b) => a.localeCompare(b)),
    );
    for (const p of result.pairs)
      expect(p.secondaryArn).toBe(expected.find((w) => w.name === p.name)?.standbyArn);
  });

  it("finds each planted difference exactly once, with its rule and severity, and nothing else", () => {
    const expected = world.plants
      .map((p) => `${p.pair} ${p.expect.ruleId} ${p.expect.severity} ${p.expect.path}`)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(9); // 8 on pairs 2-5, and the NLB web-012 carries one
    expect(live(result).map(key).sort()).toEqual(expected);
  });

  it("reports nothing on pairs identical in meaning: other ARNs, DNS names, certificate ARNs and creation order", () => {
    const clean = world.pairs.filter((p) => p.plants.length === 0).map((p) => p.name);
    expect(clean).toEqual(expect.arrayContaining(["web-001", "web-006", "web-007", "web-010", "web-011"]));
    for (const name of clean) {
      const pair = result.pairs.find((p) => p.name === name);
      expect(pair?.status, name).toBe("pass");
      // The only thing said about them: the pilot-light standby runs no targets yet.
      expect(new Set(pair?.findings.map((f) => `${f.ruleId}/${f.severity}`))).toEqual(
        new Set(["target-group.no-targets/info"]),
      );
    }
  });

  it("stays within 10 AWS calls per load balancer per side, batching tags and reading Route 53 once", () => {
    // The load balancers' own reads; the other types' discovery, quotas and pairs are counted apart.
    const elb = Object.entries(result.stats.calls)
      .filter(([op]) => op.startsWith("ELBv2."))
      .reduce((n, [, c]) => n + c, 0);
    const perSide = elb / (2 * world.pairs.length);
    const allPerSide = calls / (2 * result.pairs.length);
    console.log(
      `scan of ${world.pairs.length} load-balancer pairs: ${elb} ELBv2 calls, ${perSide.toFixed(2)} per load balancer per side; ${calls} calls in all for ${result.pairs.length} pairs, ${allPerSide.toFixed(2)} per pair per side`,
    );
    expect(perSide).toBeLessThanOrEqual(10);
    expect(allPerSide).toBeLessThanOrEqual(10);
    expect(result.stats.calls["ELBv2.DescribeTags"]).toBe(1); // 12 primaries, 20 a call
    expect(result.stats.calls["Route53.ListHostedZones"]).toBe(1);
    expect(result.stats.calls["Route53.ListResourceRecordSets"]).toBe(1);
    expect(result.stats.calls["EC2.DescribeSecurityGroups"]).toBe(2); // once per region
    expect(result.stats.calls["ACM.DescribeCertificate"]).toBeLessThanOrEqual(5); // each certificate once
  });

  it("declares every IAM action it used (the README and the deployment policy come from these)", () => {
    expect(undeclaredCalls(Object.keys(result.stats.calls), commandOperations().scan ?? [])).toEqual([]);
  });

  it("rates an empty standby by the configured strategy", async () => {
    const warm = await runScan(
      await env.clients(),
      options({ settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() } }),
    );
    const empty = warm.pairs.flatMap((p) => p.findings).filter((f) => f.ruleId === "target-group.no-targets");
    expect(empty.length).toBe(24);
    expect(new Set(empty.map((f) => f.severity))).toEqual(new Set(["high"]));
    expect(warm.pairs.find((p) => p.name === "web-001")?.status).toBe("drift");
  });

  it("applies suppressions until they expire", async () => {
    const r = await runScan(
      await env.clients(),
      options({
        suppressions: [
          { rule: "listener.ssl-policy", pair: "web-002", reason: "legacy clients until January" },
          { rule: "load-balancer.*", pair: "web-00*", reason: "accepted", expires: "2020-01-01" },
        ],
      }),
    );
    const web002 = r.pairs.find((p) => p.name === "web-002");
    const ssl = web002?.findings.find((f) => f.ruleId === "listener.ssl-policy");
    expect(ssl?.suppressed?.reason).toBe("legacy clients until January");
    expect(
      r.pairs.find((p) => p.name === "web-012")?.findings.find((f) => f.ruleId === "listener.ssl-policy")
        ?.suppressed,
    ).toBeUndefined();
    // the expired one reports again, and says so
    expect(web002?.findings.find((f) => f.ruleId === "load-balancer.attributes")?.suppressed).toBeUndefined();
    expect(r.expiredSuppressions.map((s) => s.rule)).toEqual(["load-balancer.*"]);
    expect(web002?.counts.medium).toBe(1);
    expect(scanExitCode(r, "medium")).toBe(1);
    expect(scanExitCode(r, "critical")).toBe(0);
    expect(scanExitCode(r, "never")).toBe(0);
  });

  it("finds the same through a proxy that throttles and fails, and counts the retries", async () => {
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      seed: 7,
      throttle: 0.06,
      serverError: 0.04,
      delay: 0.2,
      delayMaxMs: 50,
      maxConsecutiveFaults: 3,
    });
    try {
      const aws = await env.clients({ endpointUrl: proxy.endpoint });
      const faulty = await runScan(aws, options());
      expect(faulty.pairs.map((p) => p.findings.map(key))).toEqual(
        result.pairs.map((p) => p.findings.map(key)),
      );
      expect(proxy.faults).toBeGreaterThan(0);
      // Every injected fault was retried; the only other retries are of the one call the emulator
      // itself answers with HTTP 500 (it has no default quotas), which AWS would answer.
      const retries = aws.counter.retriesByOperation;
      const emulatorOwn = retries["ServiceQuotas.GetAWSDefaultServiceQuota"] ?? 0;
      expect(aws.counter.totalRetries, JSON.stringify(retries)).toBeGreaterThanOrEqual(proxy.faults);
      expect(aws.counter.totalRetries - proxy.faults, JSON.stringify(retries)).toBeLessThanOrEqual(
        emulatorOwn,
      );
    } finally {
      await proxy.stop();
    }
  });

  it("writes the documented JSON and a self-contained HTML report through the CLI", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-scan-"));
    const html = join(dir, "report.html");
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--endpoint-url", env.emulator.endpoint, "--json", "scan", "--html", html], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect(code).toBe(1); // default --fail-on high, and high findings exist
    const json = JSON.parse(out.join("")) as ScanResult;
    expect(json.version).toBe(1);
    expect(json.stats.pairs).toBe(12 + 1); // and the database with its read replica
    expect(Object.keys(json.stats.calls).every((k) => /^[A-Za-z0-9]+\.[A-Za-z]+$/.test(k))).toBe(true);
    const f = json.pairs.flatMap((p) => p.findings).find((x) => x.ruleId === "listener.ssl-policy");
    expect(f).toMatchObject({
      resourceType: "listener",
      severity: "medium",
      status: "drift",
      path: "listeners[443].sslPolicy",
      primary: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      secondary: "ELBSecurityPolicy-2016-08",
    });
    expect(typeof f?.message).toBe("string");
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<table>");
    expect(page).toContain('id="pair-web-002"');
    expect(page).not.toMatch(/<script|<link|src=/);
    expect(err.join("")).toMatch(/AWS calls per pair and side/);
  });
});
