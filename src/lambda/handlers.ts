/**
 * Lambda handlers of the scheduled cloud scan, run by a Step Functions workflow (infra/):
 *   plan       (EventBridge schedule)  discover pairs, cut them into batches
 *   scanBatch  (Distributed Map item)  scan one batch, leave its result in S3
 *   aggregate  (after the map)         merge the batches, store the run
 *   freshness                          measure the data stores, store that run, put its metrics
 *   plans                              write each application's DR plan from the stored runs
 *   publish                            rebuild the report site in S3
 *   notify                             email and webhook for a stored run (scan or freshness)
 * and those of triggered failover (./failover.ts): alarm, advance; and the event rule's (./changes.ts):
 *   changes    (EventBridge rules)     keep an API call, alarm state change or certificate event for the next incremental scan
 * A batch that fails is retried by the workflow and then handed to aggregate as failed, which
 * turns each of its pairs into an error finding: the run always says what it could not read.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { primaryRegions } from "../config/schema.js";
import { notifyFreshness, notifyScan, type Delivery } from "../notify/notify.js";
import { freshnessFailures } from "../freshness/verdict.js";
import { runFreshness } from "../freshness/engine.js";
import { ignoringOwnStore } from "../freshness/own-store.js";
import { parseStoreLocation } from "../config/store-location.js";
import { putFreshnessMetrics } from "../freshness/put-metrics.js";
import { discoverPairs } from "../pairs/discover.js";
import { PAIR_RULES } from "../pairs/rules.js";
import { parseS3Url, publishToS3 } from "../report/publish.js";
import { buildSite, runPath } from "../report/site.js";
import { runScan } from "../scan/engine.js";
import type { IncrementalSummary, PairResult, ScanResult, Suppression } from "../core/scan-result.js";
import { summarise } from "../scan/engine.js";
import { carriedOver, incrementalPlan, recordedChanges, settingsKeyOf } from "../scan/incremental-run.js";
import { mergeResults } from "../scan/merge.js";
import { applySuppressions } from "../core/suppressions.js";
import { findingOf, type Finding } from "../core/finding.js";
import { openStore } from "../history/open.js";
import { asScan, newRunId } from "../history/types.js";
import { FRESHNESS_RUN, SCAN_RUN } from "../runs/kinds.js";
import { recordRun, sendStored } from "../runs/pipeline.js";
import { failoverInputSchema } from "../trigger/start.js";
import { advance, alarm } from "./failover.js";
import { changes } from "./changes.js";
import { buildPlan } from "../plan/build.js";
import { openJournal } from "../runbook/open-journal.js";
import { planRun } from "../history/types.js";
import { runtimeFromEnv, type Runtime } from "./runtime.js";
import { RESOURCE_TYPES, STEP_KINDS, STORE_TYPES } from "../catalog.js";

export interface PairRef {
  primary: string;
  secondary: string;
}

export interface Plan {
  runId: string;
  generatedAt: string;
  discoveryKey: string;
  batches: { index: number; pairs: PairRef[] }[];
}

export type BatchOutcome =
  | { index: number; key: string; pairs: number }
  | { index: number; failed: true; error: string; pairs: PairRef[] };

export interface RunSummary {
  runId: string;
  pairs: number;
  new: number;
  resolved: number;
  failedBatches: number;
}

async function putJson(rt: Runtime, key: string, value: unknown): Promise<void> {
  const { bucket, prefix } = parseS3Url(rt.results);
  await rt.aws.get(S3Client, primaryRegions(rt.config)[0] ?? "us-east-1").send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${prefix}${key}`,
      Body: JSON.stringify(value),
      ContentType: "application/json",
    }),
  );
}

async function getJson<T>(rt: Runtime, key: string): Promise<T> {
  const { bucket, prefix } = parseS3Url(rt.results);
  const out = await rt.aws
    .get(S3Client, primaryRegions(rt.config)[0] ?? "us-east-1")
    .send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }));
  return JSON.parse((await out.Body?.transformToString()) ?? "null") as T;
}

/** drctl's version as the deployment set it (the CLI's, from package.json): carried findings are keyed on it. */
const drctlVersion = () => process.env.DRCTL_VERSION ?? "";

