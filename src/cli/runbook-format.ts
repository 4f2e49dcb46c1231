/** How the runbook commands print a plan, its verdict and exit code, the list of runs, what to do next. */
import { EXIT } from "../errors.js";
import { planProblems, type PlannedStep } from "../runbook/engine.js";
import type { LockRecord, RunRecord } from "../runbook/journal.js";
import { printable } from "../util/printable.js";

export function formatPlan(steps: PlannedStep[]): string {
  return steps
    .map((s) => {
      const after = s.after.length ? ` (after ${s.after.join(", ")})` : "";
      const p = s.plan;
      const body =
        "error" in p
          ? s.readableAfter
            ? `not readable until ${s.readableAfter.join(", ")} ran (${p.error})`
            : p.notFound
              ? `would fail: ${p.error}`
              : `cannot read the current state: ${p.error}`
          : p.refused
            ? `${p.current}\n      would be refused: ${p.refused}`
            : p.fails
              ? `${p.current}\n      would fail: ${p.fails}`
              : p.changes
                ? `${p.current}\n      -> ${p.target}`
                : `${p.current} (already so; nothing to do)`;
      return printable(`  ${s.id} [${s.kind} in ${s.region}]${after}\n      ${body}`);
    })
    .join("\n");
}

/** The plan's exit code: 3 when a state could not be read, 1 when the run would refuse or fail a step. */
export function planExit(steps: PlannedStep[]): number {
  const problems = planProblems(steps);
  if (problems.some((p) => p.kind === "unreadable")) return EXIT.couldNotFinish;
  return problems.length > 0 ? EXIT.findings : EXIT.ok;
}

export function planVerdict(steps: PlannedStep[]): string {
  const problems = planProblems(steps).filter((p) => p.kind !== "unreadable");
  return problems.length
    ? `\nthe run would stop at: ${problems.map((p) => `${p.id} (${p.kind === "refused" ? "refused" : "would fail"})`).join(", ")}`
    : "";
}

export function formatList(runs: RunRecord[], lockOf: (r: RunRecord) => LockRecord | undefined): string {
  if (runs.length === 0) return "no runs in the journal";
  const rows = runs.map((r) => {
    const l = lockOf(r);
    const lock = !l
      ? "-"
      : l.owner
        ? `pid ${l.owner.pid} on ${l.owner.host}, ${l.leaseUntil !== null && l.leaseUntil > Date.now() ? `lease until ${new Date(l.leaseUntil).toISOString()}` : "lease ended (no process runs it)"}`
        : `${l.holder || "unknown holder"}, no lease`;
    return [r.runId, r.application, r.status, r.startedAt, lock].map((c) => printable(c));
  });
  const head = ["RUN", "APPLICATION", "STATUS", "STARTED", "LOCK"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [head, ...rows]
    .map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join("  "))
    .join("\n");
}

/** What a person does next with a run that did not succeed. */
export function nextSteps(run: RunRecord): string[] {
  if (run.status === "succeeded") return [];
  return [
    `resume with: drctl runbook resume ${run.runId} --execute`,
    ...(run.status === "waiting" ? [] : [`or undo what it changed: drctl failback plan --from ${run.runId}`]),
  ];
}
