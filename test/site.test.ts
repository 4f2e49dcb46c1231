import {
  GetBucketWebsiteCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
  GetBucketAclCommand,
} from "@aws-sdk/client-s3";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishToS3, writeSiteToFolder } from "../src/report/publish.js";
import { buildSite, buildSiteReport, freshnessPath, runPath } from "../src/report/site.js";
import { FRESHNESS_SCHEMA_VERSION, type StoreResult } from "../src/core/freshness-result.js";
import { startBucketOwnerProxy } from "./harness/bucket-owner-proxy.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { freshnessRun, headerOf } from "../src/history/types.js";
import { useEmulator } from "./harness/emulator.js";
import Database from "better-sqlite3";

const env = useEmulator();
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const evil = `<img src=x onerror="window.pwned=1">'"${"z".repeat(64 * 1024)}`;

function result(at: string, pairs: { name: string; rules: string[] }[]): ScanResult {
  return {
    version: 1,
    generatedAt: at,
    strategy: "warm-standby",
    expiredSuppressions: [],
    stats: { pairs: pairs.length, durationMs: 1, calls: {}, retries: 0 },
    pairs: pairs.map((p) => ({
      name: p.name,
      primaryArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${p.name}/1`,
      secondaryArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/${p.name}/2`,
      status: p.rules.length ? "drift" : "pass",
      counts: { critical: 0, high: p.rules.length, medium: 0, low: 0, info: 0 },
      findings: p.rules.map((ruleId) => ({
        pair: p.name,
        primaryArn: "a",
        secondaryArn: "b",
        resourceType: "listener",
        ruleId,
        severity: "high",
        status: "drift",
        path: ruleId,
        primary: evil,
        secondary: "x",
        message: `standby differs: ${evil}`,
        remediation: `fix: ${evil}`,
      })),
    })),
  };
}

function freshStore(
  store: string,
  kind: string,
  status: StoreResult["status"],
  exposureSeconds: number,
): StoreResult {
  return {
    kind,
    store,
    application: null,
    primaryArn: `arn:aws:s3:::${store}-use1`,
    primaryRegion: "us-east-1",
    standbyArn: `arn:aws:s3:::${store}-usw2`,
    standbyRegion: "us-west-2",
    status,
    exposureSeconds,
    rpoSeconds: 900,
    measuredBy: "test",
    message: `${store} is ${status}`,
    evidence: [],
  };
}

let store: SqliteHistory;
let browser: Browser | undefined;
const ids = ["20261120T100000Z-aaaa", "20261121T100000Z-bbbb"];

beforeAll(async () => {
  store = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), "drctl-site-")), "history.sqlite"));
  await store.save(
    headerOf(
      "scan",
      ids[0] ?? "",
      result("2026-11-20T10:00:00.000Z", [
        { name: "web-001", rules: ["listener.alpn", "listener.protocol"] },
        { name: "web-002", rules: [] },
      ]),
      new Date(),
    ),
  );
  await store.save(
    headerOf(
      "scan",
      ids[1] ?? "",
      result("2026-11-21T10:00:00.000Z", [
        { name: "web-001", rules: ["listener.protocol"] },
        { name: "web-002", rules: ["listener.ssl-policy"] },
      ]),
      new Date(),
    ),
  );
});
afterAll(async () => {
  await browser?.close();
  store.close();
});

