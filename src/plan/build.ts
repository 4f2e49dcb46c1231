/**
 * An application's DR plan from facts: the newest stored scan, freshness run and drill, the
 * newest run of its failover runbook, the runbooks' dry runs and a live reading of high
 * availability. Nothing is estimated: what no run measured is "not measured" with the command
 * that would measure it.
 */
import { resolve } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { belongsTo, type Application } from "../config/applications.js";
import { primaryRegions, type DrctlConfig } from "../config/schema.js";
import type { DrillResult } from "../core/drill-result.js";
import {
  PLAN_SCHEMA_VERSION,
  type Contact,
  type Evidence,
  type Fact,
  type PlanResult,
} from "../core/plan-result.js";
import type { HistoryStore } from "../history/types.js";
import { taggedResources } from "../pairs/tagged.js";
import type { Journal } from "../runbook/journal.js";
import type { StepKinds } from "../runbook/kinds.js";
import { loadRunbook } from "../runbook/load.js";
import { readAvailability } from "./availability.js";
import {
  dataStoreRows,
  groupComponents,
  groupsOf,
  isLoadBalancerArn,
  LIVE,
  pairComponents,
  postureRows,
  storeComponents,
} from "./components.js";
import { loadEvidence, type PlanEvidence } from "./evidence.js";
import { fromHere, procedureOf } from "./procedures.js";
import { promotionsOf, replicaSince, type Unreplicated } from "./replication.js";
import { openRisks } from "./risks.js";

export interface PlanOptions {
  config: DrctlConfig;
  /** Where runbook and drill paths of drctl.yaml are relative to. */
  configDir: string;
  application: Application;
  store: HistoryStore;
  journal?: Journal;
  now: Date;
  /** The step kinds the runbooks may use: the plan asks them what a step checks and acts on. */
  kinds: StepKinds;
}

type Procedures = Awaited<ReturnType<typeof procedureOf>>;

/** The evidence a plan cites, each once, in the order first cited. */
class Citations {
  readonly list: Evidence[] = [];
  cite(e: Evidence | undefined): string | undefined {
    if (e && !this.list.some((x) => x.id === e.id)) this.list.push(e);
    return e?.id;
  }
}

/** The failover runbook's name, to find its newest run; undefined when it does not load (said elsewhere). */
function failoverName(options: PlanOptions): string | undefined {
  const file = options.application.runbooks?.failover;
  try {
    if (file)
      return loadRunbook(options.kinds, resolve(options.configDir, file), runbookSet(options)).runbook.name;
  } catch {
    // Said in the failover section and under open risks.
  }
  return undefined;
}

const runbookSet = (options: PlanOptions) => options.application.runbooks?.set ?? {};

/** Tags of every resource in the regions, when the application is named by tags (a region not read: said in unread). */
async function readTags(
  aws: AwsClients,
  app: Application,
  regions: string[],
  unread: string[],
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  if (!app.tags || Object.keys(app.tags).length === 0) return tags;
  for (const region of [...new Set(regions)].filter(Boolean))
    try {
      for (const r of await taggedResources(aws, region)) tags.set(r.arn, r.tags);
    } catch (err) {
      unread.push(`tags of ${region}: ${err instanceof Error ? err.message : String(err)}`);
    }
  return tags;
}

/** Whether a drill saw the standby serve: it ran to its end and its RTO is a figure, not a lower bound. */
function standbyServed(r: DrillResult): boolean {
  const rto = r.failover.rto;
  return (
    r.outcome === "completed" &&
    rto.measuredSeconds !== null &&
    !rto.atLeast &&
    r.failover.recoveredAt !== null
  );
}

function drillFact(
  t: { measuredSeconds: number | null; atLeast?: boolean; resolutionSeconds: number } | undefined,
  id: string | undefined,
  command: string,
): Fact<number> {
  if (!t || !id) return { value: null, command };
  return {
    value: t.measuredSeconds,
    evidence: id,
    resolutionSeconds: t.resolutionSeconds,
    ...(t.atLeast ? { atLeast: true } : {}),
  };
}

/** The RTO, RPO and lost writes the newest drill measured (not measured: the command that would). */
function measuredBy(
  drill: PlanEvidence["drill"],
  drillId: string | undefined,
  command: string,
): PlanResult["measured"] {
  return {
    rto: drillFact(drill?.result.failover.rto, drillId, command),
    rpo: drillFact(drill?.result.failover.rpo, drillId, command),
    lostWrites: drill
      ? { value: drill.result.failover.lostWrites, ...(drillId ? { evidence: drillId } : {}) }
      : { value: null, command },
  };
}

