/**
 * Before a fault: is the standby ready, is replication working? The readiness scan and the
 * freshness measurement of the drill's application (its pairs and stores: those drctl.yaml's
 * applications: entry names by ARN or tags, else all of them). A critical or high finding of the
 * scan, a store whose replication is broken, and anything that could not be read refuse the drill
 * (--force WHY overrides, journaled). So does a preflight that covered no pair and no store: it
 * read nothing that says the standby is ready.
 */
import type { AwsClients } from "../aws/client-factory.js";
import { primaryRegions, type DrctlConfig } from "../config/schema.js";
import { isReadFailure, type Finding } from "../core/finding.js";
import { runFreshness } from "../freshness/engine.js";
import { runScan } from "../scan/engine.js";
import { freshnessRun, headerOf, newRunId, type HistoryStore } from "../history/types.js";
import { glob } from "../util/glob.js";
import type { Preflight } from "./engine.js";
import type { DrillFile } from "./schema.js";
import type { ResourceType } from "../resources/module.js";
import type { StoreType } from "../datastores/type.js";

export async function preflight(
  aws: AwsClients,
  drill: DrillFile,
  config: DrctlConfig,
  store: HistoryStore | undefined,
  log: (line: string) => void,
  catalogue: { resources: readonly ResourceType<never>[]; datastores: readonly StoreType[] },
): Promise<Preflight> {
  const app = config.applications.find((a) => a.name === drill.application);
  const ofApp = (arn: string) => !app?.arns || app.arns.some((g) => glob(g).test(arn));
  // The whole configured fleet and the drill's regions: these runs are stored as any scan and
  // freshness run, and what reads the newest one (drctl plan, diff) must not find a narrower one.
  const primary = [...new Set([...primaryRegions(config), drill.regions.primary])];
  const standby = [
    ...new Set([...(config.regions.standby ? [config.regions.standby] : []), drill.regions.standby]),
  ];
  const problems: string[] = [];
  const findings: Finding[] = [];
  const runs: Preflight["runs"] = {};

  const scan = await runScan(aws, {
    types: catalogue.resources,
    primaryRegions: primary,
    configPairs: config.pairs,
    settings: {
      strategy: config.strategy,
      certificateExpiryDays: config.scan.certificateExpiryDays,
      now: new Date(),
    },
    suppressions: config.suppressions,
    concurrency: config.scan.concurrency,
  });
  const pairs = scan.pairs.filter((p) => ofApp(p.primaryArn));
  const blocking = pairs.flatMap((p) =>
    p.findings.filter(
      (f) => !f.suppressed && f.status !== "pass" && (f.severity === "critical" || f.severity === "high"),
    ),
  );
  const unreadable = pairs.flatMap((p) => p.findings.filter((f) => isReadFailure(f) && !f.suppressed));
  findings.push(...blocking);
  if (unreadable.length)
    problems.push(
      `the readiness scan could not read ${unreadable.length} thing(s): ${unreadable[0]?.message ?? ""}`,
    );
  if (blocking.length)
    problems.push(
      `the readiness scan found ${blocking.length} critical or high finding(s) (${[...new Set(blocking.map((f) => f.ruleId))].join(", ")})`,
    );
  log(`  readiness scan: ${pairs.length} pair(s), ${blocking.length} critical or high finding(s)`);

  const fresh = await runFreshness(aws, {
    types: catalogue.datastores,
    primaryRegions: primary,
    standbyRegions: standby,
    config,
    now: new Date(),
  });
  // A store is the application's when freshness gave it to it (its tags or ARNs), or its ARN is
  // one the application names; an application named by tags alone does not take every store.
  const byArn = (arn: string) => (app?.arns ?? []).some((g) => glob(g).test(arn));
  const stores = fresh.stores.filter((s) => (app ? s.application === app.name || byArn(s.primaryArn) : true));
  const broken = stores.filter((s) => s.status === "broken" || s.status === "error");
  for (const s of broken)
    findings.push({
      pair: drill.application,
      primaryArn: s.primaryArn,
      secondaryArn: s.standbyArn,
      resourceType: s.kind,
      ruleId: `drill.preflight.${s.status}`,
      severity: "high",
      status: s.status === "error" ? "error" : "drift",
      path: s.store,
      primary: null,
      secondary: null,
      message: s.message,
      remediation: s.remediation ?? "",
    });
  if (broken.length)
    problems.push(`replication is broken or unreadable for ${broken.map((s) => s.store).join(", ")}`);
  log(`  freshness: ${stores.length} store(s), ${broken.length} broken or unreadable`);

  if (pairs.length === 0 && stores.length === 0)
    problems.push(
      `the preflight covered no pair and no data store of ${drill.application} in ${primary.join(", ")} (${scan.pairs.length} pair(s) and ${fresh.stores.length} store(s) found there${app ? `, none of them ${app.name}'s by drctl.yaml's applications:` : ""}): nothing says the standby is ready`,
    );
  if (store) {
    // Kept in the history like any scan and freshness run; the drill's record names them.
    const now = new Date();
    const scanId = newRunId(now);
    const freshId = newRunId(now);
    try {
      if (scan.pairs.length > 0 && !scan.pairs.some((p) => p.findings.some((f) => isReadFailure(f)))) {
        await store.save(headerOf("scan", scanId, scan, now));
        runs.scan = scanId;
      }
      if (fresh.stores.length > 0 && !fresh.stores.some((s) => s.status === "error")) {
        await store.save(freshnessRun(freshId, fresh, now));
        runs.freshness = freshId;
      }
    } catch (err) {
      log(`  (the preflight runs could not be stored: ${(err as Error).message})`);
    }
  }
  return {
    findings,
    problems,
    runs,
    covered: `${pairs.length} pair(s) scanned, ${stores.length} store(s) measured`,
  };
}
