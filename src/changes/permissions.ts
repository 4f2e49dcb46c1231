import { CLOUDTRAIL_PERMISSIONS } from "./cloudtrail.js";
import { CONFIG_AGGREGATOR_PERMISSIONS, CONFIG_PERMISSIONS } from "./config.js";

/** What reading the change signals calls: CloudTrail's event history, and AWS Config (a recorder or an aggregator). */
export const CHANGE_SIGNAL_PERMISSIONS = [
  ...CLOUDTRAIL_PERMISSIONS,
  ...CONFIG_PERMISSIONS,
  ...CONFIG_AGGREGATOR_PERMISSIONS,
];