const settingsOf = (rt: Runtime, now: Date) => ({
  strategy: rt.config.strategy,
  certificateExpiryDays: rt.config.scan.certificateExpiryDays,
  now,
});

/** Where a run's carried-over pairs wait for aggregate (written by every run, empty in a full one). */
const carriedKey = (runId: string) => `runs/${runId}/carried.json`;
/**
 * Why each pair is read and its fingerprint when last read, for the batches: kept in S3, not in the
 * workflow's state, whose 256 KB must hold the batches' pair references only.
 */
const readsKey = (runId: string) => `runs/${runId}/reads.json`;
type Reads = Record<string, { why: string; fingerprint?: string }>;

interface Carried {
  pairs: PairResult[];
  incremental?: IncrementalSummary;
  /**
   * Each primary's tags as discovery found them: a batch scans its pairs as listed, without their
   * tags, and the stored run needs them (applications, and an incremental run's tag check).
   */
  tags?: Record<string, Record<string, string>>;
  /** Suppressions past their date that matched a carried-over finding again. */
  expiredSuppressions?: Suppression[];
}

/**
 * An incremental run (the deployment's default; scan.incremental: false turns it off) reads only
 * the pairs the plan says, from the newest stored scan and the changes the event rule recorded;
 * the rest are carried over to aggregate, their suppressions applied again.
 */
async function planIncremental(
  rt: Runtime,
  pairs: Awaited<ReturnType<typeof discoverPairs>>["pairs"],
  now: Date,
): Promise<{ read: PairRef[]; carried: Carried; reads: Reads }> {
  const all = pairs.map((p) => ({ primary: p.primaryArn, secondary: p.standbyArn }));
  if (rt.config.scan.incremental === false) return { read: all, carried: { pairs: [] }, reads: {} };
  const store = await openStore(rt.store, () => Promise.resolve(rt.aws));
  const newest = (await store.list({ kind: "scan", limit: 1 }))[0];
  const previous = newest ? asScan(await store.get(newest.id))?.result : undefined;
  const planned = await incrementalPlan(
    pairs,
    {
      ...(previous ? { previous } : {}),
      fullEveryMs: rt.config.scan.fullEvery * 1000,
      stateEveryMs: rt.config.scan.stateEvery * 1000,
      signals: async (since) => [await recordedChanges(store, since)],
    },
    {
      now,
      settingsKey: settingsKeyOf({ settings: settingsOf(rt, now), version: drctlVersion() }, RESOURCE_TYPES),
      stateTypes: new Set(RESOURCE_TYPES.filter((t) => t.readsState).map((t) => t.pairing.type)),
    },
  );
  const expired = new Set<Suppression>();
  const carriedPairs = pairs.flatMap((p) => {
    const before = planned.carry.get(p.primaryArn);
    if (!before) return [];
    const { findings, twins, evidence } = carriedOver(before);
    for (const s of applySuppressions(findings, rt.config.suppressions, now)) expired.add(s);
    const about = { type: p.kind.type, primaryTags: { ...p.primaryTags }, evidence };
    return [summarise(p.name, p.primaryArn, p.standbyArn, findings, twins, about)];
  });
  const fingerprints = new Map(previous?.pairs.map((x) => [x.primaryArn, x.evidence?.fingerprint]));
  const read = all.filter((p) => planned.read.has(p.primary));
  const reads: Reads = Object.fromEntries(
    read.map((p) => {
      const fingerprint = fingerprints.get(p.primary);
      return [
        p.primary,
        { why: planned.read.get(p.primary)?.detail ?? "", ...(fingerprint ? { fingerprint } : {}) },
      ];
    }),
  );
  const summary = { ...planned.summary, read: read.length, carriedOver: carriedPairs.length };
  return {
    read,
    carried: { pairs: carriedPairs, incremental: summary, expiredSuppressions: [...expired] },
    reads,
  };
}

