/**
 * An application's DR plan from facts: the newest stored scan, freshness run and drill, the
 * newest run of its failover runbook, the runbooks' dry runs and a live reading of high
 * availability. Nothing is estimated: what no run measured is "not measured" with the command
 * that would measure it.
 */
import type { AwsClients } from "../aws/client-factory.js";
import { primaryRegions, type DrctlConfig } from "../config/schema.js";
import type { DrillResult } from "../core/drill-result.js";
import { severityRank, type Severity } from "../core/finding.js";
import { STATUS_SEVERITY } from "../core/freshness-result.js";
import { taggedResources } from "../pairs/tagged.js";
import type { Journal } from "../runbook/journal.js";
import type { StepKinds } from "../runbook/kinds.js";
import { loadRunbook } from "../runbook/load.js";
import type { HistoryStore } from "../history/types.js";
import { formatDuration } from "../util/duration.js";
import { readAvailability } from "./availability.js";
import { loadEvidence, type PlanEvidence } from "./evidence.js";
import { belongsTo, type Application } from "../config/applications.js";
import {
  PLAN_SCHEMA_VERSION,
  type Component,
  type Contact,
  type DataStoreRow,
  type Evidence,
  type Fact,
  type PlanResult,
  type PostureRow,
  type Risk,
} from "../core/plan-result.js";
import { fromHere, procedureOf } from "./procedures.js";
import { promotionsOf, replicaSince, type Unreplicated } from "./replication.js";
import { aws as awsCommand } from "../runbook/manual.js";
import { resolve } from "node:path";

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

const LIVE: Evidence["id"] = "live";
/** Findings a plan lists as open risks: medium and worse (low and info stay in the scan's report). */
const IS_RISK = (s: Severity) => severityRank(s) >= severityRank("medium");

/** The Auto Scaling groups the runbooks' steps act on (as their kinds say), with the region each is in. */
function groupsOf(
  kinds: StepKinds,
  files: (string | undefined)[],
  configDir: string,
  set: Record<string, string | number | boolean>,
): { name: string; region: string }[] {
  const out: { name: string; region: string }[] = [];
  for (const file of files) {
    if (!file) continue;
    try {
      const { runbook } = loadRunbook(kinds, resolve(configDir, file), set);
      for (const step of runbook.steps) {
        const region = step.region ?? runbook.region;
        let v = kinds.get(step.kind)?.autoScalingGroup?.(step.params);
        if (typeof v === "string") {
          const ref = /^\$\{config\.([A-Za-z0-9_.-]+)\}$/.exec(v)?.[1];
          if (ref !== undefined) v = runbook.config[ref];
        }
        if (typeof v === "string" && !v.includes("${")) out.push({ name: v, region });
      }
    } catch {
      // procedureOf says why the file does not load.
    }
  }
  return out;
}

