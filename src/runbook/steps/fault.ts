/**
 * What every fault kind shares. A fault is a runbook step kind like any other (read, plan, apply,
 * settle, reconcile, an inverse that restores what it found), used by drills (`drctl drill`):
 * its apply() records when the fault took effect, which the drill measures from, and its outputs
 * keep the state it found, from which its inverse puts that state back.
 */

/** apply()'s record of the fault's start: the moment its mutating call was sent. */
export const injected = (at = new Date()) => ({ injectedAt: at.toISOString() });

/** Every fault kind outputs when it took effect (from the journaled apply, across resumes). */
export const INJECTED_AT = "injectedAt";

/** The injectedAt output from what apply() journaled (empty when a person counted it as done). */
export const injectedAtOf = (applied: Record<string, string>): Record<string, string> =>
  applied.injectedAt ? { injectedAt: applied.injectedAt } : {};
