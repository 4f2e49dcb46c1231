/**
 * The exit-code table: for each command, each code of the contract (0 clean, 1 drift or nothing
 * found, 2 bad input, 3 could not finish) produced by a real situation: the emulator, an unused
 * loopback port, no credentials at all, discovery denied through the fault proxy, an empty
 * region, bad flag values, paths that cannot be written. Each row asserts the code, the one line
 * that says why, and that nothing was stored or sent when it should not have been.
 */
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import { runCli } from "../src/cli/program.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { EXIT_CODES, exitCodesMarkdown } from "../src/errors.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { headerOf } from "../src/history/types.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";

const env = useEmulator();
/** A loopback port nobody listens on: bound by the system, then released. */
let downEndpoint = "";
/** The emulator behind the fault proxy, which answers every query-protocol call (ELBv2, EC2, ...) AccessDenied. */
let denied: FaultProxy;

beforeAll(async () => {
  await buildWorld(await env.clients(), { pairs: 2 });
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const address = probe.address();
  downEndpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 1}`;
  await new Promise<void>((r) => probe.close(() => r()));
  // ELBv2 and EC2 speak the query protocol (POST / without X-Amz-Target): with these denied, the
  // scan's discovery (ELBv2 DescribeLoadBalancers) is refused as IAM would refuse it.
  denied = await FaultProxy.start(env.emulator.endpoint, {
    ...NO_FAULTS,
    deny: (r) => r.method === "POST" && r.path === "/" && r.target === "",
  });
  return () => denied.stop();
});

/** A folder with its own drctl.yaml (history file, outbox, one attempt per call), store and outbox. */
function place(extra = "") {
  const dir = mkdtempSync(join(tmpdir(), "drctl-exit-"));
  const config = join(dir, "drctl.yaml");
  writeFileSync(
    config,
    `strategy: pilot-light\nretry:\n  maxAttempts: 1\nstore: ${join(dir, "history.sqlite")}\nnotify:\n  when: always\n  email:\n    outbox: ${join(dir, "outbox")}\n${extra}`,
  );
  return {
    dir,
    config,
    store: join(dir, "history.sqlite"),
    /** Runs stored in this place's history (0 when the file was never made). */
    stored(): number {
      if (!existsSync(join(dir, "history.sqlite"))) return 0;
      const db = new Database(join(dir, "history.sqlite"), { readonly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }).n;
      } catch {
        return -1;
      } finally {
        db.close();
      }
    },
    /** Messages in this place's outbox. */
    sent(): string[] {
      return existsSync(join(dir, "outbox")) ? readdirSync(join(dir, "outbox")) : [];
    },
  };
}

async function drctl(argv: string[], options: { endpoint?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [...(options.endpoint === undefined ? [] : ["--endpoint-url", options.endpoint]), ...argv],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  const stderr = err.join("\n");
  return {
    code,
    stdout: out.join(""),
    stderr,
    /** The lines drctl says as itself: the verdict, when something is wrong. */
    said: err.flatMap((t) => t.split("\n")).filter((l) => l.startsWith("drctl: ")),
  };
}

/** Runs `work` with no AWS credentials anywhere: none in the environment, no profile files, no instance. */
async function withoutCredentials<T>(work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env))
    if (k.startsWith("AWS_") && k !== "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED")
      delete process.env[k];
  const none = mkdtempSync(join(tmpdir(), "drctl-nocreds-"));
  process.env.AWS_CONFIG_FILE = join(none, "config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(none, "credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  try {
    return await work();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** A stored scan with one finding, for the commands that read the history. */
function storedScan(id: string, at: string, ruleIds: string[]): Parameters<SqliteHistory["save"]>[0] {
  const result: ScanResult = {
    version: 1,
    generatedAt: at,
    strategy: "pilot-light",
    expiredSuppressions: [],
    stats: { pairs: 1, durationMs: 1, calls: {}, retries: 0 },
    pairs: [
      {
        name: "web-001",
        primaryArn: "arn:p",
        secondaryArn: "arn:s",
        status: "drift",
        counts: { critical: 0, high: ruleIds.length, medium: 0, low: 0, info: 0 },
        findings: ruleIds.map((ruleId) => ({
          pair: "web-001",
          primaryArn: "arn:p",
          secondaryArn: "arn:s",
          resourceType: "listener" as const,
          ruleId,
          severity: "high" as const,
          status: "drift" as const,
          path: ruleId,
          primary: 1,
          secondary: 2,
          message: `standby differs in ${ruleId}`,
          remediation: `make the standby's ${ruleId} the primary's`,
        })),
      },
    ],
  };
  return headerOf("scan", id, result, new Date(at));
}

async function withHistory(p: ReturnType<typeof place>, corrupt?: string) {
  const store = SqliteHistory.open(p.store);
  await store.save(storedScan("20261120T100000Z-aaaa", "2026-11-20T10:00:00.000Z", ["listener.alpn"]));
  await store.save(storedScan("20261121T100000Z-bbbb", "2026-11-21T10:00:00.000Z", ["listener.protocol"]));
  store.close();
  if (corrupt) {
    const db = new Database(p.store);
    db.prepare("UPDATE runs SET result = ? WHERE id = ?").run(Buffer.from("torn"), corrupt);
    db.close();
  }
}

describe("drctl scan", () => {
  it("0: every pair read, nothing at or above --fail-on; stored and sent", async () => {
    const p = place();
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "critical"], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.said).toEqual([]);
    expect(r.stdout).toMatch(/^PAIR\s+STATUS/);
    expect(p.stored()).toBe(1);
    expect(p.sent().filter((f) => f.endsWith(".eml"))).toHaveLength(1);
  });

  it("1: drift at or above --fail-on (given in any case); stored and sent", async () => {
    const p = place();
    const report = join(p.dir, "reports", "readiness.html");
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "Medium", "--html", report], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code, r.stderr).toBe(1);
    // The HTML report appears whole (no temporary file beside it), readable like any report.
    expect(readdirSync(join(p.dir, "reports"))).toEqual(["readiness.html"]);
    expect(readFileSync(report, "utf8")).toMatch(/^<!doctype html>[\s\S]*<\/html>\s*$/);
    expect(statSync(report).mode & 0o777).toBe(0o644);
    expect(r.said).toEqual([]);
    expect(r.stdout).toMatch(/^web-002\s+drift/m);
    expect(p.stored()).toBe(1);
    expect(p.sent().filter((f) => f.endsWith(".eml"))).toHaveLength(1);
  });

  it("1: a region with no tagged primary says what it searched; nothing stored or sent; 0 with --allow-empty", async () => {
    const p = place();
    const r = await drctl(["--config", p.config, "--region", "eu-north-1", "scan"], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code).toBe(1);
    expect(r.said).toEqual([
      `drctl: no DR pairs found: no resource in eu-north-1 (--region) is tagged enable=true, isPrimary=true and a secondaryARN, and ${p.config} lists no pairs; nothing was stored or sent (--allow-empty makes this exit 0)`,
    ]);
    expect(r.stdout).toBe("");
    expect([p.stored(), p.sent()]).toEqual([0, []]);
    const allowed = await drctl(["--config", p.config, "--region", "eu-north-1", "scan", "--allow-empty"], {
      endpoint: env.emulator.endpoint,
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(p.stored()).toBe(1);
  });

  it.each([
    [
      ["scan", "--fail-on", "loud"],
      /^drctl: option '--fail-on <severity>' argument 'loud' is invalid\. expected one of critical, high, medium, low, info, never \(in any case\)\.$/,
    ],
    [
      ["scan", "--notify", "pager"],
      /^drctl: option '--notify <channel>' argument 'pager' is invalid\. expected one of outbox, none/,
    ],
    [
      ["--store", "dynamo://x", "scan"],
      /^drctl: store location "dynamo:\/\/x" \(from --store\): expected dynamodb:\/\/TABLE\?region=REGION or a file path; found the scheme "dynamo:" \(did you mean dynamodb:\/\/\?\)$/,
    ],
    [
      ["--store", "/etc/passwd/history.sqlite", "scan"],
      /^drctl: the history file \(from --store\): cannot use the folder \/etc\/passwd: \/etc\/passwd is a file, not a folder$/,
    ],
    [
      ["scan", "--html", "/proc/nope/report.html"],
      /^drctl: --html: cannot create the folder \/proc\/nope: the file system does not allow a folder there \(ENOENT\)$/,
    ],
    [
      ["scan", "--html", "/etc/passwd/report.html"],
      /^drctl: --html: cannot use the folder \/etc\/passwd: \/etc\/passwd is a file, not a folder$/,
    ],
    [["--region", "us-wset-2", "scan"], /^drctl: unknown AWS region "us-wset-2" in --region/],
    [
      ["--endpoint-url", "localhost:4566", "scan"],
      /^drctl: malformed endpoint URL "localhost:4566" in --endpoint-url/,
    ],
  ])("2: %j, before any AWS call; nothing stored or sent", async (argv, message) => {
    const p = place();
    const proxy = await FaultProxy.start(env.emulator.endpoint, NO_FAULTS);
    try {
      const r = await drctl(
        ["--config", p.config, ...argv],
        argv.includes("--endpoint-url") ? {} : { endpoint: proxy.endpoint },
      );
      expect(r.code).toBe(2);
      expect(r.said).toHaveLength(1);
      expect(r.said[0]).toMatch(message);
      expect(r.stdout).toBe("");
      expect(proxy.stats.requests).toBe(0);
      expect([p.stored(), p.sent()]).toEqual([0, []]);
    } finally {
      await proxy.stop();
    }
  });

  it("2: a store location in drctl.yaml that is not one, at its line", async () => {
    const p = place();
    writeFileSync(p.config, "strategy: pilot-light\nstore: dynamo://history\n");
    const r = await drctl(["--config", p.config, "scan"], { endpoint: env.emulator.endpoint });
    expect(r.code).toBe(2);
    expect(r.said).toEqual([
      `drctl: ${p.config}:2:8: store: store location "dynamo://history": expected dynamodb://TABLE?region=REGION or a file path; found the scheme "dynamo:" (did you mean dynamodb://?)`,
    ]);
    expect(existsSync(join(p.dir, "dynamo:"))).toBe(false);
  });

  it("3: the emulator down, whatever --fail-on says; nothing stored or sent", async () => {
    const p = place();
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "never"], { endpoint: downEndpoint });
    expect(r.code).toBe(3);
    // The load balancers' own listing, the tagging API's shared by most types, Auto Scaling's
    // tags, Route 53's health checks and API Gateway's stages: each listing once; and the pairs
    // AWS records (DynamoDB's global tables, RDS's read replicas and global databases): each
    // type's once.
    expect(r.said).toEqual([
      "drctl: the scan could not finish: 8 reads failed (pair.unreadable 8); nothing was stored or sent",
    ]);
    expect(r.stderr).toContain(
      `could not list the tagged primaries of us-east-1: could not reach the endpoint for ELBv2.DescribeLoadBalancers/DescribeTags in us-east-1: connect ECONNREFUSED ${downEndpoint.slice(7)}`,
    );
    expect(r.stderr).toContain(
      `could not list the tagged primaries of us-east-1: could not reach the endpoint for ResourceGroupsTaggingAPI.GetResources in us-east-1`,
    );
    expect([p.stored(), p.sent()]).toEqual([0, []]);
  });

  it("3: no credentials at all, before any call; nothing stored or sent", async () => {
    const p = place();
    const proxy = await FaultProxy.start(env.emulator.endpoint, NO_FAULTS);
    try {
      const r = await withoutCredentials(() =>
        drctl(["--config", p.config, "scan"], { endpoint: proxy.endpoint }),
      );
      expect(r.code).toBe(3);
      expect(r.said).toHaveLength(1);
      expect(r.said[0]).toMatch(
        /^drctl: no AWS credentials found \(looked in the environment, .*\): set AWS_ACCESS_KEY_ID/,
      );
      expect(proxy.stats.requests).toBe(0);
      expect([p.stored(), p.sent()]).toEqual([0, []]);
    } finally {
      await proxy.stop();
    }
  });

  it("3: discovery denied by IAM (fault proxy); nothing stored or sent", async () => {
    const p = place();
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "never"], {
      endpoint: denied.endpoint,
    });
    expect(r.code).toBe(3);
    expect(r.said).toEqual([
      "drctl: the scan could not finish: 4 reads failed (pair.unreadable 4); nothing was stored or sent",
    ]);
    expect(r.stderr).toMatch(/access denied to ELBv2\.DescribeLoadBalancers\/DescribeTags in us-east-1/);
    // RDS is denied too: the read replicas and global databases AWS records are unread, and said so.
    expect(r.stderr).toMatch(
      /could not read the db instance pairs AWS records in us-east-1 \(replicas, global members\): access denied to RDS\.DescribeDBInstances in us-east-1/,
    );
    expect([p.stored(), p.sent()]).toEqual([0, []]);
  });

  it("3: Route 53 denied for every pair (fault proxy): the cause said once with its count; nothing stored or sent", async () => {
    const p = place();
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: (r) => r.path.startsWith("/2013-04-01/"),
    });
    try {
      const r = await drctl(["--config", p.config, "scan", "--fail-on", "never"], {
        endpoint: proxy.endpoint,
      });
      expect(r.code).toBe(3);
      expect(r.said).toEqual([
        "drctl: the scan could not finish: 3 reads failed (pair.unreadable 1, route53.unreadable 2); nothing was stored or sent",
      ]);
      const detail = r.stderr.split("\n").filter((l) => l.startsWith("  "));
      // The pairs' records, said once with their count; and the health checks' listing.
      expect(
        detail.filter((l) => /^ {2}2 times: could not read .*access denied to Route53\./.test(l)),
      ).toHaveLength(1);
      expect(detail).toHaveLength(2);
      expect([p.stored(), p.sent()]).toEqual([0, []]);
    } finally {
      await proxy.stop();
    }
  });

  it("3: a history file that is not a database; the result printed, nothing sent", async () => {
    const p = place();
    writeFileSync(p.store, "not a database ".repeat(500));
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "never"], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(
      /^drctl: the scan result was not stored, so nothing was sent: the history file .* is not a readable drctl history database/,
    );
    expect(r.stdout).toMatch(/^PAIR\s+STATUS/);
    expect(p.sent()).toEqual([]);
  });

  it("without notify: in drctl.yaml, nothing is written to any outbox", async () => {
    const p = place();
    writeFileSync(p.config, `strategy: pilot-light\nstore: ${p.store}\n`);
    const home = process.env.DRCTL_HOME ?? "";
    const before = existsSync(join(home, "outbox")) ? readdirSync(join(home, "outbox")) : [];
    const r = await drctl(["--config", p.config, "scan", "--fail-on", "never"], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/notify:/);
    expect(existsSync(join(home, "outbox")) ? readdirSync(join(home, "outbox")) : []).toEqual(before);
    // --no-store with a configured channel: nothing to compare with, so nothing is sent; --notify outbox sends.
    const q = place();
    const unstored = await drctl(["--config", q.config, "scan", "--no-store", "--fail-on", "never"], {
      endpoint: env.emulator.endpoint,
    });
    expect(unstored.stderr).toMatch(
      /notify: nothing sent to email \(outbox\): --no-store leaves nothing to compare with/,
    );
    expect([q.stored(), q.sent()]).toEqual([0, []]);
    const preview = await drctl(
      ["--config", q.config, "scan", "--no-store", "--notify", "outbox", "--fail-on", "never"],
      {
        endpoint: env.emulator.endpoint,
      },
    );
    expect(preview.code, preview.stderr).toBe(0);
    expect([q.stored(), q.sent().filter((f) => f.endsWith(".eml")).length]).toEqual([0, 1]);
  });
  it("1: compared with the newest run that read everything, never with one kept by the cloud that could not", async () => {
    const p = place();
    const first = await drctl(["--config", p.config, "--json", "scan", "--fail-on", "never"], {
      endpoint: env.emulator.endpoint,
    });
    const a = JSON.parse(first.stdout) as ScanResult & { history: { runId: string } };
    expect(a.pairs.find((x) => x.name === "web-002")?.findings.length).toBeGreaterThan(0);
    // The scheduled scan kept a run whose batch with web-002 failed: that pair's findings unread.
    const at = new Date(Date.parse(a.generatedAt) + 1000).toISOString();
    const unread: ScanResult = {
      ...a,
      generatedAt: at,
      pairs: a.pairs.map((x) =>
        x.name !== "web-002"
          ? x
          : {
              ...x,
              status: "error",
              findings: [
                {
                  pair: x.name,
                  primaryArn: x.primaryArn,
                  secondaryArn: x.secondaryArn,
                  resourceType: "pair",
                  ruleId: "pair.unreadable",
                  severity: "high",
                  status: "error",
                  path: "pair",
                  primary: x.primaryArn,
                  secondary: x.secondaryArn,
                  message: "the batch that scanned this pair failed after its retries: States.Timeout",
                  remediation: "",
                },
              ],
            },
      ),
    };
    const store = SqliteHistory.open(p.store);
    await store.save(headerOf("scan", "cloud-unread", unread, new Date(at)));
    store.close();
    const next = await drctl(["--config", p.config, "--json", "scan", "--fail-on", "medium"], {
      endpoint: env.emulator.endpoint,
    });
    expect(next.code, next.stderr).toBe(1);
    const c = JSON.parse(next.stdout) as { history: { since: string; new: number; resolved: number } };
    expect(c.history).toMatchObject({ since: a.history.runId, new: 0, resolved: 0 });
  });
});

