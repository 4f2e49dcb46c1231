/**
 * Whether DR was restored after a promotion: a database a runbook run promoted has no replica
 * until a later step creates one in another region, or a later freshness run finds one. Until
 * then the plan lists "DR not restored" as an open risk.
 */
import { parseArn } from "../aws/arn.js";
import type { FreshnessResult } from "../core/freshness-result.js";
import type { Journal, RunRecord, StepRecord } from "../runbook/journal.js";
import type { StepKinds } from "../runbook/kinds.js";

/** A database promoted by a run, and nothing recorded since replicates it into another region. */
export interface Unreplicated {
  instance: string;
  arn: string;
  region: string;
  /** Where its source was before the promotion (the other region), when the journal says. */
  otherRegion: string | null;
  runId: string;
  runbook: string;
  /** When the promotion finished. */
  at: string;
}

const regionOf = (arn: string) => {
  try {
    return arn.startsWith("arn:") ? parseArn(arn).region : null;
  } catch {
    return null;
  }
};
const idOf = (ref: string) => ref.split(":").at(-1) ?? ref;
/** A replica's source as a step names it: an ARN, or an identifier within the replica's region. */
const names = (source: string, db: Unreplicated) =>
  source === db.arn || (!source.startsWith("arn:") && source === db.instance);

/**
 * From the runs of an application, oldest first: the databases a succeeded promotion left with no
 * replica. A promotion ends the DR of the database it replicated (that one is no longer the
 * primary); a succeeded step that creates a read replica of a promoted database in another region
 * restores it. The kinds say which steps promote and which replicate (StepKind.replication).
 */
export function unreplicatedAfter(
  kinds: StepKinds,
  runs: readonly { run: RunRecord; steps: StepRecord[] }[],
): Unreplicated[] {
  const open = new Map<string, Unreplicated>();
  for (const { run, steps } of runs) {
    const done = steps
      .filter((s) => s.status === "succeeded" && s.finishedAt)
      .sort((a, b) => (a.finishedAt ?? "").localeCompare(b.finishedAt ?? ""));
    for (const s of done) {
      const arn = s.outputs.arn ?? "";
      const role = s.kind ? kinds.get(s.kind)?.replication : undefined;
      if (role === "promotes" && s.outputs.previousSource && arn) {
        const previous = s.outputs.previousSource;
        // What the promoted database replicated is no longer the primary: its DR is not the question.
        for (const [key, db] of open) if (names(previous, db)) open.delete(key);
        open.set(arn, {
          instance: typeof s.inputs?.instance === "string" ? s.inputs.instance : idOf(arn),
          arn,
          region: regionOf(arn) ?? "",
          otherRegion: regionOf(previous),
          runId: run.runId,
          runbook: run.runbook,
          at: s.finishedAt ?? run.startedAt,
        });
      }
      if (role === "replicates" && typeof s.inputs?.source === "string" && arn) {
        const source = s.inputs.source;
        for (const [key, db] of open) if (names(source, db) && regionOf(arn) !== db.region) open.delete(key);
      }
    }
  }
  return [...open.values()];
}

/** The newest runs of an application in the journal (at most `limit`), oldest first, with their steps. */
export async function promotionsOf(
  kinds: StepKinds,
  journal: Journal,
  application: string,
  limit = 20,
): Promise<Unreplicated[]> {
  const runs = (await journal.runs()).filter((r) => r.application === application).slice(0, limit);
  const withSteps = await Promise.all(
    runs.map(async (run) => ({ run, steps: await journal.steps(run.runId) })),
  );
  return unreplicatedAfter(kinds, withSteps.reverse());
}

/** Whether a freshness run made after the promotion found a replica of the database. */
export function replicaSince(
  db: Unreplicated,
  freshness: { result: FreshnessResult; at: string } | undefined,
) {
  if (!freshness || Date.parse(freshness.at) <= Date.parse(db.at)) return false;
  return freshness.result.stores.some((s) => s.primaryArn === db.arn && s.kind === "rds-read-replica");
}
