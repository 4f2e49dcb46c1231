/**
 * A plan's open risks: everything that would make the plan fail today, worst first, each with
 * the evidence it comes from or the command that would measure it.
 */
import type { Application } from "../config/applications.js";
import type { DrctlConfig } from "../config/schema.js";
import { severityRank, type Severity } from "../core/finding.js";
import { STATUS_SEVERITY } from "../core/freshness-result.js";
import type { Component, Contact, PlanResult, PostureRow, Risk } from "../core/plan-result.js";
import { aws as awsCommand } from "../runbook/manual.js";
import { formatDuration } from "../util/duration.js";
import type { PlanEvidence } from "./evidence.js";
import type { procedureOf } from "./procedures.js";
import type { Unreplicated } from "./replication.js";

/** Findings a plan lists as open risks: medium and worse (low and info stay in the scan's report). */
const IS_RISK = (s: Severity) => severityRank(s) >= severityRank("medium");

/** What the risks are read from: the plan's parts as buildPlan made them. */
export interface RiskInputs {
  config: DrctlConfig;
  application: Application;
  now: Date;
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
  ids: {
    scan: string | undefined;
    freshness: string | undefined;
    drill: string | undefined;
    unfinishedDrill: string | undefined;
  };
  drillCommand: string;
}

/** Seconds since `at`, at the plan's time. */
const ageOf = (x: RiskInputs) => (at: string) => (x.now.getTime() - Date.parse(at)) / 1000;

/** No scan or freshness run, or one older than plan.maxRunAge; no component at all. */
function evidenceRisks(x: RiskInputs): Risk[] {
  const { ev, ids, config } = x;
  const age = ageOf(x);
  const risks: Risk[] = [];
  if (!ev.scan)
    risks.push({
      key: "no-scan",
      severity: "high",
      message: "the standby's readiness was never scanned",
      command: "drctl scan",
    });
  else if (age(ev.scan.evidence.at) > config.plan.maxRunAge)
    risks.push({
      key: "stale-scan",
      severity: "medium",
      message: `the newest readiness scan is ${formatDuration(age(ev.scan.evidence.at))} old (plan.maxRunAge ${formatDuration(config.plan.maxRunAge)})`,
      ...(ids.scan ? { evidence: ids.scan } : {}),
      command: "drctl scan",
    });
  if (!ev.freshness)
    risks.push({
      key: "no-freshness",
      severity: "high",
      message: "how far behind the standby's data is was never measured",
      command: "drctl freshness",
    });
  else if (age(ev.freshness.evidence.at) > config.plan.maxRunAge)
    risks.push({
      key: "stale-freshness",
      severity: "medium",
      message: `the newest freshness run is ${formatDuration(age(ev.freshness.evidence.at))} old (plan.maxRunAge ${formatDuration(config.plan.maxRunAge)})`,
      ...(ids.freshness ? { evidence: ids.freshness } : {}),
      command: "drctl freshness",
    });
  if (x.components.length === 0)
    risks.push({
      key: "no-components",
      severity: "high",
      message: `no component belongs to ${x.application.name}: its tags and arns in drctl.yaml match nothing the stored scan, freshness run or runbooks name`,
      command: "drctl scan && drctl freshness (then check applications[].tags / arns)",
    });
  return risks;
}

/** Open findings of the scan and freshness, stores not ok, and what high availability lacks. */
function findingRisks(x: RiskInputs): Risk[] {
  const { ids } = x;
  const risks: Risk[] = [];
  for (const p of x.pairs)
    for (const f of p.findings)
      if (f.status !== "pass" && !f.suppressed && IS_RISK(f.severity))
        risks.push({
          key: `finding:${f.ruleId}:${p.name}:${f.path}`,
          severity: f.severity,
          message: `${p.name}: ${f.message}`,
          ...(ids.scan ? { evidence: ids.scan } : {}),
        });
  for (const s of x.stores)
    if (s.status !== "ok")
      risks.push({
        key: `store:${s.kind}:${s.primaryArn}`,
        severity: STATUS_SEVERITY[s.status],
        message: `${s.store} (${s.kind}) is ${s.status}: ${s.message}`,
        ...(ids.freshness ? { evidence: ids.freshness } : {}),
      });
  for (const f of x.posture)
    if (IS_RISK(f.severity))
      risks.push({
        key: `finding:${f.ruleId}:${f.subject}`,
        severity: f.severity,
        message: `${f.subject}: ${f.message}`,
        ...(ids.freshness ? { evidence: ids.freshness } : {}),
      });
  for (const row of x.availability)
    if (!row.ok)
      risks.push({
        key: `availability:${row.what}:${row.region}:${row.name}`,
        severity: "medium",
        message: `${row.what} ${row.name} in ${row.region}: ${row.value}`,
        evidence: "live",
      });
  return risks;
}

