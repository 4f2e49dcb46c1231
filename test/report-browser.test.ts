/**
 * The HTML report and the email in a real browser: the worst pairs first, info coloured as info,
 * each finding with its fix and its consequences under it, and rule ids and paths never broken
 * inside a word, even in a narrow window.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingOf, type Finding } from "../src/core/finding.js";
import type { PairResult, ScanResult } from "../src/core/scan-result.js";
import { scanMessage } from "../src/notify/message.js";
import { formatScanHtml } from "../src/report/html.js";
import { summarise } from "../src/scan/engine.js";
import { diffRuns } from "../src/history/diff.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser: Browser;

const rule = (id: string, severity: Finding["severity"], remediation: string) => ({
  id,
  resourceType: id.split(".")[0] as Finding["resourceType"],
  severity,
  title: id,
  compares: id,
  rationale: "why it matters in a failover",
  remediation,
});

function finding(
  pair: string,
  id: string,
  severity: Finding["severity"],
  path: string,
  extra: Partial<Finding> = {},
) {
  return {
    ...findingOf(rule(id, severity, `Fix ${id} on the standby, then scan again.`), {
      pair,
      primaryArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${pair}/1`,
      secondaryArn: `arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/${pair}-s/2`,
      status: "drift",
      path,
      primary: "a",
      secondary: "b",
      message: `the standby differs in ${path} <b>${pair}</b>`,
    }),
    ...extra,
  };
}

const longPath =
  "targetGroups[web-001-very-long-target-group-name].attributes.deregistration_delay.timeout_seconds";
function result(): ScanResult {
  const pairs: PairResult[] = [
    summarise("aaa-info-only", "arn:a", "arn:a-s", [
      finding("aaa-info-only", "target-group.no-targets", "info", "targetGroups[x].targetCount"),
    ]),
    summarise("mmm-medium", "arn:m", "arn:m-s", [
      finding("mmm-medium", "target-group.attributes", "medium", longPath),
    ]),
    summarise("zzz-critical", "arn:z", "arn:z-s", [
      finding("zzz-critical", "target-group.missing", "high", "targetGroups[orphan-group]"),
      finding("zzz-critical", "listener.rule-actions", "high", "listeners[443].rules[10].actions", {
        consequenceOf: { ruleId: "target-group.missing", path: "targetGroups[orphan-group]" },
      }),
      finding(
        "zzz-critical",
        "route53.failover-targets",
        "critical",
        "failover[zzz.example.com A].SECONDARY",
      ),
    ]),
  ];
  return {
    version: 1,
    generatedAt: "2026-12-01T00:00:00.000Z",
    strategy: "pilot-light",
    pairs,
    expiredSuppressions: [],
    stats: { pairs: 3, durationMs: 1, calls: {}, retries: 0 },
  };
}

async function open(html: string, width: number): Promise<Page> {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-report-")), "report.html");
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  await page.goto(pathToFileURL(file).href);
  return page;
}

/** Elements whose text the browser laid out on more than one line. */
/** Elements whose text the browser laid out on more than one line (run in the page, so written as text). */
async function broken(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
    })
    .map((el) => el.textContent ?? "")`);
}

/** The computed text colour of the first element `selector` matches. */
function colour(page: Page, selector: string): Promise<string> {
  return page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).color`);
}

beforeAll(async () => {
  expect(
    existsSync(CHROMIUM),
    `Chromium is needed at ${CHROMIUM} (apt-get install chromium); .ci/run installs it`,
  ).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
});
afterAll(async () => {
  await browser?.close();
});

describe("the HTML report", () => {
  it("puts the worst pairs first, colours info as info, and shows each fix and consequence", async () => {
    const page = await open(formatScanHtml(result()), 1200);
    expect(await page.locator("table").first().locator("tbody tr td:first-child").allTextContents()).toEqual([
      "zzz-critical",
      "mmm-medium",
      "aaa-info-only",
    ]);
    expect(await page.locator("section.pair h2").allTextContents()).toEqual([
      "zzz-critical drift",
      "mmm-medium drift",
      "aaa-info-only pass",
    ]);
    // An info finding's status is grey, not the orange of drift.
    expect(await colour(page, "#pair-aaa-info-only tbody td:nth-child(2)")).toBe("rgb(107, 114, 128)");
    expect(await colour(page, "#pair-mmm-medium tbody td:nth-child(2)")).toBe("rgb(185, 119, 14)");
    // The consequence sits right under its cause and says so.
    const rows = await page.locator("#pair-zzz-critical tbody tr").allTextContents();
    const cause = rows.findIndex((r) => r.includes("target-group.missing"));
    expect(rows[cause + 1]).toMatch(
      /follows from the finding above: the standby differs in listeners\[443\]/,
    );
    expect(await page.locator(".fix").first().textContent()).toMatch(
      /^Fix: Fix route53\.failover-targets on the standby/,
    );
    // What came from AWS is text, never markup.
    expect(await page.locator("section.pair b").count()).toBe(0);
    await page.close();
  });

  it("never breaks a rule id or a path inside a word, however narrow the window", async () => {
    for (const width of [320, 480, 800]) {
      const page = await open(formatScanHtml(result()), width);
      expect(await broken(page, "code.id"), `width ${width}`).toEqual([]);
      expect(await broken(page, ".seg"), `width ${width}`).toEqual([]);
      await page.close();
    }
    // And a long path does wrap (between segments) rather than overflow a narrow window.
    const page = await open(formatScanHtml(result()), 320);
    const path = page.locator("code.path", { hasText: "deregistration_delay" });
    expect(await broken(page, "code.path")).toContain(longPath);
    expect(await path.locator(".seg").count()).toBe(4);
    await page.close();
  });
});

describe("the email", () => {
  it("lists new findings worst first with their fixes, and keeps rule ids whole", async () => {
    const r = result();
    const message = scanMessage(r, diffRuns(undefined, { id: "run", result: r }));
    const page = await open(message.html, 360);
    const rules = await page.locator("code").allTextContents();
    expect(rules.slice(0, 3)).toEqual([
      "route53.failover-targets",
      "target-group.missing",
      "listener.rule-actions",
    ]);
    expect(await broken(page, "code")).toEqual([]);
    expect(message.text).toMatch(
      /\+ \[critical\] zzz-critical route53\.failover-targets .*\n {4}.*\n {4}fix: Fix route53/,
    );
    expect(message.text).toMatch(
      /listener\.rule-actions listeners\[443\]\.rules\[10\]\.actions \(follows from the one before\)/,
    );
    await page.close();
  });
});