export async function plan(rt: Runtime): Promise<Plan> {
  const now = new Date();
  const runId = newRunId(now);
  const discovery = await discoverPairs(rt.aws, {
    kinds: RESOURCE_TYPES.map((t) => t.pairing),
    primaryRegions: primaryRegions(rt.config),
    configPairs: rt.config.pairs,
  });
  const { read: refs, carried, reads } = await planIncremental(rt, discovery.pairs, now);
  await putJson(rt, readsKey(runId), reads);
  const tags = Object.fromEntries(discovery.pairs.map((p) => [p.primaryArn, { ...p.primaryTags }]));
  await putJson(rt, carriedKey(runId), { ...carried, tags });
  const discoveryKey = `runs/${runId}/discovery.json`;
  await putJson(rt, discoveryKey, discovery.findings);
  const size = rt.config.scan.batchSize;
  const batches = Array.from({ length: Math.ceil(refs.length / size) }, (_, index) => ({
    index,
    pairs: refs.slice(index * size, (index + 1) * size),
  }));
  return { runId, generatedAt: now.toISOString(), discoveryKey, batches };
}

export async function scanBatch(
  rt: Runtime,
  event: { runId: string; generatedAt: string; index: number; pairs: PairRef[] },
): Promise<BatchOutcome> {
  const result = await runScan(rt.aws, {
    types: RESOURCE_TYPES,
    primaryRegions: [],
    configPairs: event.pairs,
    settings: settingsOf(rt, new Date(event.generatedAt)),
    suppressions: rt.config.suppressions,
    concurrency: rt.config.scan.concurrency,
    version: drctlVersion(),
  });
  // Why the plan had each pair read, and whether what it read changed since its last read.
  const reads = await getJson<Reads | null>(rt, readsKey(event.runId)).catch(() => null);
  for (const p of result.pairs) {
    const ref = reads?.[p.primaryArn];
    if (!p.evidence || !ref) continue;
    p.evidence.why = ref.why;
    if (ref.fingerprint) p.evidence.unchanged = ref.fingerprint === p.evidence.fingerprint;
  }
  const key = `runs/${event.runId}/batch-${String(event.index).padStart(4, "0")}.json`;
  await putJson(rt, key, result);
  return { index: event.index, key, pairs: result.stats.pairs };
}

export async function aggregate(
  rt: Runtime,
  event: { runId: string; generatedAt: string; discoveryKey: string; batches: BatchOutcome[] },
): Promise<RunSummary> {
  const carried = await getJson<Carried>(rt, carriedKey(event.runId));
  const parts: ScanResult[] = [];
  if (carried.pairs.length > 0)
    parts.push({
      version: 1,
      generatedAt: event.generatedAt,
      strategy: rt.config.strategy,
      pairs: carried.pairs,
      expiredSuppressions: carried.expiredSuppressions ?? [],
      settingsKey: settingsKeyOf(
        { settings: settingsOf(rt, new Date(event.generatedAt)), version: drctlVersion() },
        RESOURCE_TYPES,
      ),
      stats: { pairs: carried.pairs.length, durationMs: 0, calls: {}, retries: 0 },
    });
  const extra: Finding[] = await getJson<Finding[]>(rt, event.discoveryKey);
  let failedBatches = 0;
  for (const batch of event.batches) {
    if ("failed" in batch) {
      failedBatches++;
      for (const p of batch.pairs) {
        extra.push(
          findingOf(PAIR_RULES.unreadable, {
            pair: p.primary.split("/").at(-2) ?? p.primary,
            primaryArn: p.primary,
            secondaryArn: p.secondary,
            status: "error",
            path: "pair",
            primary: p.primary,
            secondary: p.secondary,
            message: `the batch that scanned this pair failed after its retries: ${batch.error}`,
          }),
        );
      }
    } else {
      parts.push(await getJson<ScanResult>(rt, batch.key));
    }
  }
  applySuppressions(extra, rt.config.suppressions, new Date(event.generatedAt));
  const result = mergeResults(parts, {
    generatedAt: event.generatedAt,
    strategy: rt.config.strategy,
    extraFindings: extra,
    durationMs: Date.now() - Date.parse(event.generatedAt),
    ...(carried.incremental ? { incremental: carried.incremental } : {}),
  });
  for (const p of result.pairs) {
    const tags = carried.tags?.[p.primaryArn];
    if (tags) p.primaryTags = tags;
  }
  // Kept even when a batch failed: its result says what was unread, the site shows it, and
  // notify refuses it; the next run is compared with the newest run that read everything.
  const recorded = await recordRun(SCAN_RUN, result, {
    id: event.runId,
    store: () => openStore(rt.store, () => Promise.resolve(rt.aws)),
    keepIncomplete: true,
    allowEmpty: true,
  });
  return {
    runId: recorded.runId,
    pairs: result.stats.pairs,
    new: recorded.diff.new.length,
    resolved: recorded.diff.resolved.length,
    failedBatches,
  };
}

