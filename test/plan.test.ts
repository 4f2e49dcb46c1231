/**
 * drctl plan on the demo world: every figure it writes matches the stored run it cites; a
 * changed world (a breach, a missed RTO) appears under open risks and --diff names exactly what
 * changed; what nothing measured says "not measured" with the command; the Markdown parses with
 * a standard parser to no raw HTML, and the HTML page renders in Chromium with every value escaped.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { marked, type Token } from "marked";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { DRILL_SCHEMA_VERSION, type DrillResult } from "../src/core/drill-result.js";
import type { PlanResult } from "../src/core/plan-result.js";
import { planDocument } from "../src/report/plan-document.js";
import { renderMarkdown } from "../src/report/plan-markdown.js";
import type { PlanDiff } from "../src/plan/diff.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { drillRun } from "../src/history/types.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { recordReplicaLag } from "./harness/moto-workarounds.js";

const env = useEmulator();
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const EVIL = `<img src=x onerror="window.pwned=1"> **bold** | pipe`;
let aws: AwsClients;
let dir: string;
let configFile: string;
let storeFile: string;
let browser: Browser | undefined;

const config = (rto = "30m") => `regions: { primary: us-east-1, standby: us-west-2 }
strategy: pilot-light
store: ${storeFile}
rpo: 15m
applications:
  - name: web
    owner: ${JSON.stringify(EVIL)}
    rto: ${rto}
    rpo: 15m
    arns:
      - "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-001*"
      - "arn:aws:rds:*:*:db:app-db*"
    contacts:
      - { name: DR on-call, role: incident lead, pager: "https://pager.example.com/dr" }
      - { name: ${JSON.stringify(`Pat ${EVIL}`)}, role: database owner }
    runbooks:
      failover: runbooks/failover.yaml
      failback: runbooks/failback.yaml
    drills: [drills/web.yaml]
  - name: ledger
    arns: ["arn:aws:dynamodb:*:*:table/ledger-*"]
    runbooks: { failover: runbooks/missing.yaml }
`;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--config", configFile, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** A drill as drctl drill stores it, with the figures given (the drill itself is tested elsewhere). */
async function storeDrill(
  id: string,
  rto: number,
  rpo: number,
  lost = 0,
  other: Partial<DrillResult> = {},
): Promise<DrillResult> {
  const at = new Date().toISOString();
  const result: DrillResult = {
    version: DRILL_SCHEMA_VERSION,
    drill: "drills/web.yaml",
    application: "web",
    generatedAt: at,
    startedAt: at,
    finishedAt: at,
    outcome: "completed",
    fault: { kind: "autoscaling.set-capacity", subject: "web", reverted: true },
    runbook: "runbooks/failover.yaml",
    failover: {
      rto: { measuredSeconds: rto, targetSeconds: 1800, met: rto <= 1800, resolutionSeconds: 1 },
      rpo: { measuredSeconds: rpo, targetSeconds: 900, met: rpo <= 900, resolutionSeconds: 1 },
      lostWrites: lost,
      detectSeconds: 3,
      steps: [
        { id: "promote-database", kind: "rds.promote-read-replica", seconds: 41, outcome: "succeeded" },
        { id: "scale-standby", kind: "autoscaling.set-capacity", seconds: 63, outcome: "succeeded" },
      ],
    },
    failback: null,
    probes: { "us-west-2": { ok: 40 } },
    timeline: [],
    findings: [],
    runs: {},
    ...other,
  };
  const store = SqliteHistory.open(storeFile);
  await store.save(drillRun(id, result, new Date()));
  store.close();
  return result;
}

/** The plan of an application "api" with no runbook (its own drctl.yaml, the same history). */
async function apiPlan() {
  const apiConfig = join(dir, "api.yaml");
  writeFileSync(
    apiConfig,
    `regions: { primary: us-east-1, standby: us-west-2 }
store: ${storeFile}
applications:
  - name: api
    rto: 1m
    arns: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/app/web-002*"]
    contacts: [{ name: DR on-call, pager: "https://pager.example.com/dr" }]
    drills: [drills/api.yaml]
`,
  );
  const out: string[] = [];
  const code = await runCli(["--config", apiConfig, "--json", "plan", "--no-store"], {
    out: (t) => out.push(t),
    err: () => undefined,
  });
  expect(code).toBe(0);
  return planOf(out.join(""), "api");
}

const planOf = (stdout: string, app = "web") =>
  (JSON.parse(stdout) as { plans: (PlanResult & { id: string; diff: PlanDiff })[] }).plans.find(
    (p) => p.application === app,
  );