/** Databases a run promoted that nothing has replicated since, with the command that would. */
function drNotRestoredRisks(x: RiskInputs): Risk[] {
  return x.unreplicated.map((db) => {
    const other = db.otherRegion ?? (x.standby !== db.region ? x.standby : "");
    const looked = x.ev.freshness && Date.parse(x.ev.freshness.evidence.at) > Date.parse(db.at);
    return {
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
    };
  });
}

/** A runbook missing or not loading, and each step that would not run today. */
function procedureRisks(x: RiskInputs): Risk[] {
  const risks: Risk[] = [];
  for (const [direction, proc] of [
    ["failover", x.failover],
    ["failback", x.failback],
  ] as const) {
    if (
      proc.procedure.missing &&
      !proc.procedure.automatic &&
      (direction === "failover" || proc.procedure.runbook)
    )
      risks.push({
        key: `${direction}-runbook`,
        severity: "high",
        message: `${direction}: ${proc.procedure.missing}`,
      });
    for (const p of proc.problems)
      risks.push({
        key: `step:${direction}:${p.step}`,
        severity: "high",
        message: `the ${direction} step ${p.step} would not run today: ${p.problem}`,
        evidence: "live",
        ...(proc.procedure.runbook
          ? { command: `drctl ${direction} plan --runbook ${proc.procedure.runbook}` }
          : {}),
      });
  }
  return risks;
}

/** What the last drill missed: its age, its RTO and RPO against their targets, lost writes, its outcome. */
function lastDrillRisks(x: RiskInputs, r: NonNullable<PlanEvidence["drill"]>["result"]): Risk[] {
  const { config, application: app, ids } = x;
  const age = ageOf(x);
  const drill = ids.drill ? { evidence: ids.drill } : {};
  const risks: Risk[] = [];
  if (age(r.startedAt) > config.plan.maxDrillAge)
    risks.push({
      key: "stale-drill",
      severity: "medium",
      message: `the last drill is ${formatDuration(age(r.startedAt))} old (plan.maxDrillAge ${formatDuration(config.plan.maxDrillAge)})`,
      ...drill,
      command: x.drillCommand,
    });
  const targetOf = (kind: "rto" | "rpo") => (kind === "rto" ? app.rto : (app.rpo ?? config.rpo));
  for (const kind of ["rto", "rpo"] as const) {
    const t = r.failover[kind];
    const target = targetOf(kind);
    const missed =
      t.met === false || (target !== undefined && t.measuredSeconds !== null && t.measuredSeconds > target);
    if (missed)
      risks.push({
        key: `missed:${kind}`,
        severity: "high",
        message: `the last drill missed the ${kind.toUpperCase()}: ${t.atLeast ? "at least " : ""}${t.measuredSeconds === null ? "not measured" : formatDuration(t.measuredSeconds)} against ${target === undefined ? "no target" : formatDuration(target)}`,
        ...drill,
      });
  }
  if (r.failover.lostWrites > 0)
    risks.push({
      key: "lost-writes",
      severity: "critical",
      message: `the last drill lost ${r.failover.lostWrites} acknowledged writes`,
      ...drill,
    });
  if (r.outcome !== "completed")
    risks.push({
      key: "drill-outcome",
      severity: "medium",
      message: `the last drill did not complete: ${r.outcome}`,
      ...drill,
    });
  return risks;
}

/** No drill, what the last one missed, a newer one that did not finish, no RTO target. */
function drillRisks(x: RiskInputs): Risk[] {
  const { ev, ids, application: app } = x;
  const risks: Risk[] = [];
  if (!ev.drill)
    risks.push({
      key: "no-drill",
      severity: "medium",
      message:
        app.drills.length > 0
          ? "no drill has measured the RTO and RPO as clients see them"
          : "no drill has measured the RTO and RPO as clients see them, and none is named under applications[].drills",
      command: x.drillCommand,
    });
  else risks.push(...lastDrillRisks(x, ev.drill.result));
  const unfinished = ev.unfinishedDrill;
  if (unfinished)
    risks.push({
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
    risks.push({
      key: "no-rto",
      severity: "medium",
      message: `${app.name} has no RTO target: set applications[].rto in drctl.yaml`,
    });
  return risks;
}

/** No one to call, or someone with no way to be reached. */
function contactRisks(x: RiskInputs): Risk[] {
  const risks: Risk[] = [];
  if (x.contacts.length === 0)
    risks.push({
      key: "no-contacts",
      severity: "medium",
      message: "no one to call: add applications[].contacts",
    });
  for (const c of x.contacts)
    if (c.reach.length === 0)
      risks.push({
        key: `contact:${c.name}`,
        severity: "medium",
        message: `${c.name} has no way to be reached (email, phone, chat or pager)`,
      });
  return risks;
}

/** Everything that would make the plan fail today, worst first, each with its evidence or command. */
export function openRisks(x: RiskInputs): Risk[] {
  return [
    ...evidenceRisks(x),
    ...findingRisks(x),
    ...drNotRestoredRisks(x),
    ...procedureRisks(x),
    ...drillRisks(x),
    ...contactRisks(x),
  ].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.key.localeCompare(b.key));
}
