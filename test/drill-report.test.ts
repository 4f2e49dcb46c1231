/**
 * The drill's HTML report and the report site's drills, opened in Chromium: the chart shows each
 * probe by time and latency coloured by the region that answered, the failures, the fault, the
 * runbook's steps and the RTO and RPO marks; the site lists each application's drills with their
 * RTO and RPO against the targets and their trend, and links a page per drill. Every value that
 * came from AWS or the drill file (names, regions, messages, errors) is escaped: markup in them
 * shows as text and never runs.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DrillResult, DrillSample, MeasuredTarget } from "../src/core/drill-result.js";
import { formatDrillHtml } from "../src/report/drill-html.js";
import { writeSiteToFolder } from "../src/report/publish.js";
import { drillPath } from "../src/report/site-drills.js";
import { buildSiteReport } from "../src/report/site.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { drillRun } from "../src/history/types.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Markup that would run if a value reached the page unescaped. */
const evil = (tag: string) => `${tag}<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2">`;

const target = (measured: number | null, t: number, res: number, atLeast = false): MeasuredTarget => ({
  measuredSeconds: measured,
  ...(atLeast ? { atLeast: true } : {}),
  targetSeconds: t,
  met: measured === null ? null : !atLeast && measured <= t,
  resolutionSeconds: res,
  note: evil("note"),
});

/**
 * A drill's record as the engine writes it: the primary answers until the fault at F, fails for
 * `down` s, then the standby answers; the fault is reverted at F + 20 s and the primary answers again.
 */
function drill(
  application: string,
  startedAt: string,
  rto: number,
  rpo: number,
  name = "dns failover",
): DrillResult {
  const F = Date.parse(startedAt) + 5000;
  const samples: DrillSample[] = [];
  for (let t = F - 4000; t < F + 26_000; t += 500) {
    const phase = t < F ? "primary" : t < F + rto * 1000 ? "down" : t < F + 20_000 ? "standby" : "primary";
    samples.push(
      phase === "down"
        ? { endpoint: evil("api"), at: t, ms: 1000, ok: false, side: "unknown", error: evil("ECONNREFUSED") }
        : {
            endpoint: evil("api"),
            at: t,
            ms: phase === "primary" ? 20 : 60,
            ok: true,
            status: 200,
            region: phase === "primary" ? "us-east-1" : evil("us-west-2"),
            side: phase,
            address: phase === "primary" ? "10.0.0.1" : "10.1.0.1",
          },
    );
  }
  const at = (s: number) => new Date(F + s * 1000).toISOString();
  return {
    version: 1,
    id: `drill-${startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-ab12`,
    drill: name,
    file: evil("drills/api.yaml"),
    application,
    generatedAt: at(30),
    startedAt,
    finishedAt: at(30),
    outcome: "completed",
    fault: { kind: "fault.route53-health-check", subject: evil("hc-1234"), reverted: true },
    runbook: evil("runbooks/failover.yaml"),
    failover: {
      rto: target(rto, 30, 0.5),
      rpo: target(rpo, 5, 0.5),
      lostWrites: rpo > 5 ? 3 : 0,
      detectSeconds: 0.5,
      steps: [
        {
          id: evil("promote"),
          kind: "rds.promote-read-replica",
          seconds: 3,
          outcome: "succeeded",
          startSeconds: 1,
        },
      ],
      from: at(0),
      recoveredAt: at(rto),
      endpoints: [{ name: evil("api"), detectSeconds: 0.5, recoverySeconds: rto, byStatusOnly: false }],
      canaries: [{ name: evil("orders"), written: 10, lost: rpo > 5 ? 3 : 0, seconds: rpo }],
    },
    failback: {
      rto: target(1, 30, 0.5),
      rpo: target(null, 5, 0.5),
      lostWrites: 0,
      detectSeconds: null,
      steps: [],
      from: at(20),
      recoveredAt: at(21),
    },
    probes: { "us-east-1": { ok: 28 }, [evil("us-west-2")]: { ok: 20 }, unknown: { failed: rto * 2 } },
    timeline: [
      { at: at(-1), kind: "baseline", message: evil("baseline") },
      { at: at(0), kind: "fault", subject: "fault.route53-health-check", message: evil("fault in place") },
      { at: at(0.5), kind: "first-failure", message: evil("first failed probe") },
      { at: at(1), kind: "step-start", subject: evil("promote"), message: "promote started" },
      { at: at(4), kind: "step-end", subject: evil("promote"), message: "promote succeeded" },
      { at: at(rto), kind: "first-standby-success", message: "first success" },
      { at: at(rto), kind: "recovered", message: "recovered" },
      { at: at(20), kind: "failback-start", message: "failback" },
      { at: at(20), kind: "fault-reverted", message: "reverted" },
      { at: at(21), kind: "failback-recovered", message: "back" },
    ],
    findings: [
      {
        pair: application,
        primaryArn: "",
        secondaryArn: null,
        resourceType: "drill",
        ruleId: "drill.no-region-field",
        severity: "medium",
        status: "drift",
        path: evil("path"),
        primary: null,
        secondary: null,
        message: evil("message"),
        remediation: evil("remediation"),
      },
    ],
    runs: { fault: "drill-x", revert: "run-x-revert" },
    endpoints: [{ name: evil("api"), url: "http://app.example.com/health" }],
    samples,
    probe: { intervalSeconds: 0.5, consecutive: 3, resolver: evil("resolver") },
  };
}