function htmlTokens(tokens: Token[]): string[] {
  return tokens.flatMap((t) => [
    ...(t.type === "html" ? [t.raw] : []),
    ...htmlTokens(("tokens" in t ? t.tokens : undefined) ?? []),
    ...(t.type === "table"
      ? (t as unknown as { header: { tokens: Token[] }[]; rows: { tokens: Token[] }[][] }).header
          .concat(...(t as unknown as { rows: { tokens: Token[] }[][] }).rows)
          .flatMap((c) => htmlTokens(c.tokens))
      : []),
    ...(t.type === "list" ? (t as unknown as { items: Token[] }).items.flatMap((i) => htmlTokens([i])) : []),
  ]);
}

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 2 });
  dir = mkdtempSync(join(tmpdir(), "drctl-plan-"));
  storeFile = join(dir, "history.sqlite");
  configFile = join(dir, "drctl.yaml");
  mkdirSync(join(dir, "runbooks"));
  copyFileSync("examples/warm-standby/failover.yaml", join(dir, "runbooks", "failover.yaml"));
  copyFileSync("examples/warm-standby/failback.yaml", join(dir, "runbooks", "failback.yaml"));
  writeFileSync(configFile, config());
  process.env.DRCTL_HOME = join(dir, "home");
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("drctl plan", () => {
  it("says 'not measured' with the command where no run exists, and still writes the rest", async () => {
    const r = await drctl("--json", "plan", "--no-store");
    expect(r.code).toBe(0);
    const web = planOf(r.stdout);
    // The drill file is named so that the command works from where drctl ran (here: outside dir).
    const drillCommand = `drctl drill run ${join(dir, "drills", "web.yaml")} --execute`;
    expect(web?.measured.rto).toEqual({ value: null, command: drillCommand });
    expect(web?.dataStores).toEqual([]);
    expect(web?.risks.map((k) => k.key)).toEqual(
      expect.arrayContaining(["no-scan", "no-freshness", "no-drill", "contact:Pat " + EVIL]),
    );
    // The failover runbook is planned against the live world all the same.
    expect(web?.failover.steps.map((s) => s.id)).toEqual([
      "promote-database",
      "scale-standby",
      "mark-active",
      "wait-healthy",
      "move-traffic",
      "fence-old-primary",
      "settle",
    ]);
    const ledger = planOf(r.stdout, "ledger");
    expect(ledger?.failover.missing).toMatch(
      /^the runbook does not load: cannot read runbook .*missing\.yaml/,
    );
    expect(ledger?.risks.map((k) => k.key)).toEqual(
      expect.arrayContaining(["no-components", "failover-runbook", "no-contacts", "no-rto"]),
    );
    const md = (await drctl("plan", "--application", "web", "--no-store")).stdout;
    expect(md).toContain(`*not measured*: run \`${drillCommand}\``);
    expect(md).toContain("no freshness run names a store of this application; run `drctl freshness`");
  });

  it("cites the stored run of every figure, and the figure is the run's", async () => {
    expect((await drctl("scan", "--fail-on", "never")).code).toBe(0);
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 4);
    expect((await drctl("freshness", "--fail-on", "never")).code).toBe(0);
    await storeDrill("20261201T090000Z-dri1", 120, 5);
    const r = await drctl("--json", "plan", "--application", "web", "--out", join(dir, "plans"));
    expect(r.code, r.stderr).toBe(0);
    const plan = planOf(r.stdout);
    if (!plan) throw new Error("no plan");
    const store = SqliteHistory.open(storeFile);
    const [scanHeader] = await store.list({ kind: "scan", limit: 1 });
    const [freshHeader] = await store.list({ kind: "freshness", limit: 1 });
    const scan = await store.get(scanHeader?.id ?? "");
    const fresh = await store.get(freshHeader?.id ?? "");
    store.close();
    if (scan?.kind !== "scan" || fresh?.kind !== "freshness") throw new Error("runs missing");

    expect(plan.measured.rto).toMatchObject({
      value: 120,
      evidence: "20261201T090000Z-dri1",
      resolutionSeconds: 1,
    });
    expect(plan.measured.rpo).toMatchObject({ value: 5, evidence: "20261201T090000Z-dri1" });
    const pair = scan.result.pairs.find((p) => p.name === "web-001");
    const lb = plan.components.find((c) => c.kind === "load balancer pair");
    expect(lb).toMatchObject({ name: "web-001", status: { value: pair?.status, evidence: scan.id } });
    expect(plan.components.filter((c) => c.kind === "load balancer pair")).toHaveLength(1);
    const db = fresh.result.stores.find((s) => s.store === "app-db");
    expect(db?.exposureSeconds).toBe(4);
    expect(plan.dataStores).toEqual([
      expect.objectContaining({
        store: "app-db",
        status: db?.status,
        exposure: expect.objectContaining({ value: db?.exposureSeconds, evidence: fresh.id }) as unknown,
      }),
    ]);
    expect(plan.failover.steps.find((s) => s.id === "promote-database")?.duration).toEqual({
      value: 41,
      evidence: "20261201T090000Z-dri1",
    });
    expect(plan.evidence.map((e) => e.id)).toEqual(
      expect.arrayContaining([scan.id, fresh.id, "20261201T090000Z-dri1", "live"]),
    );
    expect(plan.availability).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ what: "Auto Scaling group", name: "web", region: "us-east-1" }),
        expect.objectContaining({ what: "load balancer", name: "web-001" }),
      ]),
    );

    // The document says the same, each figure beside its run.
    const md = readFileSync(join(dir, "plans", "web.md"), "utf8");
    expect(md).toMatch(
      /\| \*\*RTO measured\*\* \| 2 min \(± 1 s\) \(drill `20261201T090000Z-dri1`, \d{4}-\d\d-\d\d \d\d:\d\d UTC\) \|/,
    );
    expect(md).toContain(`\`${fresh.id}\``);
    expect(md).toContain(`\`${scan.id}\``);
    expect(md).toContain(
      "aws rds promote-read-replica --region us-west-2 --db-instance-identifier app-db-replica",
    );
  });

  it("parses as Markdown with no raw HTML, and renders in Chromium with every value escaped", async () => {
    const md = readFileSync(join(dir, "plans", "web.md"), "utf8");
    expect(htmlTokens(marked.lexer(md))).toEqual([]);
    const rendered = await marked.parse(md);
    expect(rendered).not.toContain("<img");
    expect(rendered).toContain("&lt;img src=x");

    expect(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM}`).toBe(true);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(dir, "plans", "web.html")).href);
    expect(await page.locator("h1").textContent()).toBe("Disaster-recovery plan: web");
    expect(await page.locator("h2").allTextContents()).toEqual([
      "Summary",
      "Critical components",
      "Data protection",
      "High availability",
      "Failover",
      "Validating the standby",
      "Failback",
      "Contacts",
      "Open risks",
      "Evidence",
    ]);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("td", { hasText: `${EVIL}` }).count()).toBeGreaterThan(0);
  });

  it("puts a breach and a missed RTO under open risks, and --diff names exactly what changed", async () => {
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 1800);
    expect((await drctl("freshness", "--fail-on", "never")).code).toBe(0);
    await storeDrill("20261201T100000Z-dri2", 2700, 5);
    const r = await drctl("--json", "plan", "--application", "web", "--diff");
    expect(r.code).toBe(0);
    const plan = planOf(r.stdout);
    const storeRisk = plan?.risks.find((k) => k.key.startsWith("store:rds-read-replica:"));
    expect(storeRisk).toMatchObject({ severity: "high" });
    expect(storeRisk?.message).toMatch(/^app-db \(rds-read-replica\) is breach: /);
    expect(plan?.risks.find((k) => k.key === "missed:rto")?.message).toBe(
      "the last drill missed the RTO: 45 min against 30 min",
    );
    const changes = plan?.diff.changes.map(
      (c) => `${c.change} ${c.what} ${c.subject} ${c.from ?? ""}->${c.to ?? ""}`,
    );
    expect(changes?.sort()).toEqual(
      [
        "changed component data app-db (rds-read-replica) ok->breach",
        "changed store app-db (rds-read-replica) ok->breach",
        "changed measured measured RTO 2 min->45 min",
        `added risk high ${storeRisk?.message ?? ""} ->`,
        "added risk high the last drill missed the RTO: 45 min against 30 min ->",
        // The replica is now further behind than the promote step allows: a run would refuse it.
        "added risk high the failover step promote-database would not run today: refused: app-db-replica is 1800 s behind, more than the 900 s allowed; set force: true to promote and lose that data ->",
      ].sort(),
    );
    const text = await drctl("plan", "--application", "web", "--diff", "--no-store");
    expect(text.stdout).toMatch(/^web: nothing changed since \S+\n$/);
    expect((await drctl("plan", "--application", "web", "--fail-on", "high", "--no-store")).code).toBe(1);
  });

  it("is listed per application on the report site, each plan at its own address, with its Markdown", async () => {
    const site = join(dir, "site");
    expect((await drctl("publish", "--to", site)).code).toBe(0);
    const index = readFileSync(join(site, "index.html"), "utf8");
    expect(index).toContain("<h2>DR plans</h2>");
    const store = SqliteHistory.open(storeFile);
    const plans = await store.list({ kind: "plan", limit: 10 });
    store.close();
    const newestWeb = plans.find((p) => p.pairs > 0);
    expect(index).toContain(`href="plans/web/${newestWeb?.id ?? ""}.html"`);
    expect(readFileSync(join(site, "plans", "web", "latest.md"), "utf8")).toMatch(
      /^# Disaster-recovery plan: web\n/,
    );
    for (const p of plans)
      expect(existsSync(join(site, "plans", p.pairs > 0 ? "web" : "ledger", `${p.id}.html`))).toBe(true);
  });

  it("an application with no runbook fails over by itself once a drill without one has shown it; until then that is a risk", async () => {
    const plan = apiPlan;
    const before = await plan();
    expect(before?.risks.map((r) => r.key)).toContain("failover-runbook");
    expect(before?.failover.automatic).toBeUndefined();

    await storeDrill("20261201T110000Z-dri3", 25, 0, 0, {
      drill: "api dns failover",
      application: "api",
      runbook: null,
      fault: { kind: "fault.route53-health-check", subject: "hc-1 invert", reverted: true },
    });
    const after = await plan();
    expect(after?.risks.map((r) => r.key)).not.toContain("failover-runbook");
    expect(after?.failover.automatic).toBe(
      'it fails over by itself: the drill "api dns failover" ran with no runbook, its fault fault.route53-health-check on hc-1 invert, and the standby served',
    );
    expect(after?.measured.rto).toMatchObject({ value: 25, evidence: "20261201T110000Z-dri3" });
    // A newer drill that was interrupted does not hide the figures of the one that measured them.
    await storeDrill("20261201T120000Z-dri4", 0, 0, 0, {
      drill: "api dns failover",
      application: "api",
      runbook: null,
      outcome: "interrupted",
      unfinished: ["the fault could not be injected: the command exited 1"],
    });
    const later = await plan();
    expect(later?.measured.rto).toMatchObject({ value: 25, evidence: "20261201T110000Z-dri3" });
    expect(later?.risks.find((r) => r.key === "drill-unfinished")).toMatchObject({
      evidence: "20261201T120000Z-dri4",
      message:
        "the newest drill did not complete (interrupted: the fault could not be injected: the command exited 1); the figures above are from an earlier drill",
    });
    expect(renderMarkdown(planDocument(after as PlanResult, "plan"))).toContain(
      "**No runbook:** it fails over by itself",
    );
  });

  it("a drill with no runbook whose standby never served (its RTO a lower bound) shows no failing over by itself", async () => {
    const plan = apiPlan;
    await storeDrill("20261201T130000Z-dri5", 3, 0, 0, {
      drill: "api dns failover",
      application: "api",
      runbook: null,
      fault: { kind: "fault.route53-health-check", subject: "hc-1 invert", reverted: true },
      failover: {
        rto: {
          measuredSeconds: 3,
          atLeast: true,
          targetSeconds: 60,
          met: false,
          resolutionSeconds: 0.25,
          note: "api never answered from us-west-2 as expected within 3 s: at least that",
        },
        rpo: { measuredSeconds: 0, targetSeconds: 60, met: true, resolutionSeconds: 0.25 },
        lostWrites: 0,
        detectSeconds: 0.5,
        steps: [],
        recoveredAt: null,
      },
    });
    const p = await plan();
    expect(p?.measured.rto).toMatchObject({ value: 3, atLeast: true, evidence: "20261201T130000Z-dri5" });
    expect(p?.failover.automatic).toBeUndefined();
    expect(p?.risks.map((r) => r.key)).toContain("failover-runbook");
    expect(JSON.stringify(p)).not.toMatch(/the standby served/);
  });

  it("declares every AWS operation it called (the README and the deployment policy come from these)", async () => {
    const recorder = recordAwsCalls();
    try {
      await drctl("--json", "plan", "--no-store");
    } finally {
      recorder.stop();
    }
    expect(recorder.calls.size).toBeGreaterThan(3);
    expect(undeclaredBy(recorder.calls, "plan")).toEqual([]);
  });

  it("refuses an RTO written as '30 minutes' at its line, and an application it does not know", async () => {
    writeFileSync(configFile, config("30 minutes"));
    try {
      const r = await drctl("plan");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /drctl\.yaml:8:\d+: applications\.0\.rto: expected a duration: a number with a unit \(500ms, 1\.5s/,
      );
    } finally {
      writeFileSync(configFile, config());
    }
    const r = await drctl("plan", "--application", "shop");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--application shop: no such application");
  });
});