/** The failover procedure, timed by the newest drill or run of it. */
async function failoverProcedure(
  aws: AwsClients,
  options: PlanOptions,
  ev: PlanEvidence,
  ids: { drill: string | undefined; run: string | undefined },
  drillCommand: string,
): Promise<Procedures> {
  const drill = ev.drill;
  const lastRun = ev.failoverRun?.result;
  const file = options.application.runbooks?.failover;
  const failover = await procedureOf(aws, {
    kinds: options.kinds,
    file,
    configDir: options.configDir,
    set: runbookSet(options),
    direction: "failover",
    durations: {
      ...(drill && ids.drill ? { drill: { phase: drill.result.failover, evidence: ids.drill } } : {}),
      ...(lastRun && ids.run
        ? {
            run: {
              steps: lastRun.steps,
              evidence: ids.run,
              seconds: lastRun.run.finishedAt
                ? (Date.parse(lastRun.run.finishedAt) - Date.parse(lastRun.run.startedAt)) / 1000
                : 0,
            },
          }
        : {}),
    },
    measureCommand: drillCommand,
  });
  // A drill that ran with `runbook: none` and recovered shows the architecture fails over by itself;
  // one whose standby never served (its RTO a lower bound, or not measured) shows nothing of the kind.
  if (!file && drill && drill.result.runbook === null && standbyServed(drill.result))
    failover.procedure.automatic = `it fails over by itself: the drill "${drill.result.drill}" ran with no runbook, its fault ${drill.result.fault.kind} on ${drill.result.fault.subject}, and the standby served`;
  return failover;
}

/** The failback procedure: its runbook, or the inverse of the newest failover run. */
async function failbackProcedure(
  aws: AwsClients,
  options: PlanOptions,
  ev: PlanEvidence,
  drillId: string | undefined,
  drillCommand: string,
): Promise<Procedures> {
  const { application: app, configDir } = options;
  const drill = ev.drill;
  const lastRun = ev.failoverRun?.result;
  const failback = await procedureOf(aws, {
    kinds: options.kinds,
    file: app.runbooks?.failback,
    configDir,
    set: runbookSet(options),
    direction: "failback",
    durations:
      drill?.result.failback && drillId ? { drill: { phase: drill.result.failback, evidence: drillId } } : {},
    // A failback is measured by a drill (which fails back) or by running it.
    measureCommand:
      app.drills.length > 0 || !app.runbooks?.failback
        ? drillCommand
        : `drctl failback run --runbook ${fromHere(configDir, app.runbooks.failback)} --execute`,
  });
  if (!app.runbooks?.failback && lastRun)
    failback.procedure.commands = [
      `drctl failback plan --from ${lastRun.run.runId}`,
      `drctl failback run --from ${lastRun.run.runId} --execute`,
    ];
  return failback;
}

function contactsOf(app: Application): Contact[] {
  return app.contacts.map((c) => ({
    name: c.name,
    role: c.role ?? null,
    reach: [
      ...(c.email ? [`email ${c.email}`] : []),
      ...(c.phone ? [`phone ${c.phone}`] : []),
      ...(c.chat ? [`chat ${c.chat}`] : []),
      ...(c.pager ? [`pager ${c.pager}`] : []),
    ],
  }));
}

/** How a failover is checked: the failover's steps whose kind checks health, the drills' probes, the commands. */
function validationOf(options: PlanOptions, failover: Procedures): PlanResult["validation"] {
  const { application: app, configDir } = options;
  const failoverFile = app.runbooks?.failover;
  return {
    checks: [
      ...failover.procedure.steps
        .filter((s) => options.kinds.get(s.kind)?.checksHealth)
        .map((s) => `${s.id}: ${s.does}`),
      ...app.drills.map((d) => `the drill ${d}: its probes of the application's endpoints`),
    ],
    commands: [
      "drctl scan   (the standby is configured like the primary)",
      "drctl freshness   (how far behind each data store's copy is)",
      ...(failoverFile
        ? [
            `drctl failover plan --runbook ${fromHere(configDir, failoverFile)}   (what a failover would do now)`,
          ]
        : []),
      ...app.drills.map((d) => `drctl drill plan ${fromHere(configDir, d)}`),
    ],
  };
}

/** Databases a run promoted that nothing has replicated since: DR not restored. */
async function unreplicatedOf(
  options: PlanOptions,
  ev: PlanEvidence,
  unread: string[],
): Promise<Unreplicated[]> {
  try {
    const fresh = ev.freshness && { result: ev.freshness.result, at: ev.freshness.evidence.at };
    if (options.journal)
      return (await promotionsOf(options.kinds, options.journal, options.application.name)).filter(
        (db) => !replicaSince(db, fresh),
      );
  } catch (err) {
    unread.push(`the runbook journal: ${err instanceof Error ? err.message : String(err)}`);
  }
  return [];
}

/** The command that measures what only a drill measures: the application's first drill, or any. */
const drillCommandOf = (options: PlanOptions) =>
  options.application.drills.length > 0
    ? `drctl drill run ${fromHere(options.configDir, options.application.drills[0] ?? "")} --execute`
    : "drctl drill run DRILL.yaml --execute";