let browser: Browser;

/** An attribute of every element a locator finds (the page's DOM types are not this project's). */
const attribute = (l: Locator, name: string) =>
  l.evaluateAll(
    (elements, n) =>
      elements.map((el) => (el as unknown as { getAttribute(a: string): string | null }).getAttribute(n)),
    name,
  );

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
});

async function open(file: string) {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, dialogs };
}

async function nothingRan(page: Awaited<ReturnType<typeof open>>["page"], dialogs: string[]) {
  expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(await page.locator("img").count()).toBe(0);
  expect(await page.locator("script").count()).toBe(0);
  expect(dialogs).toEqual([]);
}

describe("the HTML drill report", () => {
  it("renders its chart in Chromium: probes by time and latency per region, failures, the fault, the step, the RTO and RPO marks", async () => {
    const r = drill(evil("api"), "2026-12-01T12:00:00.000Z", 4, 2, evil("dns failover"));
    const file = join(mkdtempSync(join(tmpdir(), "drctl-drill-report-")), "drill.html");
    writeFileSync(file, formatDrillHtml(r));
    const { page, dialogs } = await open(file);
    const svg = page.locator("svg[role=img]");
    expect(await svg.count()).toBe(1);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    const samples = r.samples ?? [];
    // One circle per answered probe, coloured by the side that answered; a cross per failure.
    const fills = await attribute(svg.locator("circle"), "fill");
    expect(fills.length).toBe(samples.filter((s) => s.ok).length);
    expect(fills.filter((f) => f === "#1e8449").length).toBe(
      samples.filter((s) => s.ok && s.side === "standby").length,
    );
    expect(fills.filter((f) => f === "#2e5c8a").length).toBe(
      samples.filter((s) => s.ok && s.side === "primary").length,
    );
    expect(await svg.locator("path").count()).toBe(samples.filter((s) => !s.ok).length);
    // Standby answers were slower than the primary's: drawn higher (smaller y).
    const cys = await attribute(svg.locator("circle"), "cy");
    const yOf = (fill: string) => Number(cys[fills.indexOf(fill)]);
    expect(yOf("#1e8449")).toBeLessThan(yOf("#2e5c8a"));
    // The marks: fault, failover RTO, RPO (before the fault), failback; the runbook step as a bar.
    const labels = await svg.locator("text").allTextContents();
    expect(labels).toContain("fault");
    expect(labels).toContain("failover RTO 4.0 s (± 0.5 s)");
    expect(labels).toContain("RPO 2.0 s (± 0.5 s)");
    expect(labels).toContain("failback");
    const x = async (label: string) =>
      Number(
        await svg
          .locator("text", { hasText: new RegExp(`^${label}`) })
          .first()
          .getAttribute("x"),
      );
    expect(await x("RPO")).toBeLessThan(await x("fault"));
    expect(await x("failover RTO")).toBeGreaterThan(await x("fault"));
    expect(await svg.locator("rect title").allTextContents()).toContain(
      `${evil("promote")} (rds.promote-read-replica) 3 s succeeded`,
    );
    // A probe's details are its tooltip, as text.
    expect(await svg.locator("path title").first().textContent()).toContain(evil("ECONNREFUSED"));
    // Values from AWS and the drill file show as text and never run.
    expect(await page.locator("h1").textContent()).toBe(`drctl drill report: ${evil("dns failover")}`);
    expect(await page.locator("td", { hasText: "note<script>" }).count()).toBeGreaterThan(0);
    expect(await page.locator("td", { hasText: evil("fault in place") }).count()).toBe(1);
    expect(await page.locator("td", { hasText: evil("message") }).count()).toBeGreaterThan(0);
    expect(await page.locator("p.muted").textContent()).toContain(evil("hc-1234"));
    await nothingRan(page, dialogs);
    await page.close();
  });
});

