/**
 * The plan as a document: sections of headings, paragraphs, tables, lists and code, built once
 * from the PlanResult and rendered to Markdown and HTML by ./render-markdown.ts and
 * ./render-html.ts, so both say exactly the same.
 */
import { formatDuration, formatMeasured } from "../util/duration.js";
import type { Evidence, Fact, PlanResult, Procedure } from "../core/plan-result.js";

export type Inline =
  { t: "text"; v: string } | { t: "code"; v: string } | { t: "strong"; v: string } | { t: "em"; v: string };
export type Cell = Inline[];
export type Block =
  | { b: "h1" | "h2" | "h3"; v: string; id?: string }
  | { b: "p"; v: Inline[] }
  | { b: "table"; head: string[]; rows: Cell[][] }
  | { b: "list"; items: Inline[][] }
  | { b: "code"; lines: string[] };

const text = (v: string): Inline => ({ t: "text", v });
const code = (v: string): Inline => ({ t: "code", v });
const strong = (v: string): Inline => ({ t: "strong", v });
const em = (v: string): Inline => ({ t: "em", v });

/** "2026-12-01 11:51 UTC" */
export function day(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`;
}

/** How a figure or status is written, with the evidence it cites (a run, or this plan's own reading). */
class Facts {
  private readonly byId: Map<string, Evidence>;

  constructor(private readonly plan: PlanResult) {
    this.byId = new Map(plan.evidence.map((e) => [e.id, e]));
  }

  /** "(scan 20261201T..., 2026-12-01 11:51 UTC)" */
  source(id: string | undefined): Inline[] {
    if (!id) return [];
    const e: Evidence | undefined = this.byId.get(id);
    if (id === "live") return [text(` (read by this plan, ${day(this.plan.generatedAt)})`)];
    return e
      ? [text(` (${e.kind} `), code(e.id), text(`, ${day(e.at)})`)]
      : [text(" ("), code(id), text(")")];
  }

  seconds(f: Fact<number>, unit: (n: number) => string = formatDuration): Inline[] {
    if (f.value === null)
      return [em("not measured"), ...(f.command ? [text(": run "), code(f.command)] : [])];
    if (f.resolutionSeconds && unit === formatDuration) {
      // A measured figure: never written finer than its resolution.
      const m = formatMeasured(f.value, f.resolutionSeconds);
      return [text(`${f.atLeast ? "at least " : ""}${m.value} (± ${m.within})`), ...this.source(f.evidence)];
    }
    const res = f.resolutionSeconds ? ` (± ${formatDuration(f.resolutionSeconds)})` : "";
    return [text(`${f.atLeast ? "at least " : ""}${unit(f.value)}${res}`), ...this.source(f.evidence)];
  }

  count(f: Fact<number>): Inline[] {
    return this.seconds(f, (n) => String(n));
  }
}

const target = (s: number | null) => (s === null ? "none set" : formatDuration(s));

/** The title, how the plan was made, and the summary: owner, strategy, regions, targets, figures, risks. */
function summarySection(plan: PlanResult, f: Facts, planId: string): Block[] {
  const out: Block[] = [];
  out.push({ b: "h1", v: `Disaster-recovery plan: ${plan.application}` });
  out.push({
    b: "p",
    v: [
      text(`Generated ${day(plan.generatedAt)} by drctl as plan `),
      code(planId),
      text(
        ", from stored runs and what it read from the account. Every figure and status names the run it comes from (see Evidence); what no run measured says so, with the command that would measure it.",
      ),
    ],
  });

  out.push({ b: "h2", v: "Summary", id: "summary" });
  const risksBy = (s: string) => plan.risks.filter((r) => r.severity === s).length;
  out.push({
    b: "table",
    head: ["", ""],
    rows: [
      [[strong("Owner")], [text(plan.owner ?? "not named (applications[].owner)")]],
      [[strong("Strategy")], [text(plan.strategy)]],
      [
        [strong("Regions")],
        [text(`${plan.regions.primary.join(", ")} (primary), ${plan.regions.standby} (standby)`)],
      ],
      [[strong("RTO target")], [text(target(plan.targets.rtoSeconds))]],
      [[strong("RTO measured")], f.seconds(plan.measured.rto)],
      [[strong("RPO target")], [text(target(plan.targets.rpoSeconds))]],
      [[strong("RPO measured")], f.seconds(plan.measured.rpo)],
      [[strong("Writes lost in the last drill")], f.count(plan.measured.lostWrites)],
      [
        [strong("Open risks")],
        [
          text(
            plan.risks.length === 0
              ? "none"
              : `${plan.risks.length}: ${["critical", "high", "medium", "low"].map((s) => `${risksBy(s)} ${s}`).join(", ")}`,
          ),
        ],
      ],
    ],
  });
  return out;
}

/** The critical components, tier by tier. */
function componentsSection(plan: PlanResult, f: Facts): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Critical components", id: "components" });
  if (plan.components.length === 0)
    out.push({ b: "p", v: [em("No component found for this application (see Open risks).")] });
  for (const tier of ["traffic", "load balancing", "compute", "data"] as const) {
    const rows = plan.components.filter((c) => c.tier === tier);
    if (rows.length === 0) continue;
    out.push({ b: "h3", v: tier[0]?.toUpperCase() + tier.slice(1) });
    out.push({
      b: "table",
      head: ["Component", "Kind", "Primary", "Standby", "Status", "Detail"],
      rows: rows.map((c) => [
        [text(c.name)],
        [text(c.kind)],
        [code(c.primaryArn)],
        c.standbyArn ? [code(c.standbyArn)] : [em("none")],
        c.status.value === null
          ? [em("not measured")]
          : [strong(c.status.value), ...f.source(c.status.evidence)],
        [text(c.detail)],
      ]),
    });
  }
  return out;
}

/** Data protection: each store's exposure against its RPO, and its posture findings. */
function dataSection(plan: PlanResult, f: Facts): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Data protection", id: "data" });
  if (plan.dataStores.length === 0)
    out.push({
      b: "p",
      v: [
        em("Not measured: "),
        text("no freshness run names a store of this application; run "),
        code("drctl freshness"),
      ],
    });
  else
    out.push({
      b: "table",
      head: ["Store", "Kind", "Exposure", "Target", "Status", "Measured by"],
      rows: plan.dataStores.map((s) => [
        [text(s.store)],
        [text(s.kind)],
        s.exposure.value === null ? [em("unknown")] : f.seconds(s.exposure),
        [text(formatDuration(s.rpoSeconds))],
        [strong(s.status)],
        [text(s.measuredBy)],
      ]),
    });
  if (plan.posture.length > 0) {
    out.push({ b: "h3", v: "Backups, retention and encryption" });
    out.push({
      b: "list",
      items: plan.posture.map((row) => [
        strong(row.severity),
        text(" "),
        code(row.ruleId),
        text(` ${row.subject}: ${row.message}. Fix: ${row.remediation}`),
        ...f.source(row.evidence),
      ]),
    });
  }
  return out;
}

/** High availability, as this plan read it. */
function availabilitySection(plan: PlanResult): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "High availability", id: "availability" });
  if (plan.availability.length === 0)
    out.push({
      b: "p",
      v: [
        em("Nothing to read: no load balancer, Auto Scaling group or database of this application is known."),
      ],
    });
  else
    out.push({
      b: "table",
      head: ["What", "Name", "Region", "State", "As wanted"],
      rows: plan.availability.map((r) => [
        [text(r.what)],
        [text(r.name)],
        [text(r.region)],
        [text(r.value)],
        [text(r.ok ? "yes" : "no")],
      ]),
    });
  if (plan.availability.length > 0)
    out.push({ b: "p", v: [em(`Read by this plan, ${day(plan.generatedAt)}.`)] });
  return out;
}

/** A failover or failback: its runbook, commands, steps, approval points, and each step by hand. */
function procedureSection(title: string, id: string, p: Procedure, f: Facts): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: title, id });
  if (p.automatic) {
    out.push({ b: "p", v: [strong("No runbook: "), text(p.automatic), text(" (RTO above).")] });
    return out;
  }
  if (p.missing) {
    out.push({ b: "p", v: [strong("Missing: "), text(p.missing)] });
    if (p.commands.length > 0) out.push({ b: "code", lines: p.commands });
    return out;
  }
  out.push({
    b: "p",
    v: [
      text("Runbook "),
      code(p.runbook ?? ""),
      ...(p.duration.value === null
        ? [
            text(` (${p.name ?? ""}); its steps have not been timed`),
            ...(p.duration.command ? [text(": run "), code(p.duration.command)] : []),
          ]
        : [text(` (${p.name ?? ""}); measured, its steps took `), ...f.seconds(p.duration)]),
    ],
  });
  out.push({ b: "code", lines: p.commands });
  out.push({
    b: "table",
    head: ["#", "Step", "Region", "What it does", "Would change today", "Took"],
    rows: p.steps.map((s, i) => [
      [text(String(i + 1))],
      [code(s.id), ...(s.approval ? [strong(" (approval)")] : [])],
      [text(s.region)],
      [text(s.does)],
      [
        ...(s.changes.value === null ? [em("not read")] : [text(s.changes.value)]),
        ...(s.problem ? [strong(` REFUSED: ${s.problem}`)] : []),
      ],
      // The command to measure it is said once, for the whole runbook, above.
      s.duration.value === null ? [em("not measured")] : f.seconds(s.duration),
    ]),
  });
  const approvals = p.steps.filter((s) => s.approval);
  if (approvals.length > 0)
    out.push({
      b: "p",
      v: [
        strong("Approval points: "),
        text(approvals.map((s) => s.id).join(", ")),
        text(" (a person approves with "),
        code("drctl runbook approve RUN STEP"),
        text(")."),
      ],
    });
  out.push({ b: "h3", v: `${title} by hand` });
  out.push({
    b: "p",
    v: [text("Should drctl not be at hand, each step with the AWS CLI, in the same order:")],
  });
  for (const s of p.steps) {
    out.push({ b: "p", v: [code(s.id), text(` (${s.region})`)] });
    out.push({ b: "code", lines: s.manual });
  }
  return out;
}

/** How the standby is validated: the checks, the readiness of each pair, the commands. */
function validationSection(plan: PlanResult, f: Facts): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Validating the standby", id: "validation" });
  out.push({
    b: "list",
    items: [
      ...plan.validation.checks.map((c) => [text(c)]),
      ...plan.components
        .filter((c) => c.kind.endsWith(" pair"))
        .map((c) => [
          text(`readiness of ${c.name}: `),
          strong(c.status.value ?? "not measured"),
          ...f.source(c.status.evidence),
        ]),
    ],
  });
  out.push({ b: "code", lines: plan.validation.commands });
  return out;
}

/** Who to call. */
function contactsSection(plan: PlanResult): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Contacts", id: "contacts" });
  if (plan.contacts.length === 0) out.push({ b: "p", v: [em("No one named (applications[].contacts).")] });
  else
    out.push({
      b: "table",
      head: ["Name", "Role", "How to reach"],
      rows: plan.contacts.map((c) => [
        [text(c.name)],
        [text(c.role ?? "")],
        c.reach.length ? [text(c.reach.join("; "))] : [strong("no way to reach them")],
      ]),
    });
  return out;
}

/** The open risks, and what the plan could not read. */
function risksSection(plan: PlanResult, f: Facts): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Open risks", id: "risks" });
  if (plan.risks.length === 0) out.push({ b: "p", v: [text("None.")] });
  else
    out.push({
      b: "list",
      items: plan.risks.map((r) => [
        strong(r.severity.toUpperCase()),
        text(` ${r.message}`),
        ...f.source(r.evidence),
        ...(r.command ? [text(". To measure or fix: "), code(r.command)] : []),
      ]),
    });
  if (plan.unread.length > 0) {
    out.push({ b: "h3", v: "Not read" });
    out.push({ b: "list", items: plan.unread.map((u) => [text(u)]) });
  }
  return out;
}

/** Every run the plan cites. */
function evidenceSection(plan: PlanResult, planId: string): Block[] {
  const out: Block[] = [];
  out.push({ b: "h2", v: "Evidence", id: "evidence" });
  out.push({
    b: "table",
    head: ["Run", "Kind", "When", "What"],
    rows: [
      ...plan.evidence.map((e) => [
        [code(e.id === "live" ? planId : e.id)],
        [text(e.id === "live" ? "this plan's reading" : e.kind)],
        [text(day(e.at))],
        [text(e.what)],
      ]),
    ],
  });
  return out;
}

export function planDocument(plan: PlanResult, planId: string): Block[] {
  const f = new Facts(plan);
  return [
    ...summarySection(plan, f, planId),
    ...componentsSection(plan, f),
    ...dataSection(plan, f),
    ...availabilitySection(plan),
    ...procedureSection("Failover", "failover", plan.failover, f),
    ...validationSection(plan, f),
    ...procedureSection("Failback", "failback", plan.failback, f),
    ...contactsSection(plan),
    ...risksSection(plan, f),
    ...evidenceSection(plan, planId),
  ];
}
