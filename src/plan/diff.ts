/** What changed between two plans of one application: components, stores, targets, steps, risks, contacts. */
import { formatDuration } from "../util/duration.js";
import type { Fact, PlanResult, Procedure } from "../core/plan-result.js";

export interface PlanChange {
  what: "component" | "store" | "target" | "measured" | "step" | "risk" | "contact";
  change: "added" | "removed" | "changed";
  subject: string;
  from?: string;
  to?: string;
}

export interface PlanDiff {
  application: string;
  from: string | null;
  to: string;
  changes: PlanChange[];
}

function keyed<T>(items: T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map((i) => [key(i), i]));
}

function compare<T>(
  changes: PlanChange[],
  what: PlanChange["what"],
  before: Map<string, T>,
  after: Map<string, T>,
  subject: (t: T) => string,
  state?: (t: T) => string,
): void {
  for (const [k, t] of after) {
    const was = before.get(k);
    if (!was)
      changes.push({ what, change: "added", subject: subject(t), ...(state ? { to: state(t) } : {}) });
    else if (state && state(was) !== state(t))
      changes.push({ what, change: "changed", subject: subject(t), from: state(was), to: state(t) });
  }
  for (const [k, t] of before)
    if (!after.has(k))
      changes.push({ what, change: "removed", subject: subject(t), ...(state ? { from: state(t) } : {}) });
}

const figure = (f: Fact<number>) =>
  f.value === null ? "not measured" : `${f.atLeast ? "at least " : ""}${formatDuration(f.value)}`;
const target = (s: number | null) => (s === null ? "none" : formatDuration(s));

function steps(changes: PlanChange[], direction: string, a: Procedure, b: Procedure): void {
  compare(
    changes,
    "step",
    keyed(a.steps, (s) => s.id),
    keyed(b.steps, (s) => s.id),
    (s) => `${direction} step ${s.id}`,
    (s) => `${s.kind} in ${s.region}`,
  );
}

export function diffPlans(
  before: { id: string; result: PlanResult } | undefined,
  after: { id: string; result: PlanResult },
): PlanDiff {
  const a = before?.result;
  const b = after.result;
  const changes: PlanChange[] = [];
  if (a) {
    compare(
      changes,
      "component",
      keyed(a.components, (c) => `${c.tier}|${c.primaryArn}`),
      keyed(b.components, (c) => `${c.tier}|${c.primaryArn}`),
      (c) => `${c.tier} ${c.name} (${c.kind})`,
      (c) => c.status.value ?? "not measured",
    );
    compare(
      changes,
      "store",
      keyed(a.dataStores, (s) => `${s.kind}|${s.primaryArn}`),
      keyed(b.dataStores, (s) => `${s.kind}|${s.primaryArn}`),
      (s) => `${s.store} (${s.kind})`,
      (s) => s.status,
    );
    for (const k of ["rtoSeconds", "rpoSeconds"] as const)
      if (a.targets[k] !== b.targets[k])
        changes.push({
          what: "target",
          change: "changed",
          subject: k === "rtoSeconds" ? "RTO target" : "RPO target",
          from: target(a.targets[k]),
          to: target(b.targets[k]),
        });
    for (const k of ["rto", "rpo"] as const)
      if (figure(a.measured[k]) !== figure(b.measured[k]))
        changes.push({
          what: "measured",
          change: "changed",
          subject: `measured ${k.toUpperCase()}`,
          from: figure(a.measured[k]),
          to: figure(b.measured[k]),
        });
    steps(changes, "failover", a.failover, b.failover);
    steps(changes, "failback", a.failback, b.failback);
    compare(
      changes,
      "risk",
      keyed(a.risks, (r) => r.key),
      keyed(b.risks, (r) => r.key),
      (r) => `${r.severity} ${r.message}`,
    );
    compare(
      changes,
      "contact",
      keyed(a.contacts, (c) => c.name),
      keyed(b.contacts, (c) => c.name),
      (c) => c.name,
      (c) => c.reach.join("; ") || "no way to reach",
    );
  }
  return { application: b.application, from: before?.id ?? null, to: after.id, changes };
}

export function formatPlanDiff(d: PlanDiff): string {
  if (d.from === null) return `${d.application}: first stored plan (${d.to}); nothing to compare with\n`;
  if (d.changes.length === 0) return `${d.application}: nothing changed since ${d.from}\n`;
  const lines = d.changes.map((c) => {
    const sign = c.change === "added" ? "+" : c.change === "removed" ? "-" : "~";
    const state =
      c.change === "changed"
        ? `: ${c.from ?? ""} -> ${c.to ?? ""}`
        : c.to
          ? ` (${c.to})`
          : c.from
            ? ` (${c.from})`
            : "";
    return `  ${sign} ${c.what.padEnd(9)} ${c.subject}${state}`;
  });
  return `${d.application}: ${d.changes.length} changes since ${d.from}\n${lines.join("\n")}\n`;
}
