import { diffSets, differ, show } from "../../core/compare.js";
import type { Rule } from "../../core/rule.js";
import type { NormalizedAlarm } from "./normalize.js";

type AlarmRule = Rule<NormalizedAlarm>;

const base = { resourceType: "cloudwatch-alarm" } as const;

/** A rule that compares one field of both alarms and says both values in words. */
function field<K extends keyof NormalizedAlarm>(
  key: K,
  what: string,
  meta: Omit<AlarmRule, "check" | "resourceType">,
): AlarmRule {
  return {
    ...base,
    ...meta,
    check: (p, s) =>
      differ(key, p[key], s[key], `the standby's ${what} is ${show(s[key])}, the primary's ${show(p[key])}`),
  };
}

export const cloudwatchAlarmRules: AlarmRule[] = [
  {
    ...base,
    id: "cloudwatch-alarm.standby-insufficient-data",
    severity: "medium",
    title: "Standby alarm has insufficient data",
    compares: "the standby alarm's state (StateValue), which should not be INSUFFICIENT_DATA",
    rationale:
      "An alarm without data cannot go into ALARM: the failover or failback that depends on it never fires, often because its metric or dimensions name nothing that exists in the standby region.",
    remediation:
      "Check that the standby alarm's metric and dimensions name a resource that reports in its region (aws cloudwatch describe-alarms --alarm-names NAME shows the state reason).",
    check: (_p, s) =>
      s.state === "INSUFFICIENT_DATA"
        ? [
            {
              path: "state",
              primary: null,
              secondary: s.state,
              message: "the standby alarm is in INSUFFICIENT_DATA: its metric reports no data",
            },
          ]
        : [],
  },
  {
    ...base,
    id: "cloudwatch-alarm.metric",
    severity: "high",
    title: "Metric watched",
    compares: "the namespace and metric name each alarm watches",
    rationale: "An alarm on another metric fires on another condition than the primary's, or never.",
    remediation:
      "Point the standby alarm at the primary's namespace and metric (aws cloudwatch put-metric-alarm with --namespace and --metric-name).",
    check: (p, s) => [
      ...differ(
        "namespace",
        p.namespace,
        s.namespace,
        `the standby alarm watches namespace ${show(s.namespace)}, the primary's ${show(p.namespace)}`,
      ),
      ...differ(
        "metricName",
        p.metricName,
        s.metricName,
        `the standby alarm watches metric ${show(s.metricName)}, the primary's ${show(p.metricName)}`,
      ),
    ],
  },
  {
    ...base,
    id: "cloudwatch-alarm.dimensions",
    severity: "medium",
    title: "Metric dimension names",
    compares:
      "the names of the metric's dimensions (LoadBalancer, TargetGroup, ...), not their values: values name resources, which differ per region",
    rationale: "A dimension missing or extra watches another aggregate of the metric than the primary does.",
    remediation: "Give the standby alarm the primary's dimensions, each with the standby region's resource.",
    check: (p, s) =>
      diffSets((d) => `dimensions.${d}`, p.dimensionNames.$set, s.dimensionNames.$set, "dimension"),
  },
  field("statistic", "statistic", {
    id: "cloudwatch-alarm.statistic",
    severity: "medium",
    title: "Statistic",
    compares: "the statistic (Sum, Average, Maximum, ...) or extended statistic (p99) of each alarm",
    rationale:
      "A Sum and an Average over the same metric cross the same threshold at very different moments.",
    remediation: "Set the primary's statistic on the standby alarm (put-metric-alarm --statistic).",
  }),
  field("threshold", "threshold", {
    id: "cloudwatch-alarm.threshold",
    severity: "medium",
    title: "Threshold",
    compares: "the threshold each alarm compares its metric with",
    rationale: "Another threshold fires the standby's alarm earlier or later than the primary's.",
    remediation: "Set the primary's threshold on the standby alarm (put-metric-alarm --threshold).",
  }),
  field("comparisonOperator", "comparison operator", {
    id: "cloudwatch-alarm.comparison-operator",
    severity: "high",
    title: "Comparison operator",
    compares: "the ComparisonOperator (GreaterThanThreshold, LessThanThreshold, ...)",
    rationale:
      "An operator the other way round fires when the service is fine and stays quiet when it is not.",
    remediation: "Set the primary's operator on the standby alarm (put-metric-alarm --comparison-operator).",
  }),
  field("period", "period", {
    id: "cloudwatch-alarm.period",
    severity: "medium",
    title: "Period",
    compares: "the period in seconds over which each alarm's statistic is computed",
    rationale: "Another period changes both what the threshold means and how soon the alarm fires.",
    remediation: "Set the primary's period on the standby alarm (put-metric-alarm --period).",
  }),
  field("evaluationPeriods", "number of evaluation periods", {
    id: "cloudwatch-alarm.evaluation-periods",
    severity: "medium",
    title: "Evaluation periods",
    compares: "EvaluationPeriods: how many recent periods each alarm looks at",
    rationale: "More evaluation periods make the standby's alarm slower to fire than the primary's.",
    remediation: "Set the primary's value on the standby alarm (put-metric-alarm --evaluation-periods).",
  }),
  field("datapointsToAlarm", "datapoints to alarm", {
    id: "cloudwatch-alarm.datapoints-to-alarm",
    severity: "medium",
    title: "Datapoints to alarm",
    compares: "DatapointsToAlarm (when unset, AWS uses the number of evaluation periods)",
    rationale: "How many breaching datapoints fire the alarm decides how fast and how noisily it fires.",
    remediation: "Set the primary's value on the standby alarm (put-metric-alarm --datapoints-to-alarm).",
  }),
  field("treatMissingData", "treatment of missing data", {
    id: "cloudwatch-alarm.treat-missing-data",
    severity: "medium",
    title: "Treatment of missing data",
    compares: "TreatMissingData (missing when unset, notBreaching, breaching, ignore)",
    rationale:
      "A standby that treats missing data as not breaching stays OK when its metric stops, where the primary would alarm.",
    remediation: "Set the primary's value on the standby alarm (put-metric-alarm --treat-missing-data).",
  }),
  {
    ...base,
    id: "cloudwatch-alarm.alarm-actions",
    severity: "high",
    title: "Alarm actions",
    compares:
      "how many actions each alarm starts on ALARM (their ARNs are regional, so only counted), and whether its actions are enabled",
    rationale:
      "A standby alarm without actions, or with actions disabled, fires and nobody or nothing acts on it.",
    remediation:
      "Add the standby region's topic or action to the standby alarm (put-metric-alarm --alarm-actions), and enable its actions (aws cloudwatch enable-alarm-actions).",
    check: (p, s) => [
      ...differ(
        "alarmActions",
        p.alarmActions,
        s.alarmActions,
        `the standby alarm has ${s.alarmActions} alarm actions, the primary's ${p.alarmActions}`,
      ),
      ...differ(
        "actionsEnabled",
        p.actionsEnabled,
        s.actionsEnabled,
        `the standby alarm's actions are ${s.actionsEnabled ? "enabled" : "disabled"}, the primary's ${p.actionsEnabled ? "enabled" : "disabled"}`,
      ),
    ],
  },
];
