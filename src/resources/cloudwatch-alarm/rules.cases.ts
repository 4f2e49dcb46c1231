import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedAlarm } from "./normalize.js";

const alarm = (over: Partial<NormalizedAlarm> = {}): NormalizedAlarm => ({
  state: "OK",
  namespace: "AWS/ApplicationELB",
  metricName: "HTTPCode_ELB_5XX_Count",
  dimensionNames: { $set: ["LoadBalancer"] },
  statistic: "Sum",
  threshold: 5,
  comparisonOperator: "GreaterThanThreshold",
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: "notBreaching",
  alarmActions: 1,
  actionsEnabled: true,
  ...over,
});

export const cases: RuleCases<NormalizedAlarm> = {
  "cloudwatch-alarm.standby-insufficient-data": {
    pass: [alarm({ state: "INSUFFICIENT_DATA" }), alarm({ state: "ALARM" })],
    fail: [alarm(), alarm({ state: "INSUFFICIENT_DATA" })],
    paths: ["state"],
  },
  "cloudwatch-alarm.metric": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ namespace: "AWS/ELB", metricName: "HTTPCode_Backend_5XX" })],
    paths: ["namespace", "metricName"],
  },
  "cloudwatch-alarm.dimensions": {
    pass: [
      alarm({ dimensionNames: { $set: ["LoadBalancer", "TargetGroup"] } }),
      alarm({ dimensionNames: { $set: ["TargetGroup", "LoadBalancer"] } }),
    ],
    fail: [
      alarm({ dimensionNames: { $set: ["LoadBalancer", "TargetGroup"] } }),
      alarm({ dimensionNames: { $set: ["LoadBalancer", "AvailabilityZone"] } }),
    ],
    paths: ["dimensions.TargetGroup", "dimensions.AvailabilityZone"],
  },
  "cloudwatch-alarm.statistic": {
    pass: [alarm({ statistic: "p99" }), alarm({ statistic: "p99" })],
    fail: [alarm(), alarm({ statistic: "Average" })],
    paths: ["statistic"],
  },
  "cloudwatch-alarm.threshold": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ threshold: 50 })],
    paths: ["threshold"],
  },
  "cloudwatch-alarm.comparison-operator": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ comparisonOperator: "LessThanThreshold" })],
    paths: ["comparisonOperator"],
  },
  "cloudwatch-alarm.period": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ period: 300 })],
    paths: ["period"],
  },
  "cloudwatch-alarm.evaluation-periods": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ evaluationPeriods: 5 })],
    paths: ["evaluationPeriods"],
  },
  "cloudwatch-alarm.datapoints-to-alarm": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ datapointsToAlarm: 3 })],
    paths: ["datapointsToAlarm"],
  },
  "cloudwatch-alarm.treat-missing-data": {
    pass: [alarm(), alarm()],
    fail: [alarm(), alarm({ treatMissingData: "missing" })],
    paths: ["treatMissingData"],
  },
  "cloudwatch-alarm.alarm-actions": {
    pass: [alarm({ alarmActions: 2 }), alarm({ alarmActions: 2 })],
    fail: [alarm(), alarm({ alarmActions: 0, actionsEnabled: false })],
    paths: ["alarmActions", "actionsEnabled"],
  },
};