describe("the report site", () => {
  it("opens in a browser: the index lists the runs, and a run's page shows its pairs and findings", async () => {
    expect(
      existsSync(CHROMIUM),
      `Chromium is needed at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`,
    ).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "drctl-site-"));
    const index = writeSiteToFolder(dir, await buildSite(store));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = await browser.newPage();
    await page.goto(pathToFileURL(index).href);
    expect(await page.locator("h1").textContent()).toBe("drctl readiness history");
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator("td").nth(7).textContent()).toBe("+1 / -1");
    expect(await rows.nth(1).locator("td").nth(7).textContent()).toBe("first");
    expect(await page.locator("svg polyline").count()).toBe(1);

    await page.locator(`a[href="${runPath(ids[1] ?? "")}"]`).click();
    await page.waitForURL(/runs\/20261121T100000Z-bbbb\/index\.html$/);
    expect(await page.locator("h1").textContent()).toBe(`drctl readiness report ${ids[1] ?? ""}`);
    expect(await page.locator("section.pair h2").allTextContents()).toEqual([
      "web-001 drift",
      "web-002 drift",
    ]);
    // (twice: the rule id, and the path, which these findings share)
    expect(await page.locator("#pair-web-002 code").filter({ hasText: "listener.ssl-policy" }).count()).toBe(
      2,
    );
    // the tag value is shown as text and never runs
    expect(await page.locator("#pair-web-002 td").filter({ hasText: "onerror=" }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);

    await page.locator("a", { hasText: "all runs" }).click();
    expect(await page.locator("h1").textContent()).toBe("drctl readiness history");
    await page.locator("a", { hasText: "Latest report" }).click();
    expect(await page.locator("h1").textContent()).toBe(`drctl readiness report ${ids[1] ?? ""} (latest)`);
  });

  it("lists freshness runs beside the scans, with a page per run and the latest freshness report", async () => {
    const history = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), "drctl-site-")), "history.sqlite"));
    const run = (id: string, at: string, bucket: StoreResult["status"]) =>
      history.save(
        freshnessRun(
          id,
          {
            version: FRESHNESS_SCHEMA_VERSION,
            generatedAt: at,
            rpoSeconds: 900,
            stores: [
              freshStore("orders", "dynamodb-global-table", "ok", 2),
              freshStore(`assets-${evil.slice(0, 40)}`, "s3-replication", bucket, 2400),
            ],
            findings: [],
            stats: { stores: 2, durationMs: 1, calls: {}, retries: 0 },
          },
          new Date(at),
        ),
      );
    await run("20261120T110000Z-ffff", "2026-11-20T11:00:00.000Z", "ok");
    await run("20261121T110000Z-gggg", "2026-11-21T11:00:00.000Z", "breach");
    const dir = mkdtempSync(join(tmpdir(), "drctl-site-"));
    const index = writeSiteToFolder(dir, await buildSite(history));
    history.close();
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage();
    await page.goto(pathToFileURL(index).href);
    expect(await page.locator("h2").allTextContents()).toContain("Data freshness");
    // The scans' table comes first (this history has none), then the freshness table.
    const rows = page.locator("table").nth(1).locator("tbody tr");
    expect(await rows.count()).toBe(2);
    const header = await page.locator("table").nth(1).locator("th").allTextContents();
    const cell = (row: number, name: string) =>
      rows.nth(row).locator("td").nth(header.indexOf(name)).textContent();
    expect(await cell(0, "breach")).toBe("1");
    expect(await cell(0, "ok")).toBe("1");
    expect(await cell(0, "changed status")).toBe("1");
    expect(await cell(1, "changed status")).toBe("first");
    await page.locator(`a[href="${freshnessPath("20261121T110000Z-gggg")}"]`).click();
    await page.waitForURL(/freshness\/20261121T110000Z-gggg\/index\.html$/);
    expect(await page.locator("h1").textContent()).toBe("drctl freshness report 20261121T110000Z-gggg");
    expect(await page.locator("td.breach").count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.locator("a", { hasText: "all runs" }).click();
    await page.locator("a", { hasText: "Latest freshness report" }).click();
    expect(await page.locator("h1").textContent()).toBe(
      "drctl freshness report 20261121T110000Z-gggg (latest)",
    );
    const latest = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as { freshness: unknown };
    expect(latest.freshness).toEqual({
      runId: "20261121T110000Z-gggg",
      href: freshnessPath("20261121T110000Z-gggg"),
    });
  });

  it("publishes to a private S3 bucket, with stable keys per run and website hosting only when asked", async () => {
    const aws = await env.clients();
    const files = await buildSite(store);
    const where = await publishToS3(aws, "eu-west-1", "s3://dr-reports/prod/", files, { website: false });
    expect(where).toBe("s3://dr-reports/prod/index.html");
    const s3 = aws.get(S3Client, "eu-west-1");
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: "dr-reports" }))).Contents?.map(
      (o) => o.Key,
    ).sort();
    expect(keys).toEqual(
      [
        "prod/index.html",
        "prod/latest.html",
        "prod/latest.json",
        ...ids.flatMap((id) => [`prod/runs/${id}/index.html`, `prod/runs/${id}/scan.json`]),
      ].sort(),
    );
    const index = await s3.send(new GetObjectCommand({ Bucket: "dr-reports", Key: "prod/index.html" }));
    expect(index.ContentType).toBe("text/html; charset=utf-8");
    expect(await index.Body?.transformToString()).toContain(runPath(ids[0] ?? ""));
    const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: "dr-reports" }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: "dr-reports" }));
    expect(acl.Grants?.some((g) => g.Grantee?.URI?.includes("AllUsers"))).toBe(false);
    await expect(s3.send(new GetBucketWebsiteCommand({ Bucket: "dr-reports" }))).rejects.toThrow();
    await publishToS3(aws, "eu-west-1", "s3://dr-reports/prod", files, { website: true });
    expect((await s3.send(new GetBucketWebsiteCommand({ Bucket: "dr-reports" }))).IndexDocument?.Suffix).toBe(
      "index.html",
    );
  });

  it("rejects a malformed S3 target before any call", async () => {
    await expect(
      publishToS3(await env.clients(), "eu-west-1", "s3://Bad_Bucket", [], { website: false }),
    ).rejects.toThrow(/expected s3:\/\/BUCKET\[\/PREFIX\]/);
  });
});