/** What the application is made of, from the scan and freshness run, with the ids they are cited by. */
async function partsOf(
  aws: AwsClients,
  options: PlanOptions,
  ev: PlanEvidence,
  at: Where,
  evidence: Citations,
) {
  const { application: app } = options;
  const tags = await readTags(aws, app, [...at.primary, at.standby], at.unread);
  const mine = (arn: string | null | undefined) => !!arn && belongsTo(app, arn, tags.get(arn));
  // Components: load balancer pairs and their records from the scan, data stores from freshness.
  const scanId = evidence.cite(ev.scan?.evidence);
  const pairs = (ev.scan?.result.pairs ?? []).filter((p) => mine(p.primaryArn) || mine(p.secondaryArn));
  const files = [app.runbooks?.failover, app.runbooks?.failback];
  const groups = groupsOf(options.kinds, files, options.configDir, runbookSet(options));
  const freshId = evidence.cite(ev.freshness?.evidence);
  const stores = (ev.freshness?.result.stores ?? []).filter(
    (s) => s.application === app.name || mine(s.primaryArn),
  );
  const components = [
    ...pairComponents(pairs, scanId),
    ...groupComponents(groups, at.primary, at.standby),
    ...storeComponents(stores, freshId),
  ];
  const posture = postureRows(ev.freshness, stores, mine, freshId);
  return { pairs, groups, stores, components, posture, scanId, freshId };
}

/** The regions a plan reads, and what it could not read (filled as it goes). */
interface Where {
  primary: string[];
  standby: string;
  unread: string[];
}

/** High availability, read now: the load balancers, groups and databases of the application. */
async function availabilityOf(
  aws: AwsClients,
  parts: Awaited<ReturnType<typeof partsOf>>,
  at: Where,
): Promise<PlanResult["availability"]> {
  const ha = await readAvailability(aws, {
    loadBalancers: parts.pairs
      .filter((p) => isLoadBalancerArn(p.primaryArn))
      .flatMap((p) => [p.primaryArn, ...(p.secondaryArn ? [p.secondaryArn] : [])]),
    groups: parts.groups.flatMap((g) => [g, ...at.primary.map((r) => ({ name: g.name, region: r }))]),
    databases: parts.stores
      .filter((s) => s.primaryArn.includes(":rds:") && s.primaryArn.includes(":db:"))
      .flatMap((s) => [s.primaryArn, ...(s.standbyArn?.includes(":db:") ? [s.standbyArn] : [])]),
  });
  at.unread.push(...ha.unread);
  return ha.rows;
}

export async function buildPlan(aws: AwsClients, options: PlanOptions): Promise<PlanResult> {
  const { config, application: app, now } = options;
  const ev = await loadEvidence(options.store, app.name, options.journal, failoverName(options));
  const at: Where = {
    primary: primaryRegions(config),
    // Unset in drctl.yaml: the region the newest freshness run found the copies in ("" when none).
    standby: config.regions.standby ?? ev.freshness?.result.standbyRegions?.[0]?.region ?? "",
    unread: [],
  };
  const evidence = new Citations();
  const parts = await partsOf(aws, options, ev, at, evidence);
  const availability = await availabilityOf(aws, parts, at);
  evidence.cite({
    id: LIVE,
    kind: "live",
    at: now.toISOString(),
    what: "read by this plan from the account: high availability, the runbooks' dry runs",
  });

  // The drill (what clients saw), and the procedures.
  const drillId = evidence.cite(ev.drill?.evidence);
  const drillCommand = drillCommandOf(options);
  const runId = evidence.cite(ev.failoverRun?.evidence);
  const failover = await failoverProcedure(aws, options, ev, { drill: drillId, run: runId }, drillCommand);
  const failback = await failbackProcedure(aws, options, ev, drillId, drillCommand);
  at.unread.push(...failover.unread, ...failback.unread);
  const contacts = contactsOf(app);
  const unreplicated = await unreplicatedOf(options, ev, at.unread);
  for (const db of unreplicated)
    evidence.cite({ id: db.runId, kind: "runbook", at: db.at, what: `run of the runbook "${db.runbook}"` });
  const ids = {
    scan: parts.scanId,
    freshness: parts.freshId,
    drill: drillId,
    unfinishedDrill: evidence.cite(ev.unfinishedDrill?.evidence),
  };
  const risks = openRisks({
    ...parts,
    ...{ config, application: app, now, ev, unreplicated, standby: at.standby, ids, drillCommand },
    ...{ availability, contacts, failover, failback },
  });

  return {
    version: PLAN_SCHEMA_VERSION,
    application: app.name,
    generatedAt: now.toISOString(),
    owner: app.owner ?? null,
    strategy: config.strategy,
    regions: { primary: at.primary, standby: at.standby || "not known" },
    targets: { rtoSeconds: app.rto ?? null, rpoSeconds: app.rpo ?? config.rpo },
    measured: measuredBy(ev.drill, drillId, drillCommand),
    components: parts.components,
    dataStores: dataStoreRows(parts.stores, parts.freshId),
    posture: parts.posture,
    availability,
    failover: failover.procedure,
    failback: failback.procedure,
    validation: validationOf(options, failover),
    contacts,
    risks,
    evidence: evidence.list.sort((a, b) => a.kind.localeCompare(b.kind)),
    unread: at.unread,
  };
}
