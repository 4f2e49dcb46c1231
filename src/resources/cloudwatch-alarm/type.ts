/** The CloudWatch alarm as a readiness type: the alarms a failover or failback depends on. */
import type { ResourceType } from "../module.js";
import { cloudwatchAlarmModule } from "./index.js";
import { cloudwatchAlarmPairing, type Alarm } from "./pairing.js";

export const cloudwatchAlarmType = {
  pairing: cloudwatchAlarmPairing,
  modules: [cloudwatchAlarmModule],
  // An alarm's state (INSUFFICIENT_DATA) changes with its metric, not through an API call.
  readsState: true,
} as unknown as ResourceType<Alarm>;
