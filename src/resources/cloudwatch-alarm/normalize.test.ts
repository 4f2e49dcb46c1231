import { describe, expect, it } from "vitest";
import { normalizeAlarm } from "./normalize.js";

describe("normalizeAlarm", () => {
  it("keeps dimension names and drops their values, which name regional resources", () => {
    const n = normalizeAlarm({
      composite: false,
      alarm: {
        Dimensions: [
          { Name: "TargetGroup", Value: "targetgroup/api-use1/1" },
          { Name: "LoadBalancer", Value: "app/api-use1/2" },
        ],
      },
    });
    expect(n.dimensionNames).toEqual({ $set: ["LoadBalancer", "TargetGroup"] });
  });

  it("fills in what AWS does when a setting is unset: every evaluation period breaching, missing data as missing", () => {
    const n = normalizeAlarm({ composite: false, alarm: { EvaluationPeriods: 3 } });
    expect([n.datapointsToAlarm, n.treatMissingData, n.actionsEnabled]).toEqual([3, "missing", true]);
  });

  it("takes an extended statistic (p99) where there is no statistic", () => {
    expect(normalizeAlarm({ composite: false, alarm: { ExtendedStatistic: "p99" } }).statistic).toBe("p99");
  });

  it("compares a composite alarm by its state and actions only", () => {
    const n = normalizeAlarm({
      composite: true,
      alarm: { StateValue: "ALARM", AlarmActions: ["arn:aws:sns:us-east-1:123456789012:t"] },
    });
    expect([n.state, n.alarmActions, n.metricName, n.threshold]).toEqual(["ALARM", 1, null, null]);
  });
});