export async function buildPlan(aws: AwsClients, options: PlanOptions): Promise<PlanResult> {
  const { config, application: app, now } = options;
  const primary = primaryRegions(config);
  const unread: string[] = [];
  const failoverFile = app.runbooks?.failover;
  const set = app.runbooks?.set ?? {};
  let failoverName: string | undefined;
  try {
    if (failoverFile)
      failoverName = loadRunbook(options.kinds, resolve(options.configDir, failoverFile), set).runbook.name;
  } catch {
    // Said in the failover section and under open risks.
  }
  const ev: PlanEvidence = await loadEvidence(options.store, app.name, options.journal, failoverName);
  // Unset in drctl.yaml: the region the newest freshness run found the copies in ("" when none).
  const standby = config.regions.standby ?? ev.freshness?.result.standbyRegions?.[0]?.region ?? "";
  const evidence: Evidence[] = [];
  const cite = (e: Evidence | undefined) => {
    if (e && !evidence.some((x) => x.id === e.id)) evidence.push(e);
    return e?.id;
  };

  // Tags of every resource in the regions, when the application is named by tags.
  const tags = new Map<string, Record<string, string>>();
  if (app.tags && Object.keys(app.tags).length > 0)
    for (const region of [...new Set([...primary, standby])].filter(Boolean))
      try {
        for (const r of await taggedResources(aws, region)) tags.set(r.arn, r.tags);
      } catch (err) {
        unread.push(`tags of ${region}: ${err instanceof Error ? err.message : String(err)}`);
      }
  const mine = (arn: string | null | undefined) => !!arn && belongsTo(app, arn, tags.get(arn));

  // Components: load balancer pairs and their records from the scan, data stores from freshness.
  const components: Component[] = [];
  const scanId = cite(ev.scan?.evidence);
  const pairs = (ev.scan?.result.pairs ?? []).filter((p) => mine(p.primaryArn) || mine(p.secondaryArn));
  for (const p of pairs) {
    const open = p.findings.filter((f) => f.status !== "pass" && !f.suppressed && f.severity !== "info");
    components.push({
      tier: "load balancing",
      name: p.name,
      kind: "load balancer pair",
      primaryArn: p.primaryArn,
      standbyArn: p.secondaryArn,
      status: { value: p.status, ...(scanId ? { evidence: scanId } : {}) },
      detail: open.length === 0 ? "no open findings" : `${open.length} open findings`,
    });
    for (const t of (p.twins ?? []).filter((x) => x.type === "route53"))
      components.push({
        tier: "traffic",
        name: t.primary.name,
        kind: "Route 53 record",
        primaryArn: t.primary.id,
        standbyArn: t.standby.id,
        status: { value: p.status, ...(scanId ? { evidence: scanId } : {}) },
        detail: `points at ${p.name} (standby record ${t.standby.name})`,
      });
  }
  const groups = groupsOf(options.kinds, [failoverFile, app.runbooks?.failback], options.configDir, set);
  for (const name of [...new Set(groups.map((g) => g.name))]) {
    const regions = groups.filter((g) => g.name === name).map((g) => g.region);
    components.push({
      tier: "compute",
      name,
      kind: "Auto Scaling group",
      primaryArn: `${name} (${primary.filter((r) => regions.includes(r)).join(", ") || primary.join(", ")})`,
      standbyArn: standby && regions.includes(standby) ? `${name} (${standby})` : null,
      status: { value: "named by the runbook", evidence: LIVE },
      detail: `acted on by the runbook in ${[...new Set(regions)].join(", ")}`,
    });
  }
  const freshId = cite(ev.freshness?.evidence);
  const stores = (ev.freshness?.result.stores ?? []).filter(
    (s) => s.application === app.name || mine(s.primaryArn),
  );
  for (const s of stores)
    components.push({
      tier: "data",
      name: s.store,
      kind: s.kind,
      primaryArn: s.primaryArn,
      standbyArn: s.standbyArn,
      status: { value: s.status, ...(freshId ? { evidence: freshId } : {}) },
      detail: s.message,
    });

  const dataStores: DataStoreRow[] = stores.map((s) => ({
    store: s.store,
    kind: s.kind,
    primaryArn: s.primaryArn,
    standbyArn: s.standbyArn,
    status: s.status,
    exposure: {
      value: s.exposureSeconds,
      ...(freshId ? { evidence: freshId } : {}),
      ...(s.exposureAtLeast ? { atLeast: true } : {}),
      ...(s.resolutionSeconds ? { resolutionSeconds: s.resolutionSeconds } : {}),
    },
    rpoSeconds: s.rpoSeconds,
    measuredBy: s.measuredBy,
    message: s.message,
    evidence: freshId ?? "",
  }));
  const storeArns = new Set(stores.map((s) => s.primaryArn));
  const posture: PostureRow[] = (ev.freshness?.result.findings ?? [])
    .filter(
      (f) => f.status !== "pass" && !f.suppressed && (storeArns.has(f.primaryArn) || mine(f.primaryArn)),
    )
    .map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      subject: f.pair,
      message: f.message,
      remediation: f.remediation,
      evidence: freshId ?? "",
    }));

  // High availability, read now.
  const ha = await readAvailability(aws, {
    loadBalancers: pairs.flatMap((p) => [p.primaryArn, ...(p.secondaryArn ? [p.secondaryArn] : [])]),
    groups: groups.flatMap((g) => [g, ...primary.map((r) => ({ name: g.name, region: r }))]),
    databases: stores
      .filter((s) => s.primaryArn.includes(":rds:") && s.primaryArn.includes(":db:"))
      .flatMap((s) => [s.primaryArn, ...(s.standbyArn?.includes(":db:") ? [s.standbyArn] : [])]),
  });
  unread.push(...ha.unread);
  cite({
    id: LIVE,
    kind: "live",
    at: now.toISOString(),
    what: "read by this plan from the account: high availability, the runbooks' dry runs",
  });

  // The drill: what clients saw.
  const drill = ev.drill;
  const drillId = cite(drill?.evidence);
  const drillCommand =
    app.drills.length > 0
      ? `drctl drill run ${fromHere(options.configDir, app.drills[0] ?? "")} --execute`
      : "drctl drill run DRILL.yaml --execute";
  const measured = {
    rto: drillFact(drill?.result.failover.rto, drillId, drillCommand),
    rpo: drillFact(drill?.result.failover.rpo, drillId, drillCommand),
    lostWrites: drill
      ? { value: drill.result.failover.lostWrites, ...(drillId ? { evidence: drillId } : {}) }
      : { value: null, command: drillCommand },
  };

  // Procedures.
  const runId = cite(ev.failoverRun?.evidence);
  const lastRun = ev.failoverRun?.result;
  const failover = await procedureOf(aws, {
    kinds: options.kinds,
    file: failoverFile,
    configDir: options.configDir,
    set,
    direction: "failover",
    durations: {
      ...(drill && drillId ? { drill: { phase: drill.result.failover, evidence: drillId } } : {}),
      ...(lastRun && runId
        ? {
            run: {
              steps: lastRun.steps,
              evidence: runId,
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
  if (!failoverFile && drill && drill.result.runbook === null && standbyServed(drill.result))
    failover.procedure.automatic = `it fails over by itself: the drill "${drill.result.drill}" ran with no runbook, its fault ${drill.result.fault.kind} on ${drill.result.fault.subject}, and the standby served`;
  const failback = await procedureOf(aws, {
    kinds: options.kinds,
    file: app.runbooks?.failback,
    configDir: options.configDir,
    set,
    direction: "failback",
    durations:
      drill?.result.failback && drillId ? { drill: { phase: drill.result.failback, evidence: drillId } } : {},
    // A failback is measured by a drill (which fails back) or by running it.
    measureCommand:
      app.drills.length > 0 || !app.runbooks?.failback
        ? drillCommand
        : `drctl failback run --runbook ${fromHere(options.configDir, app.runbooks.failback)} --execute`,
  });
  if (!app.runbooks?.failback && lastRun)
    failback.procedure.commands = [
      `drctl failback plan --from ${lastRun.run.runId}`,
      `drctl failback run --from ${lastRun.run.runId} --execute`,
    ];
  unread.push(...failover.unread, ...failback.unread);

  const contacts: Contact[] = app.contacts.map((c) => ({
    name: c.name,
    role: c.role ?? null,
    reach: [
      ...(c.email ? [`email ${c.email}`] : []),
      ...(c.phone ? [`phone ${c.phone}`] : []),
      ...(c.chat ? [`chat ${c.chat}`] : []),
      ...(c.pager ? [`pager ${c.pager}`] : []),
    ],
  }));

  const validation = {
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
            `drctl failover plan --runbook ${fromHere(options.configDir, failoverFile)}   (what a failover would do now)`,
          ]
        : []),
      ...app.drills.map((d) => `drctl drill plan ${fromHere(options.configDir, d)}`),
    ],
  };

  // Databases a run promoted that nothing has replicated since: DR not restored.
  let unreplicated: Unreplicated[] = [];
  try {
    const fresh = ev.freshness && { result: ev.freshness.result, at: ev.freshness.evidence.at };
    if (options.journal)
      unreplicated = (await promotionsOf(options.kinds, options.journal, app.name)).filter(
        (db) => !replicaSince(db, fresh),
      );
  } catch (err) {
    unread.push(`the runbook journal: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const db of unreplicated)
    cite({ id: db.runId, kind: "runbook", at: db.at, what: `run of the runbook "${db.runbook}"` });

  const risks = openRisks({
    options,
    ev,
    unreplicated,
    standby,
    pairs,
    stores,
    posture,
    components,
    availability: ha.rows,
    contacts,
    failover,
    failback,
    measured,
    ids: {
      scan: scanId,
      freshness: freshId,
      drill: drillId,
      unfinishedDrill: cite(ev.unfinishedDrill?.evidence),
    },
    drillCommand,
  });

  return {
    version: PLAN_SCHEMA_VERSION,
    application: app.name,
    generatedAt: now.toISOString(),
    owner: app.owner ?? null,
    strategy: config.strategy,
    regions: { primary, standby: standby || "not known" },
    targets: { rtoSeconds: app.rto ?? null, rpoSeconds: app.rpo ?? config.rpo },
    measured,
    components,
    dataStores,
    posture,
    availability: ha.rows,
    failover: failover.procedure,
    failback: failback.procedure,
    validation,
    contacts,
    risks,
    evidence: evidence.sort((a, b) => a.kind.localeCompare(b.kind)),
    unread,
  };
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

/** Everything that would make the plan fail today, worst first, each with its evidence or command. */
function openRisks(x: {
  options: PlanOptions;
  ev: PlanEvidence;
  unreplicated: Unreplicated[];
  standby: string;
  pairs: NonNullable<PlanEvidence["scan"]>["result"]["pairs"];
  stores: NonNullable<PlanEvidence["freshness"]>["result"]["stores"];
  posture: PostureRow[];
  components: Component[];
  availability: PlanResult["availability"];
  contacts: Contact[];
  failover: Awaited<ReturnType<typeof procedureOf>>;
  failback: Awaited<ReturnType<typeof procedureOf>>;
  measured: PlanResult["measured"];
  ids: {
    scan: string | undefined;
    freshness: string | undefined;
    drill: string | undefined;
    unfinishedDrill: string | undefined;
  };
  drillCommand: string;
}): Risk[] {
  const { options, ev, ids } = x;
  const { config, application: app, now } = options;
  const risks: Risk[] = [];
  const add = (r: Risk) => risks.push(r);
  const age = (at: string) => (now.getTime() - Date.parse(at)) / 1000;

  if (!ev.scan)
    add({
      key: "no-scan",
      severity: "high",
      message: "the standby's readiness was never scanned",
      command: "drctl scan",
    });
  else if (age(ev.scan.evidence.at) > config.plan.maxRunAge)
    add({
      key: "stale-scan",
      severity: "medium",
      message: `the newest readiness scan is ${formatDuration(age(ev.scan.evidence.at))} old (plan.maxRunAge ${formatDuration(config.plan.maxRunAge)})`,
      ...(ids.scan ? { evidence: ids.scan } : {}),
      command: "drctl scan",
    });
  if (!ev.freshness)
    add({
      key: "no-freshness",
      severity: "high",
      message: "how far behind the standby's data is was never measured",
      command: "drctl freshness",
    });
  else if (age(ev.freshness.evidence.at) > config.plan.maxRunAge)
    add({
      key: "stale-freshness",
      severity: "medium",
      message: `the newest freshness run is ${formatDuration(age(ev.freshness.evidence.at))} old (plan.maxRunAge ${formatDuration(config.plan.maxRunAge)})`,
      ...(ids.freshness ? { evidence: ids.freshness } : {}),
      command: "drctl freshness",
    });
  if (x.components.length === 0)
    add({
      key: "no-components",
      severity: "high",
      message: `no component belongs to ${app.name}: its tags and arns in drctl.yaml match nothing the stored scan, freshness run or runbooks name`,
      command: "drctl scan && drctl freshness (then check applications[].tags / arns)",
    });

  for (const p of x.pairs)
    for (const f of p.findings)
      if (f.status !== "pass" && !f.suppressed && IS_RISK(f.severity))
        add({
          key: `finding:${f.ruleId}:${p.name}:${f.path}`,
          severity: f.severity,
          message: `${p.name}: ${f.message}`,
          ...(ids.scan ? { evidence: ids.scan } : {}),
        });
  for (const s of x.stores)
    if (s.status !== "ok")
      add({
        key: `store:${s.kind}:${s.primaryArn}`,
        severity: STATUS_SEVERITY[s.status],
        message: `${s.store} (${s.kind}) is ${s.status}: ${s.message}`,
        ...(ids.freshness ? { evidence: ids.freshness } : {}),
      });
  for (const f of x.posture)
    if (IS_RISK(f.severity))
      add({
        key: `finding:${f.ruleId}:${f.subject}`,
        severity: f.severity,
        message: `${f.subject}: ${f.message}`,
        ...(ids.freshness ? { evidence: ids.freshness } : {}),
      });
  for (const row of x.availability)
    if (!row.ok)
      add({
        key: `availability:${row.what}:${row.region}:${row.name}`,
        severity: "medium",
        message: `${row.what} ${row.name} in ${row.region}: ${row.value}`,
        evidence: "live",
      });

  for (const db of x.unreplicated) {
    const other = db.otherRegion ?? (x.standby !== db.region ? x.standby : "");
    const looked = ev.freshness && Date.parse(ev.freshness.evidence.at) > Date.parse(db.at);
    add({
      key: `dr-not-restored:${db.arn}`,
      severity: "high",
      message: `DR not restored: ${db.instance} in ${db.region} was promoted by run ${db.runId} ("${db.runbook}") and no replica of it in another region has been made since${looked ? ", nor did the newest freshness run find one" : ""}`,
      evidence: db.runId,
      ...(other
        ? {
            command: awsCommand("rds", "create-db-instance-read-replica", other, {
              "db-instance-identifier": `${db.instance}-replica`,
              "source-db-instance-identifier": db.arn,
            }),
          }
        : {}),
    });
  }

  for (const [direction, proc] of [
    ["failover", x.failover],
    ["failback", x.failback],
  ] as const) {
    if (
      proc.procedure.missing &&
      !proc.procedure.automatic &&
      (direction === "failover" || proc.procedure.runbook)
    )
      add({
        key: `${direction}-runbook`,
        severity: "high",
        message: `${direction}: ${proc.procedure.missing}`,
      });
    for (const p of proc.problems)
      add({
        key: `step:${direction}:${p.step}`,
        severity: "high",
        message: `the ${direction} step ${p.step} would not run today: ${p.problem}`,
        evidence: "live",
        ...(proc.procedure.runbook
          ? { command: `drctl ${direction} plan --runbook ${proc.procedure.runbook}` }
          : {}),
      });
  }

  const drill = ev.drill;
  if (!drill)
    add({
      key: "no-drill",
      severity: "medium",
      message:
        app.drills.length > 0
          ? "no drill has measured the RTO and RPO as clients see them"
          : "no drill has measured the RTO and RPO as clients see them, and none is named under applications[].drills",
      command: x.drillCommand,
    });
  else {
    const r = drill.result;
    if (age(r.startedAt) > config.plan.maxDrillAge)
      add({
        key: "stale-drill",
        severity: "medium",
        message: `the last drill is ${formatDuration(age(r.startedAt))} old (plan.maxDrillAge ${formatDuration(config.plan.maxDrillAge)})`,
        ...(ids.drill ? { evidence: ids.drill } : {}),
        command: x.drillCommand,
      });
    const targetOf = (kind: "rto" | "rpo") => (kind === "rto" ? app.rto : (app.rpo ?? config.rpo));
    for (const kind of ["rto", "rpo"] as const) {
      const t = r.failover[kind];
      const target = targetOf(kind);
      const missed =
        t.met === false || (target !== undefined && t.measuredSeconds !== null && t.measuredSeconds > target);
      if (missed)
        add({
          key: `missed:${kind}`,
          severity: "high",
          message: `the last drill missed the ${kind.toUpperCase()}: ${t.atLeast ? "at least " : ""}${t.measuredSeconds === null ? "not measured" : formatDuration(t.measuredSeconds)} against ${target === undefined ? "no target" : formatDuration(target)}`,
          ...(ids.drill ? { evidence: ids.drill } : {}),
        });
    }
    if (r.failover.lostWrites > 0)
      add({
        key: "lost-writes",
        severity: "critical",
        message: `the last drill lost ${r.failover.lostWrites} acknowledged writes`,
        ...(ids.drill ? { evidence: ids.drill } : {}),
      });
    if (r.outcome !== "completed")
      add({
        key: "drill-outcome",
        severity: "medium",
        message: `the last drill did not complete: ${r.outcome}`,
        ...(ids.drill ? { evidence: ids.drill } : {}),
      });
  }
  const unfinished = ev.unfinishedDrill;
  if (unfinished)
    add({
      key: "drill-unfinished",
      severity: "medium",
      message: `${
        unfinished.result.outcome === "completed"
          ? `the newest drill measured no RTO (${unfinished.result.failover.rto.note ?? "not measured"})`
          : `the newest drill did not complete (${unfinished.result.outcome}${unfinished.result.unfinished?.length ? `: ${unfinished.result.unfinished.join("; ")}` : ""})`
      }${ev.drill ? "; the figures above are from an earlier drill" : ""}`,
      ...(ids.unfinishedDrill ? { evidence: ids.unfinishedDrill } : {}),
      command: x.drillCommand,
    });
  if (app.rto === undefined)
    add({
      key: "no-rto",
      severity: "medium",
      message: `${app.name} has no RTO target: set applications[].rto in drctl.yaml`,
    });

  if (x.contacts.length === 0)
    add({ key: "no-contacts", severity: "medium", message: "no one to call: add applications[].contacts" });
  for (const c of x.contacts)
    if (c.reach.length === 0)
      add({
        key: `contact:${c.name}`,
        severity: "medium",
        message: `${c.name} has no way to be reached (email, phone, chat or pager)`,
      });
  return risks.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.key.localeCompare(b.key),
  );
}