describe("a history with a run that cannot be read", () => {
  it("keeps every other run with its own result, skips the unreadable one and lists it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-site-")), "history.sqlite");
    const torn = SqliteHistory.open(file);
    const runs = [
      ["20261120T100000Z-old1", "2026-11-20T10:00:00.000Z", ["listener.alpn"]],
      ["20261121T100000Z-bad2", "2026-11-21T10:00:00.000Z", ["listener.protocol", "listener.ssl-policy"]],
      ["20261122T100000Z-new3", "2026-11-22T10:00:00.000Z", ["listener.rule-actions"]],
      ["20261123T100000Z-new4", "2026-11-23T10:00:00.000Z", ["listener.rule-actions", "listener.alpn"]],
    ] as const;
    for (const [id, at, rules] of runs)
      await torn.save(headerOf("scan", id, result(at, [{ name: "web-001", rules: [...rules] }]), new Date()));
    torn.close();
    // Damage one stored result: its body no longer unpacks.
    const db = new Database(file);
    db.prepare("UPDATE runs SET result = ? WHERE id = ?").run(
      Buffer.from("not gzip"),
      "20261121T100000Z-bad2",
    );
    db.close();
    const store = SqliteHistory.open(file);
    const { files, skipped } = await buildSiteReport(store);
    store.close();
    expect(skipped.map((r) => r.id)).toEqual(["20261121T100000Z-bad2"]);
    expect(skipped[0]?.reason).toMatch(/could not be used|incorrect header check/);
    const page = (path: string) => files.find((f) => f.path === path)?.body ?? "";
    // Each page holds its own run's findings, whatever was skipped before it.
    expect(page(runPath("20261122T100000Z-new3"))).toContain("listener.rule-actions");
    expect(page(runPath("20261122T100000Z-new3"))).not.toContain("listener.alpn");
    expect(page(runPath("20261120T100000Z-old1"))).toContain("listener.alpn");
    expect(files.some((f) => f.path.includes("bad2"))).toBe(false);
    // latest.html is the newest run, under its own id.
    expect(page("latest.html")).toContain("drctl readiness report 20261123T100000Z-new4 (latest)");
    expect(page("latest.html")).toContain("listener.alpn");
    const index = page("index.html");
    const cells = [
      ...index.matchAll(
        /<tr><td><a href="[^"]+">([^<]+)<\/a>.*?<td class="n">([^<]*(?:<span[^>]*>\?<\/span>)?)<\/td><td><a/g,
      ),
    ].map((m) => [m[1], m[2]?.replace(/<[^>]+>/g, "")]);
    expect(cells).toEqual([
      ["20261123T100000Z-new4", "+1 / -0"],
      ["20261122T100000Z-new3", "?"],
      ["20261120T100000Z-old1", "first"],
    ]);
    expect(index).toMatch(
      /Runs that could not be read \(1\)<\/h2>\s*<ul class="skipped"><li><code>20261121T100000Z-bad2<\/code>/,
    );
    expect(JSON.parse(page("latest.json"))).toEqual({
      runId: "20261123T100000Z-new4",
      href: runPath("20261123T100000Z-new4"),
      freshness: null,
      skipped: ["20261121T100000Z-bad2"],
    });

    // On disk every file appears whole (no temporary file left) and may be served (0644).
    const dir = mkdtempSync(join(tmpdir(), "drctl-site-"));
    writeSiteToFolder(dir, files);
    const all = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? all(join(d, e.name)) : [join(d, e.name)],
      );
    expect(
      all(dir)
        .map((f) => f.slice(dir.length + 1))
        .sort(),
    ).toEqual(files.map((f) => f.path).sort());
    for (const f of all(dir)) expect(statSync(f).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, "index.html"), "utf8")).toBe(index);
  });
});

