/**
 * A run goes on with a runbook edited since it began (a typo fixed in a step it has not reached)
 * when every step that acted is as it was: compared step by step, by the fingerprints the journal
 * keeps. A step acted once its intent was journaled (its calls may have been made) or it
 * succeeded; a step that failed or stopped before its intent changed nothing, so it may be fixed.
 */
import { InputError } from "../errors.js";
import type { RunRecord, StepRecord } from "./journal.js";
import type { LoadedRunbook } from "./load.js";

/** The id of the approval gate a run may start at (engine.ts's START_GATE), which is in no runbook. */
export const START_GATE = "approve-start";

/** Whether a step of a run acted on the world (or may have): its intent is journaled, or it succeeded. */
export function acted(step: StepRecord, format: number): boolean {
  if (step.intent !== null || step.status === "succeeded" || step.status === "in-doubt") return true;
  // Journals of format 1 have no intents: any attempt may have acted.
  return format < 2 && step.attempts > 0;
}

const sameValues = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

const quoted = (ids: string[]) => ids.map((id) => `"${id}"`).join(", ");

/**
 * Compares `loaded` with the runbook run `run` began with: undefined when it is the same text;
 * otherwise what changed, for the run's events, or an InputError naming what may not change
 * (a step that acted, the steps themselves, the application, the --set values).
 */
export function runbookEdit(
  loaded: LoadedRunbook,
  run: RunRecord,
  records: StepRecord[],
): string | undefined {
  if (loaded.hash === run.hash) return undefined;
  const { file, runbook } = loaded;
  const shas = `sha256 ${run.hash.slice(0, 12)} then, ${loaded.hash.slice(0, 12)} now`;
  const refuse = (why: string) =>
    new InputError(
      `the runbook ${file} changed since run ${run.runId} began (${shas}): ${why}. Restore it as it was, or start a new run`,
    );
  if (runbook.application !== run.application)
    throw refuse(`it is for application "${runbook.application}", the run for "${run.application}"`);
  if (!sameValues(loaded.set, run.set)) throw refuse("its --set values are not those the run began with");
  const steps = records.filter((r) => r.stepId !== START_GATE);
  const inRun = new Set(steps.map((r) => r.stepId));
  const missing = steps
    .map((r) => r.stepId)
    .filter((id) => !(loaded.fingerprints && id in loaded.fingerprints));
  const added = runbook.steps.map((s) => s.id).filter((id) => !inRun.has(id));
  if (missing.length || added.length)
    throw refuse(
      `a run's steps cannot be added, removed or renamed (${[
        missing.length ? `in the run, not in the runbook: ${quoted(missing)}` : "",
        added.length ? `in the runbook, not in the run: ${quoted(added)}` : "",
      ]
        .filter(Boolean)
        .join("; ")})`,
    );
  const now = loaded.fingerprints ?? {};
  const didAct = steps.filter((r) => acted(r, run.format));
  const unknown = didAct.filter((r) => r.fingerprint === undefined).map((r) => r.stepId);
  if (unknown.length)
    throw refuse(
      `this run's journal (of an older drctl) does not record its steps one by one, and ${quoted(unknown)} acted`,
    );
  const changed = didAct.filter((r) => r.fingerprint !== now[r.stepId]).map((r) => r.stepId);
  if (changed.length)
    throw refuse(
      `step ${quoted(changed)} changed, and ${changed.length > 1 ? "they have" : "it has"} already acted (what ${changed.length > 1 ? "they" : "it"} did is journaled from the text as it was)`,
    );
  const edited = steps
    .filter((r) => !acted(r, run.format) && r.fingerprint !== now[r.stepId])
    .map((r) => r.stepId);
  return `the runbook ${file} changed since the run began (${shas}): ${
    edited.length
      ? `step ${quoted(edited)} edited, none of which had acted`
      : "no step changed (only text around them)"
  }; the steps that acted are unchanged${didAct.length ? ` (${didAct.map((r) => r.stepId).join(", ")})` : ""}`;
}
