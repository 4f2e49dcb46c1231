/** The record of a drill (its DrillResult) from its state, and the outcome the command returns. */
import { DRILL_SCHEMA_VERSION, type DrillPhase, type DrillResult } from "../core/drill-result.js";
import { judgeDrill } from "../core/drill-verdict.js";
import { applySuppressions } from "../core/suppressions.js";
import type { ProbeSample } from "./probe.js";
import { drillFindings, interruptedRule } from "./rules.js";
import { emptyPhase, iso, MAX_SAMPLES, type DrillOutcome, type DrillState } from "./state.js";

/** What the fault acts on, in a few words ("abc-123 invert"). */
function faultOf(state: DrillState): DrillResult["fault"] {
  const { drill } = state;
  return {
    kind: drill.fault.kind,
    subject:
      Object.values(drill.fault.params)
        .filter((v) => typeof v === "string")
        .join(" ") || drill.fault.kind,
    reverted: state.reverted,
    injected: state.injected,
    ...(drill.fault.scope !== "primary"
      ? { scope: drill.fault.scope, reason: drill.fault.reason ?? "" }
      : {}),
  };
}

/** The answers counted by region and by ok or failed. */
function probeCounts(samples: readonly ProbeSample[]): Record<string, Record<string, number>> {
  const probes: Record<string, Record<string, number>> = {};
  for (const s of samples) {
    const by = (probes[s.region ?? "unknown"] ??= {});
    const key = s.ok ? "ok" : "failed";
    by[key] = (by[key] ?? 0) + 1;
  }
  return probes;
}

/** The record of a drill, from its state (drctl.yaml's suppressions applied to its findings). */
export function record(
  state: DrillState,
  outcome: DrillResult["outcome"],
  failover: DrillPhase,
  failback: DrillPhase | null,
  samples: ProbeSample[],
): DrillResult {
  const { drill } = state;
  const now = new Date();
  applySuppressions(state.findings, state.options.suppressions ?? [], now);
  return {
    version: DRILL_SCHEMA_VERSION,
    id: state.id,
    drill: drill.name,
    file: state.d.file,
    application: drill.application,
    generatedAt: now.toISOString(),
    startedAt: iso(state.startedAt),
    finishedAt: now.toISOString(),
    outcome,
    fault: faultOf(state),
    runbook: state.d.runbook?.file ?? null,
    failover,
    failback,
    probes: probeCounts(samples),
    timeline: [...state.timeline].sort((a, b) => a.at.localeCompare(b.at)),
    findings: state.findings,
    runs: state.runs,
    endpoints: drill.endpoints.map((e) => ({ name: e.name, url: e.url })),
    samples: samples.slice(0, MAX_SAMPLES),
    probe: {
      intervalSeconds: drill.probe.interval,
      consecutive: drill.probe.consecutive,
      resolver: state.options.resolver.description,
    },
    ...(state.options.force ? { forced: state.options.force } : {}),
    ...(state.unfinished.length ? { unfinished: state.unfinished } : {}),
  };
}

/** The exit code of a drill's record: judgeDrill's, the same that makes its headline. */
export const drillExit = (r: DrillResult): 0 | 1 | 3 => judgeDrill(r).exit;

/** The outcome of a drill from its record: its exit code always the one its headline says. */
export const outcomeOf = (result: DrillResult, final: boolean): DrillOutcome => ({
  result,
  final,
  exit: drillExit(result),
});

/** The figures of a phase nothing measured, with the drill's targets and why. */
export const notMeasured = (state: DrillState, why: string): DrillPhase =>
  emptyPhase(
    `not measured: ${why}`,
    state.drill.probe.interval,
    state.drill.targets.rto,
    state.drill.targets.rpo,
  );

/** The outcome of a drill that ends before its fault or without one, nothing measured. */
export function endedUnmeasured(
  state: DrillState,
  outcome: DrillResult["outcome"],
  why: string,
  samples: ProbeSample[],
): DrillOutcome {
  return outcomeOf(record(state, outcome, notMeasured(state, why), null, samples), true);
}

/**
 * The record of a resumed drill: interrupted, with what was measured before the crash (the
 * figures and probe answers it journaled) and a finding that says so.
 */
export function interruptedRecord(state: DrillState): DrillResult {
  state.findings.push(
    ...drillFindings(interruptedRule, {
      application: state.drill.application,
      drillId: state.id,
      resumed: true,
      reverted: state.reverted,
    }),
  );
  const failover =
    state.failover ?? notMeasured(state, "the drill was interrupted before the standby served");
  return record(state, "interrupted", failover, state.failback, state.journaledSamples);
}