describe("the bucket's owner", () => {
  it("is named on every S3 call, so a bucket of that name in another account is refused", async () => {
    const OTHER = "999999999999";
    const setup = await env.clients({
      accounts: { [OTHER]: { roleArn: `arn:aws:iam::${OTHER}:role/someone-else` } },
    });
    await setup.get(S3Client, "eu-west-1", OTHER).send(
      new CreateBucketCommand({
        Bucket: "sniped-site",
        CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
      }),
    );
    const proxy = await startBucketOwnerProxy(env.emulator.endpoint, {
      "sniped-site": OTHER,
      "own-site": "123456789012",
    });
    try {
      const aws = await env.clients({ endpointUrl: proxy.endpoint });
      const files = await buildSite(store);
      await expect(
        publishToS3(aws, "eu-west-1", "s3://sniped-site/prod", files, { website: false }),
      ).rejects.toThrow(/access denied to S3\.(HeadBucket|PutObject) s3:\/\/sniped-site\/prod\//);
      const listed = await setup
        .get(S3Client, "eu-west-1", OTHER)
        .send(new ListObjectsV2Command({ Bucket: "sniped-site" }));
      expect(listed.Contents ?? []).toEqual([]);
      // The caller's own bucket: every call carries its account, and the site lands.
      proxy.seen.length = 0;
      expect(await publishToS3(aws, "eu-west-1", "s3://own-site", files, { website: true })).toBe(
        "s3://own-site/index.html",
      );
      const calls = proxy.seen.filter((c) => c.path.startsWith("/own-site"));
      expect(calls.length).toBeGreaterThan(files.length);
      // CreateBucket is the one call that takes no owner (the bucket is not there yet).
      const createBucket = (c: { method: string; path: string }) =>
        c.method === "PUT" && /^\/own-site\/?$/.test(c.path);
      expect(calls.filter(createBucket)).toHaveLength(1);
      for (const c of calls.filter((c) => !createBucket(c)))
        expect(c.expectedOwner, `${c.method} ${c.path}`).toBe("123456789012");
    } finally {
      await proxy.stop();
    }
  });
});

describe("access denied", () => {
  it("on S3 names the action and the object that was refused", async () => {
    const { FaultProxy, NO_FAULTS } = await import("./harness/fault-proxy.js");
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: (r) => r.method === "PUT" && r.path.includes("/denied-site/"),
    });
    try {
      const aws = await env.clients({ endpointUrl: proxy.endpoint });
      const files = await buildSite(store);
      await expect(
        publishToS3(aws, "eu-west-1", "s3://denied-site/prod", files, { website: false }),
      ).rejects.toThrow(
        /access denied to S3\.(CreateBucket s3:\/\/denied-site\/prod\/|PutObject s3:\/\/denied-site\/prod\/\S+) in eu-west-1: User: arn:aws:sts::123456789012:assumed-role\/drctl\/test is not authorized/,
      );
      expect(proxy.stats.denied).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });

  it("on DynamoDB names the action and the table", async () => {
    const { FaultProxy, NO_FAULTS } = await import("./harness/fault-proxy.js");
    const { DynamoDbHistory } = await import("../src/history/dynamodb.js");
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      deny: (r) => r.target.endsWith(".PutItem"),
    });
    try {
      const aws = await env.clients({ endpointUrl: proxy.endpoint });
      await DynamoDbHistory.createTable(aws, "denied-history", "eu-west-1");
      const history = new DynamoDbHistory(aws, "denied-history", "eu-west-1");
      const run = headerOf(
        "scan",
        "20261121T000000Z-deny",
        result("2026-11-21T00:00:00.000Z", [{ name: "web-001", rules: [] }]),
        new Date(),
      );
      await expect(history.save(run)).rejects.toThrow(
        /access denied to DynamoDB\.PutItem on table denied-history in eu-west-1/,
      );
      expect(await history.list()).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});