describe("drctl inventory", () => {
  it("0: every count read", async () => {
    const r = await drctl(["inventory"], { endpoint: env.emulator.endpoint });
    expect(r.code).toBe(0);
    expect(r.said).toEqual([]);
  });

  it("3: the emulator down: one line per cause, with a count; each failure under --verbose", async () => {
    // Both regions drctl.yaml names are read (no standby is assumed when it names none).
    const p = place("regions:\n  primary: us-east-1\n  standby: eu-west-1\n");
    const r = await drctl(["--config", p.config, "inventory"], { endpoint: downEndpoint });
    expect(r.code).toBe(3);
    expect(r.said).toEqual([
      `drctl: 26 calls failed: could not reach the endpoint: connect ECONNREFUSED ${downEndpoint.slice(7)}`,
    ]);
    const verbose = await drctl(["--config", p.config, "--verbose", "--region", "us-east-1", "inventory"], {
      endpoint: downEndpoint,
    });
    expect(verbose.stderr.split("\n").filter((l) => l.startsWith("error: "))).toHaveLength(14);
    expect(verbose.stderr).toMatch(
      /^error: VPCs in us-east-1: could not reach the endpoint for ec2\.DescribeVpcs in us-east-1/m,
    );
  });

  it("3: access denied (fault proxy), said once for all the calls it refused", async () => {
    const p = place();
    const r = await drctl(["--config", p.config, "--region", "us-east-1", "inventory"], {
      endpoint: denied.endpoint,
    });
    expect(r.code).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/^drctl: \d+ calls failed: access denied: /);
  });

  it("3: no credentials", async () => {
    const r = await withoutCredentials(() => drctl(["inventory"], { endpoint: env.emulator.endpoint }));
    expect(r.code).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/^drctl: no AWS credentials found/);
  });

  it("2: a profile named in drctl.yaml that does not exist is reported against drctl.yaml", async () => {
    const p = place("profile: prod\n");
    const r = await withoutCredentials(() =>
      drctl(["--config", p.config, "inventory"], { endpoint: env.emulator.endpoint }),
    );
    expect(r.code).toBe(2);
    const line = readFileSync(p.config, "utf8").split("\n").indexOf("profile: prod") + 1;
    expect(r.said).toEqual([
      `drctl: AWS profile "prod" (from profile in ${p.config}:${line}:10) was not found in ~/.aws/config or ~/.aws/credentials; no profiles are defined there`,
    ]);
  });
});