describe("the report site's drills", () => {
  it("lists each application's drills with RTO and RPO against their targets and their trend, and a page per drill", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-drill-site-"));
    const store = SqliteHistory.open(join(dir, "history.sqlite"));
    const runs = [
      drill("api", "2026-11-01T12:00:00.000Z", 40, 2), // RTO over its 30 s target
      drill("api", "2026-11-15T12:00:00.000Z", 12, 8), // RPO over its 5 s target, writes lost
      drill("api", "2026-12-01T12:00:00.000Z", 6, 1),
      drill(evil("shop"), "2026-12-01T13:00:00.000Z", 5, 1),
    ];
    for (const r of runs) await store.save(drillRun(r.id ?? "", r, new Date(r.finishedAt)));
    const { files, skipped } = await buildSiteReport(store);
    store.close();
    expect(skipped).toEqual([]);
    const paths = files.map((f) => f.path);
    for (const r of runs) {
      expect(paths).toContain(drillPath(r.application, r.id ?? ""));
      const json = files.find(
        (f) => f.path === drillPath(r.application, r.id ?? "").replace(/\.html$/, ".json"),
      );
      expect(JSON.parse(json?.body ?? "null")).toEqual(r);
    }
    expect(paths).toContain("drills/api/latest.html");
    const index = writeSiteToFolder(join(dir, "site"), files);
    const { page, dialogs } = await open(index);
    expect(await page.locator("h2", { hasText: "Drills" }).count()).toBe(1);
    expect(await page.locator("h3").allTextContents()).toEqual(["api", evil("shop")]);
    const api = page.locator("h3:text-is('api') ~ table").first();
    const rows = api.locator("tbody tr");
    expect(await rows.count()).toBe(3);
    const cells = async (i: number) => (await rows.nth(i).locator("td").allTextContents()).slice(4, 11);
    // Newest first: measured, target, verdict for RTO then RPO, lost writes.
    expect(await cells(0)).toEqual(["6.0 s (± 0.5 s)", "30 s", "met", "1.0 s (± 0.5 s)", "5 s", "met", "0"]);
    expect(await cells(1)).toEqual([
      "12.0 s (± 0.5 s)",
      "30 s",
      "met",
      "8.0 s (± 0.5 s)",
      "5 s",
      "not met",
      "3",
    ]);
    expect(await cells(2)).toEqual([
      "40.0 s (± 0.5 s)",
      "30 s",
      "not met",
      "2.0 s (± 0.5 s)",
      "5 s",
      "met",
      "0",
    ]);
    // The trend: one point per drill and figure, oldest left, the missed ones ringed, the targets dashed.
    const trend = page.locator("figure svg").first();
    expect(await trend.locator("circle").count()).toBe(6);
    expect(await trend.locator("circle[stroke='#c0392b']").count()).toBe(2);
    expect(await trend.locator("line[stroke-dasharray]").count()).toBe(2);
    const rtoXs = (await attribute(trend.locator("circle[fill='#2e5c8a']"), "cx")).map(Number);
    expect(rtoXs).toEqual([...rtoXs].sort((a, b) => a - b));
    const rtoTitles = await trend.locator("circle[fill='#2e5c8a'] title").allTextContents();
    expect(rtoTitles[0]).toMatch(/^RTO 40\.0 s .*not met$/);
    await nothingRan(page, dialogs);

    // A drill's page, from the table, and back.
    await rows.nth(0).locator("a").first().click();
    await page.waitForURL(/drills\/api\/drill-.*\.html$/);
    expect(await page.locator("h1").textContent()).toBe(
      `drctl drill report: dns failover (${runs[2]?.id ?? ""})`,
    );
    expect(await page.locator("svg[role=img] circle").count()).toBeGreaterThan(0);
    await nothingRan(page, dialogs);
    await page.locator("a", { hasText: "all runs" }).click();
    expect(await page.locator("h2", { hasText: "Drills" }).count()).toBe(1);
    await page.close();
    expect(readFileSync(join(dir, "site", "drills", "api", "latest.html"), "utf8")).toContain(
      runs[2]?.id ?? "",
    );
  });
});