export interface FreshnessSummary {
  /** The stored freshness run; null when freshness.scheduled is false. */
  runId: string | null;
  stores: number;
  /** Stores whose status is not ok. */
  notOk: number;
  /** Reads that failed: the run is stored and its metrics put, but notify sends nothing for it. */
  unread: number;
  metrics: number;
}

/**
 * Measures every data store against its standby copy (as `drctl freshness` does), stores the run
 * and puts each store's exposure into CloudWatch. A run that could not read everything is still
 * stored (its stores say error) and its metrics put (Unmeasured=1), so alarms see it; notify then
 * refuses to send it, and no later run is compared with it. Finding no data store at all is a
 * failure, never a clean run.
 */
export async function freshness(rt: Runtime): Promise<FreshnessSummary> {
  if (!rt.config.freshness.scheduled) return { runId: null, stores: 0, notOk: 0, unread: 0, metrics: 0 };
  const now = new Date();
  const primary = primaryRegions(rt.config);
  // Unset, the standby regions are those AWS records copies in.
  const given = rt.config.regions.standby;
  const result = await runFreshness(rt.aws, {
    types: STORE_TYPES,
    primaryRegions: primary,
    standbyRegions: given && !primary.includes(given) ? [given] : [],
    standbyFrom: "regions.standby in drctl.yaml",
    config: ignoringOwnStore(rt.config, parseStoreLocation(rt.store, "DRCTL_STORE")),
    now,
  });
  if (result.stores.length === 0 && freshnessFailures(result).length === 0)
    throw new Error(
      `no data store found in ${primary.join(", ")} and none listed under pairs: in drctl.yaml; set freshness.scheduled: false for a deployment that only scans`,
    );
  const m = rt.config.freshness.metrics;
  const put = await putFreshnessMetrics(rt.aws, m.region ?? rt.region, result, m.namespace);
  const run = await recordRun(FRESHNESS_RUN, result, {
    id: newRunId(now),
    store: () => openStore(rt.store, () => Promise.resolve(rt.aws)),
    keepIncomplete: true,
    allowEmpty: true,
  });
  rt.log(
    `freshness ${run.runId}: ${result.stores.length} stores, ${put.metrics} metrics put in ${put.namespace} (${put.region})`,
  );
  return {
    runId: run.runId,
    stores: result.stores.length,
    notOk: result.stores.filter((s) => s.status !== "ok").length,
    unread: run.unread.length,
    metrics: put.metrics,
  };
}

/**
 * Writes each application's DR plan from the runs just stored (and the runbooks bundled with the
 * functions), and stores it; the publish step then puts it on the site. A plan that could not
 * read everything is not stored, and this throws after the others, so the execution says so.
 */
export async function plans(
  rt: Runtime,
): Promise<{ plans: { application: string; id: string; risks: number }[] }> {
  const store = await openStore(rt.store, () => Promise.resolve(rt.aws));
  const journal = await openJournal(rt.store, () => Promise.resolve(rt.aws));
  const written: { application: string; id: string; risks: number }[] = [];
  const unread: string[] = [];
  for (const application of rt.config.applications) {
    const now = new Date();
    const plan = await buildPlan(rt.aws, {
      config: rt.config,
      configDir: rt.runbookDir ?? process.cwd(),
      application,
      store,
      journal,
      now,
      kinds: STEP_KINDS,
    });
    const id = newRunId(now);
    if (plan.unread.length > 0) {
      unread.push(...plan.unread.map((u) => `${application.name}: ${u}`));
      continue;
    }
    await store.save(planRun(id, plan, new Date()));
    written.push({ application: application.name, id, risks: plan.risks.length });
  }
  rt.log(
    `plans: ${written.map((w) => `${w.application} ${w.id} (${w.risks} open risks)`).join(", ") || "none"}`,
  );
  if (unread.length > 0)
    throw new Error(`plans could not read everything (${unread.join("; ")}); those were not stored`);
  return { plans: written };
}

