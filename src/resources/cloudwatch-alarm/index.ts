import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { CLOUDWATCH_ALARM_PERMISSIONS } from "./collect.js";
import { normalizeAlarm, type NormalizedAlarm } from "./normalize.js";
import type { Alarm } from "./pairing.js";
import { cloudwatchAlarmRules } from "./rules.js";

export const cloudwatchAlarmCollector: Collector<NormalizedAlarm, Alarm> = {
  type: "cloudwatch-alarm",
  collect: (side) => Promise.resolve(normalizeAlarm(side.anchor)),
};

export const cloudwatchAlarmModule: ResourceModule<NormalizedAlarm, Alarm> = {
  type: "cloudwatch-alarm",
  title: "CloudWatch alarm",
  permissions: CLOUDWATCH_ALARM_PERMISSIONS,
  rules: cloudwatchAlarmRules,
  twins: oneTwin(cloudwatchAlarmCollector),
};
