import type { Alarm } from "./pairing.js";

/** What the rules compare of an alarm: what it watches and when it fires, never its names or ARNs. */
export interface NormalizedAlarm {
  state: string;
  namespace: string | null;
  metricName: string | null;
  /** The names of its dimensions (their values name resources, which differ per region). */
  dimensionNames: { $set: string[] };
  /** Statistic or extended statistic (p99), or null for a metric-math or composite alarm. */
  statistic: string | null;
  threshold: number | null;
  comparisonOperator: string | null;
  period: number | null;
  evaluationPeriods: number | null;
  /** AWS's default when unset: every evaluation period must breach. */
  datapointsToAlarm: number | null;
  /** AWS's default when unset: missing. */
  treatMissingData: string;
  alarmActions: number;
  actionsEnabled: boolean;
}

export function normalizeAlarm(a: Alarm): NormalizedAlarm {
  const common = {
    state: a.alarm.StateValue ?? "",
    alarmActions: a.alarm.AlarmActions?.length ?? 0,
    actionsEnabled: a.alarm.ActionsEnabled ?? true,
  };
  if (a.composite)
    return {
      ...common,
      namespace: null,
      metricName: null,
      dimensionNames: { $set: [] },
      statistic: null,
      threshold: null,
      comparisonOperator: null,
      period: null,
      evaluationPeriods: null,
      datapointsToAlarm: null,
      treatMissingData: "missing",
    };
  const m = a.alarm;
  return {
    ...common,
    namespace: m.Namespace ?? null,
    metricName: m.MetricName ?? null,
    dimensionNames: { $set: (m.Dimensions ?? []).map((d) => d.Name ?? "").sort() },
    statistic: m.Statistic ?? m.ExtendedStatistic ?? null,
    threshold: m.Threshold ?? null,
    comparisonOperator: m.ComparisonOperator ?? null,
    period: m.Period ?? null,
    evaluationPeriods: m.EvaluationPeriods ?? null,
    datapointsToAlarm: m.DatapointsToAlarm ?? m.EvaluationPeriods ?? null,
    treatMissingData: m.TreatMissingData ?? "missing",
  };
}
