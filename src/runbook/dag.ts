import type { StepSpec } from "./schema.js";

/** Where in the file a problem is, for errors that point at the step. */
export interface DagProblem {
  stepIndex: number;
  field: "id" | "after";
  message: string;
}

/**
 * Checks the `after:` graph: ids unique, dependencies known, no cycles. Returns the problems,
 * each tied to a step so the loader can give its file position.
 */
export function checkDag(steps: readonly StepSpec[]): DagProblem[] {
  const problems: DagProblem[] = [];
  const index = new Map<string, number>();
  steps.forEach((s, i) => {
    if (index.has(s.id))
      problems.push({
        stepIndex: i,
        field: "id",
        message: `duplicate step id "${s.id}" (first at step ${(index.get(s.id) ?? 0) + 1})`,
      });
    else index.set(s.id, i);
  });
  steps.forEach((s, i) => {
    for (const dep of s.after) {
      if (!index.has(dep))
        problems.push({
          stepIndex: i,
          field: "after",
          message: `step "${s.id}" runs after "${dep}", which is not a step of this runbook`,
        });
      if (dep === s.id)
        problems.push({ stepIndex: i, field: "after", message: `step "${s.id}" cannot run after itself` });
    }
  });
  if (problems.length > 0) return problems;
  // Depth-first search for a cycle; report it on the step that closes it.
  const state = new Map<string, "visiting" | "done">();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    for (const dep of byId.get(id)?.after ?? []) {
      const cycle = visit(dep, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, "done");
    return undefined;
  };
  for (const s of steps) {
    const cycle = visit(s.id, []);
    if (cycle) {
      const closing = cycle[cycle.length - 2] ?? s.id;
      problems.push({
        stepIndex: index.get(closing) ?? 0,
        field: "after",
        message: `the steps form a cycle: ${cycle.join(" -> ")}`,
      });
      break;
    }
  }
  return problems;
}

/** Steps grouped into waves: each wave's steps depend only on earlier waves and can run in parallel. */
export function waves<S extends Pick<StepSpec, "id" | "after">>(steps: readonly S[]): S[][] {
  const done = new Set<string>();
  const left = [...steps];
  const out: S[][] = [];
  while (left.length > 0) {
    const ready = left.filter((s) => s.after.every((d) => done.has(d)));
    if (ready.length === 0) throw new Error("the runbook's steps form a cycle");
    out.push(ready);
    for (const s of ready) {
      done.add(s.id);
      left.splice(left.indexOf(s), 1);
    }
  }
  return out;
}

/** The chain of steps whose durations add up to the longest path through the graph. */
export function criticalPath(
  steps: readonly Pick<StepSpec, "id" | "after">[],
  durationMs: (id: string) => number,
): { path: string[]; totalMs: number } {
  const best = new Map<string, { totalMs: number; path: string[] }>();
  for (const wave of waves(steps)) {
    for (const s of wave) {
      const before = s.after
        .map((d) => best.get(d))
        .reduce<{ totalMs: number; path: string[] } | undefined>(
          (a, b) => (!a || (b && b.totalMs > a.totalMs) ? b : a),
          undefined,
        );
      best.set(s.id, {
        totalMs: (before?.totalMs ?? 0) + durationMs(s.id),
        path: [...(before?.path ?? []), s.id],
      });
    }
  }
  return [...best.values()].reduce((a, b) => (b.totalMs > a.totalMs ? b : a), { totalMs: 0, path: [] });
}

/** Every step `id` runs after, directly or through others. */
export function ancestors(steps: readonly StepSpec[], id: string): string[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const found = new Set<string>();
  const visit = (at: string) => {
    for (const dep of byId.get(at)?.after ?? []) {
      if (found.has(dep)) continue;
      found.add(dep);
      visit(dep);
    }
  };
  visit(id);
  return [...found];
}