/** Rebuilds the report site from the history and uploads it (after every stored run). */
export async function publish(
  rt: Runtime,
  event: { runId: string },
): Promise<{ runId: string; site: string | null }> {
  if (!rt.site) return { runId: event.runId, site: null };
  const store = await openStore(rt.store, () => Promise.resolve(rt.aws));
  const site = await publishToS3(
    rt.aws,
    primaryRegions(rt.config)[0] ?? "us-east-1",
    rt.site,
    await buildSite(store),
    { website: false },
  );
  return { runId: event.runId, site };
}

/**
 * Sends the email and webhook for a stored run. Every channel is tried; if one failed, this
 * throws with the reasons so the workflow retries and, failing again, shows the execution as
 * failed. The run itself is already stored.
 */
export async function notify(
  rt: Runtime,
  event: { runId: string },
): Promise<{ runId: string; deliveries: Delivery[] }> {
  const store = await openStore(rt.store, () => Promise.resolve(rt.aws));
  const stored = await store.get(event.runId);
  const aws = () => Promise.resolve(rt.aws);
  let deliveries: Delivery[];
  if (stored?.kind === "freshness")
    deliveries = await sendStored(FRESHNESS_RUN, store, stored, (run) =>
      notifyFreshness({ config: rt.config.notify, result: run.result, diff: run.diff, runId: run.id, aws }),
    );
  else {
    const run = asScan(stored);
    if (!run) throw new Error(`scan ${event.runId} is not in ${store.description}`);
    const reportUrl = rt.site ? `${rt.site.replace(/\/$/, "")}/${runPath(run.id)}` : undefined;
    deliveries = await sendStored(SCAN_RUN, store, run, (r) =>
      notifyScan({
        config: rt.config.notify,
        result: r.result,
        diff: r.diff,
        runId: r.id,
        aws,
        ...(reportUrl ? { reportUrl } : {}),
      }),
    );
  }
  const failed = deliveries.filter((d) => !d.ok);
  if (failed.length > 0)
    throw new Error(`notification failed: ${failed.map((d) => `${d.channel}: ${d.detail}`).join("; ")}`);
  return { runId: event.runId, deliveries };
}

// Lambda entry points: one runtime per container, reused across invocations.
let runtime: Promise<Runtime> | undefined;
const shared = () => (runtime ??= runtimeFromEnv());
export const planHandler = async () => plan(await shared());
export const scanBatchHandler = async (event: Parameters<typeof scanBatch>[1]) =>
  scanBatch(await shared(), event);
export const aggregateHandler = async (event: Parameters<typeof aggregate>[1]) =>
  aggregate(await shared(), event);
export const freshnessHandler = async () => freshness(await shared());
export const plansHandler = async () => plans(await shared());
export const publishHandler = async (event: { runId: string }) => publish(await shared(), event);
export const notifyHandler = async (event: { runId: string }) => notify(await shared(), event);
export const alarmHandler = async (event: unknown) => alarm(await shared(), event);
export const changesHandler = async (event: unknown) => changes(await shared(), event);
/** The workflow's turn: runs until the function has a minute left (at most 10 minutes a turn). */
export const advanceHandler = async (event: unknown, context: { getRemainingTimeInMillis(): number }) => {
  const input = failoverInputSchema.parse(event);
  const budget = Math.min(context.getRemainingTimeInMillis() - 60_000, 10 * 60_000);
  return advance(await shared(), input, AbortSignal.timeout(Math.max(budget, 5_000)));
};
