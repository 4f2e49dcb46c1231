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
import type { FreshnessResult, StoreResult } from "../core/freshness-result.js";
import type { ScanResult } from "../core/scan-result.js";
import { runFreshness } from "../freshness/engine.js";
import { runScan } from "../scan/engine.js";
import { newRunId, type HistoryStore } from "../history/types.js";
import { FRESHNESS_RUN, SCAN_RUN } from "../runs/kinds.js";
import { recordRun } from "../runs/pipeline.js";
import { glob } from "../util/glob.js";
import { belongsTo } from "../config/applications.js";
import type { Preflight } from "./engine.js";
import type { DrillFile } from "./schema.js";
import type { ScanType } from "../resources/module.js";
import type { StoreType } from "../datastores/type.js";

type Catalogue = { resources: readonly ScanType<never>[]; datastores: readonly StoreType[] };
type Application = DrctlConfig["applications"][number] | undefined;

/** What one half of the preflight found: its findings, and why it refuses the drill. */
interface Half {
  findings: Finding[];
  problems: string[];
}

export async function preflight(
  aws: AwsClients,
  drill: DrillFile,
  config: DrctlConfig,
  store: HistoryStore | undefined,
  log: (line: string) => void,
  catalogue: Catalogue,
): Promise<Preflight> {
  const app = config.applications.find((a) => a.name === drill.application);
  // The whole configured fleet and the drill's regions: these runs are stored as any scan and
  // freshness run, and what reads the newest one (drctl plan, diff) must not find a narrower one.
  const primary = [...new Set([...primaryRegions(config), drill.regions.primary])];
  const standby = [
    ...new Set([...(config.regions.standby ? [config.regions.standby] : []), drill.regions.standby]),
  ];
  const scan = await scanFleet(aws, config, primary, catalogue);
  const pairs = pairsOf(scan, app);
  const ready = scanVerdict(pairs, log);
  const fresh = await runFreshness(aws, {
    types: catalogue.datastores,
    primaryRegions: primary,
    standbyRegions: standby,
    config,
    now: new Date(),
  });
  const stores = storesOf(fresh, app);
  const replicating = freshnessVerdict(drill, stores, log);
  const problems = [...ready.problems, ...replicating.problems];
  if (pairs.length === 0 && stores.length === 0)
    problems.push(
      `the preflight covered no pair and no data store of ${drill.application} in ${primary.join(", ")} (${scan.pairs.length} pair(s) and ${fresh.stores.length} store(s) found there${app ? `, none of them ${app.name}'s by drctl.yaml's applications:` : ""}): nothing says the standby is ready`,
    );
  return {
    findings: [...ready.findings, ...replicating.findings],
    problems,
    runs: store ? await keepRuns(store, scan, fresh, log) : {},
    covered: `${pairs.length} pair(s) scanned, ${stores.length} store(s) measured`,
  };
}

/** The application's pairs, of any type: by its ARNs, or by the tags found on the primary. */
export function pairsOf(scan: ScanResult, app: Application): ScanResult["pairs"] {
  return scan.pairs.filter((p) => !app || belongsTo(app, p.primaryArn, p.primaryTags));
}

/** The readiness scan of every primary region (the whole fleet: it is kept as any scan). */
function scanFleet(aws: AwsClients, config: DrctlConfig, primary: string[], catalogue: Catalogue) {
  return runScan(aws, {
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
}

/** The application's pairs: a critical or high finding, or anything unread, refuses the drill. */
function scanVerdict(pairs: ScanResult["pairs"], log: (line: string) => void): Half {
  const problems: string[] = [];
  const blocking = pairs.flatMap((p) =>
    p.findings.filter(
      (f) => !f.suppressed && f.status !== "pass" && (f.severity === "critical" || f.severity === "high"),
    ),
  );
  const unreadable = pairs.flatMap((p) => p.findings.filter((f) => isReadFailure(f) && !f.suppressed));
  if (unreadable.length)
    problems.push(
      `the readiness scan could not read ${unreadable.length} thing(s): ${unreadable[0]?.message ?? ""}`,
    );
  if (blocking.length)
    problems.push(
      `the readiness scan found ${blocking.length} critical or high finding(s) (${[...new Set(blocking.map((f) => f.ruleId))].join(", ")})`,
    );
  log(`  readiness scan: ${pairs.length} pair(s), ${blocking.length} critical or high finding(s)`);
  return { findings: blocking, problems };
}

/**
 * The application's stores: those freshness gave it (its tags or ARNs), or whose ARN is one the
 * application names; an application named by tags alone does not take every store.
 */
function storesOf(fresh: FreshnessResult, app: Application): StoreResult[] {
  const byArn = (arn: string) => (app?.arns ?? []).some((g) => glob(g).test(arn));
  return fresh.stores.filter((s) => (app ? s.application === app.name || byArn(s.primaryArn) : true));
}

/** A store whose replication is broken, or that could not be read, refuses the drill. */
export function freshnessVerdict(drill: DrillFile, stores: StoreResult[], log: (line: string) => void): Half {
  const broken = stores.filter((s) => s.status === "broken" || s.status === "error");
  const findings = broken.map((s): Finding => ({
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
  }));
  log(`  freshness: ${stores.length} store(s), ${broken.length} broken or unreadable`);
  return {
    findings,
    problems: broken.length
      ? [`replication is broken or unreadable for ${broken.map((s) => s.store).join(", ")}`]
      : [],
  };
}

/**
 * Keeps both runs in the history like any scan and freshness run, through the same pipeline and
 * rule: one that found nothing, or could not read everything, is not kept. The drill's record
 * names those kept.
 */
async function keepRuns(
  store: HistoryStore,
  scan: ScanResult,
  fresh: FreshnessResult,
  log: (line: string) => void,
): Promise<Preflight["runs"]> {
  const runs: Preflight["runs"] = {};
  const now = new Date();
  const history = () => Promise.resolve(store);
  try {
    const s = await recordRun(SCAN_RUN, scan, { id: newRunId(now), store: history });
    if (s.stored) runs.scan = s.runId;
    const f = await recordRun(FRESHNESS_RUN, fresh, { id: newRunId(now), store: history });
    if (f.stored) runs.freshness = f.runId;
  } catch (err) {
    log(`  (the preflight runs could not be stored: ${(err as Error).message})`);
  }
  return runs;
}