describe("drctl history and diff", () => {
  it("0: the stored runs and the change between the last two", async () => {
    const p = place();
    await withHistory(p);
    const history = await drctl(["--config", p.config, "history", "--limit", "1"]);
    expect(history.code).toBe(0);
    expect(history.stdout.split("\n").filter((l) => l.includes(" scan "))).toHaveLength(1);
    const diff = await drctl(["--config", p.config, "diff"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(
      /^20261120T100000Z-aaaa -> 20261121T100000Z-bbbb: 1 new, 1 resolved, 0 unchanged/,
    );
  });

  it.each([
    [
      ["history", "--limit", "abc"],
      /^drctl: option '--limit <n>' argument 'abc' is invalid\. expected a whole number of at least 1\.$/,
    ],
    [["history", "--limit", "0"], /argument '0' is invalid\. expected a whole number of at least 1\.$/],
    [["history", "--limit", "2.5"], /argument '2\.5' is invalid/],
    [["--store", "dynamo://x", "history"], /^drctl: store location "dynamo:\/\/x" \(from --store\)/],
    [["--store", "dynamodb://drctl-history", "history"], /the region is missing \(\?region=us-east-1\)$/],
    [["diff", "nope", "nada"], /^drctl: no run "nope" in SQLite file /],
  ])("2: %j", async (argv, message) => {
    const p = place();
    await withHistory(p);
    const r = await drctl(["--config", p.config, ...argv]);
    expect(r.code).toBe(2);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(message);
    expect(existsSync(join(p.dir, "dynamo:"))).toBe(false);
    expect(existsSync("dynamo:")).toBe(false);
  });

  it("2: a history file that does not exist is a wrong path, and none is created there", async () => {
    const p = place();
    for (const argv of [["history"], ["diff"], ["publish", "--to", join(p.dir, "site")]]) {
      const r = await drctl(["--config", p.config, ...argv]);
      expect(r.code).toBe(2);
      expect(r.said).toEqual([
        `drctl: there is no history at ${p.store} (from store in ${p.config}:4:8): nothing was stored there; check the path, or run drctl scan first`,
      ]);
      expect(existsSync(p.store)).toBe(false);
    }
    expect(existsSync(join(p.dir, "site"))).toBe(false);
  });

  it("3: a history file that is not a database, and a DynamoDB history that cannot be reached", async () => {
    const p = place();
    writeFileSync(p.store, "not a database ".repeat(500));
    for (const argv of [["history"], ["diff"]]) {
      const r = await drctl(["--config", p.config, ...argv]);
      expect(r.code).toBe(3);
      expect(r.said).toHaveLength(1);
      expect(r.said[0]).toMatch(/is not a readable drctl history database/);
    }
    const dynamo = await drctl(
      ["--config", p.config, "--store", "dynamodb://drctl-history?region=us-east-1", "history"],
      {
        endpoint: downEndpoint,
      },
    );
    expect(dynamo.code).toBe(3);
    expect(dynamo.said).toEqual([
      expect.stringMatching(
        /^drctl: could not reach the endpoint for DynamoDB\.Query on table drctl-history in us-east-1: connect ECONNREFUSED/,
      ),
    ]);
  });
});

describe("drctl publish", () => {
  it("0: the site written to a folder", async () => {
    const p = place();
    await withHistory(p);
    const r = await drctl(["--config", p.config, "publish", "--to", join(p.dir, "site")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`published 7 files: ${join(p.dir, "site", "index.html")}`);
  });

  it.each([
    [
      ["publish", "--to", "/proc/nope"],
      /^drctl: --to: cannot create the folder \/proc\/nope: the file system does not allow a folder there \(ENOENT\)$/,
    ],
    [
      ["publish", "--to", "/etc/passwd/site"],
      /^drctl: --to: cannot use the folder \/etc\/passwd\/site: \/etc\/passwd is a file, not a folder$/,
    ],
    [
      ["publish", "--to", "https://reports.example.com/"],
      /^drctl: publish target "https:\/\/reports\.example\.com\/" \(from --to\): expected a folder or s3:\/\/BUCKET\[\/PREFIX\]$/,
    ],
    [
      ["publish", "--to", "s3://Bad_Bucket"],
      /^drctl: publish target "s3:\/\/Bad_Bucket": expected s3:\/\/BUCKET\[\/PREFIX\]/,
    ],
    [["publish", "--limit", "lots"], /^drctl: option '--limit <n>' argument 'lots' is invalid/],
  ])("2: %j, at once", async (argv, message) => {
    const p = place();
    await withHistory(p);
    const r = await drctl(["--config", p.config, ...argv]);
    expect(r.code).toBe(2);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("3: a stored run that cannot be read is left out and named; the others are published", async () => {
    const p = place();
    await withHistory(p, "20261120T100000Z-aaaa");
    const r = await drctl(["--config", p.config, "publish", "--to", join(p.dir, "site")]);
    expect(r.code).toBe(3);
    expect(r.said).toEqual([
      expect.stringMatching(
        /^drctl: run 20261120T100000Z-aaaa left out of the site: the history file .* could not be used: /,
      ),
    ]);
    expect(readdirSync(join(p.dir, "site", "runs"))).toEqual(["20261121T100000Z-bbbb"]);
  });

  it("3: S3 unreachable", async () => {
    const p = place();
    await withHistory(p);
    const r = await drctl(["--config", p.config, "publish", "--to", "s3://dr-reports"], {
      endpoint: downEndpoint,
    });
    expect(r.code).toBe(3);
    expect(r.said).toEqual([
      expect.stringMatching(
        /^drctl: could not reach the endpoint for STS\.GetCallerIdentity in us-east-1: connect ECONNREFUSED/,
      ),
    ]);
  });
});

describe("drctl failover plan", () => {
  function runbook(dir: string, steps: string): string {
    const file = join(dir, "failover.yaml");
    writeFileSync(
      file,
      `version: 1\nname: exit-code table\napplication: table\nregion: us-west-2\nsteps:\n${steps}`,
    );
    return file;
  }
  const ssmStep =
    "  - id: mark\n    kind: ssm.put-parameters\n    params: { parameters: { /drctl-table/motd: calm } }\n";

  it("0: a plan read from the live state, with values from AWS made safe for the terminal", async () => {
    const p = place();
    // An SSM value with escape sequences (clear the screen, retitle the window) and a bidi override.
    await (await env.clients()).get(SSMClient, "us-west-2").send(
      new PutParameterCommand({
        Name: "/drctl-table/motd",
        Type: "String",
        Value: "\u001b[2J\u001b]0;owned\u0007hello\u202eevil",
        Overwrite: true,
      }),
    );
    const r = await drctl(["--config", p.config, "failover", "plan", "--runbook", runbook(p.dir, ssmStep)], {
      endpoint: env.emulator.endpoint,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("/drctl-table/motd=[2J]0;ownedhelloevil");
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    // --json keeps the value whole: escaped, valid, and equal once parsed.
    const json = await drctl(
      ["--config", p.config, "--json", "failover", "plan", "--runbook", runbook(p.dir, ssmStep)],
      {
        endpoint: env.emulator.endpoint,
      },
    );
    // eslint-disable-next-line no-control-regex
    expect(json.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(json.stdout).toContain("\\u001b[2J\\u001b]0;owned\\u0007hello\\u202eevil");
    const parsed = JSON.parse(json.stdout) as { steps: { plan: { current: string } }[] };
    expect(parsed.steps[0]?.plan.current).toBe(
      "/drctl-table/motd=\u001b[2J\u001b]0;owned\u0007hello\u202eevil",
    );
  });

  it("2: no runbook given, and one that does not exist", async () => {
    const a = await drctl(["failover", "plan"], { endpoint: env.emulator.endpoint });
    expect([a.code, a.said]).toEqual([2, ["drctl: required option '--runbook <file>' not specified"]]);
    const b = await drctl(["failover", "plan", "--runbook", "/nonexistent/failover.yaml"], {
      endpoint: env.emulator.endpoint,
    });
    expect(b.code).toBe(2);
    expect(b.said).toHaveLength(1);
    expect(b.said[0]).toMatch(/\/nonexistent\/failover\.yaml/);
  });

  it("3: the emulator down, and no credentials", async () => {
    const p = place();
    const down = await drctl(
      ["--config", p.config, "failover", "plan", "--runbook", runbook(p.dir, ssmStep)],
      {
        endpoint: downEndpoint,
      },
    );
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/cannot read the current state: .*ECONNREFUSED/);
    const none = await withoutCredentials(() =>
      drctl(["--config", p.config, "failover", "plan", "--runbook", runbook(p.dir, ssmStep)], {
        endpoint: env.emulator.endpoint,
      }),
    );
    expect(none.code).toBe(3);
    expect(none.said).toEqual([expect.stringMatching(/^drctl: no AWS credentials found/)]);
  });
});

describe("drctl runbook and failback", () => {
  it.each([
    [["runbook", "status", "run-nope"], /^drctl: no run run-nope in the /],
    [["runbook", "resume", "run-nope"], /^drctl: no run run-nope in the /],
    [["failback", "plan"], /^drctl: failback plan: expected --runbook <file> or --from <run>$/],
    [["failback", "plan", "--from", "run-nope"], /^drctl: no run run-nope in the /],
    [
      ["failover", "run", "--runbook", "x.yaml", "--set", "novalue"],
      /^drctl: --set novalue: expected KEY=VALUE$/,
    ],
    [
      ["--store", "dynamo://x", "runbook", "status", "run-1"],
      /^drctl: store location "dynamo:\/\/x" \(from --store\)/,
    ],
  ])("2: %j", async (argv, message) => {
    const r = await drctl(argv, { endpoint: env.emulator.endpoint });
    expect(r.code).toBe(2);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(message);
  });

  it("3: a journal in DynamoDB that cannot be reached", async () => {
    const r = await drctl(
      ["--store", "dynamodb://drctl-history?region=us-east-1", "runbook", "status", "run-1"],
      {
        endpoint: downEndpoint,
      },
    );
    expect(r.code).toBe(3);
    expect(r.said).toHaveLength(1);
    expect(r.said[0]).toMatch(/ECONNREFUSED/);
  });
});

describe("the contract itself", () => {
  it("is the README's exit-code table, and --help's line", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /<!-- exit-codes:start -->\n([\s\S]*?)\n<!-- exit-codes:end -->/.exec(readme)?.[1];
    expect(block).toBe(exitCodesMarkdown());
    const help = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--help"], {
      encoding: "utf8",
    });
    expect(help.stdout).toContain(
      `Exit codes: ${EXIT_CODES.map((c) => `${c.code} ${c.meaning}`).join(", ")}.`,
    );
  });

  it("npm run demo -- --help lists the demo's options; a bad one is one line, exit 2", () => {
    const demo = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "demo/main.ts", ...args], { encoding: "utf8" });
    const help = demo("--help");
    expect(help.status).toBe(0);
    for (const option of ["--pairs <n>", "--primary-region <code>", "--standby-region <code>", "--out <dir>"])
      expect(help.stdout).toContain(option);
    const bad = demo("--pairz", "3");
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([
      "demo: Unknown option '--pairz'; npm run demo -- --help lists the options",
    ]);
    expect(demo("--pairs", "many").stderr.trim()).toBe(
      "demo: --pairs many: expected a whole number from 1 to 1000",
    );
  });
});