describe("the report site's drills: verdicts that agree with the evidence", () => {
  it("an interrupted drill is shown as such and left out of the trend; a lower bound is never met, drawn hollow", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-drill-site-"));
    const store = SqliteHistory.open(join(dir, "history.sqlite"));
    const interrupted = drill("api", "2026-11-15T12:00:00.000Z", 3, 1);
    interrupted.outcome = "interrupted";
    // As an older drctl stored it: a partial figure, "at least" and not met.
    interrupted.failover.rto = { ...target(2.5, 30, 0.5, true), met: false };
    const lowerBound = drill("api", "2026-12-01T12:00:00.000Z", 40, 1);
    // An older record that says met of a lower bound: never shown as met.
    lowerBound.failover.rto = { ...target(20, 30, 0.5, true), met: true };
    const runs = [drill("api", "2026-11-01T12:00:00.000Z", 6, 1), interrupted, lowerBound];
    for (const r of runs) await store.save(drillRun(r.id ?? "", r, new Date(r.finishedAt)));
    const { files } = await buildSiteReport(store);
    store.close();
    const { page, dialogs } = await open(writeSiteToFolder(join(dir, "site"), files));
    const rows = page.locator("h3:text-is('api') ~ table").first().locator("tbody tr");
    const cells = async (i: number) => (await rows.nth(i).locator("td").allTextContents()).slice(3, 10);
    // Newest first: the lower bound, the interrupted drill, the drill that measured its figures.
    expect(await cells(0)).toEqual([
      "completed",
      "at least 20.0 s (± 0.5 s)",
      "30 s",
      "not met",
      "1.0 s (± 0.5 s)",
      "5 s",
      "met",
    ]);
    expect(await cells(1)).toEqual([
      "interrupted",
      "at least 2.5 s (± 0.5 s)",
      "30 s",
      "interrupted",
      "1.0 s (± 0.5 s)",
      "5 s",
      "interrupted",
    ]);
    const trend = page.locator("figure svg").first();
    // Two drills ran to their end: one RTO and one RPO point each; the lower bound hollow, ringed.
    const rto = trend.locator("circle[data-lower-bound], circle[fill='#2e5c8a']");
    expect(await rto.count()).toBe(2);
    expect(await trend.locator("circle[data-lower-bound='true']").count()).toBe(1);
    const titles = await rto.locator("title").allTextContents();
    expect(titles).toEqual([
      expect.stringMatching(/^RTO 6\.0 s .*: met$/),
      expect.stringMatching(/^RTO at least 20\.0 s .*: not met$/),
    ]);
    await nothingRan(page, dialogs);
    await page.close();
  });
});
