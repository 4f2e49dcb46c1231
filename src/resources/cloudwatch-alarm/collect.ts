import { ops } from "../../aws/services.js";
import { TAGGED_PERMISSIONS } from "../../pairs/tagged.js";

/**
 * What reading a pair of alarms calls: the tagging API's region-wide listing (shared by every
 * type it returns) for the tagged primaries, and the batched DescribeAlarms of the pairing.
 * Everything compared is in the description, so a pair costs no call of its own.
 */
export const CLOUDWATCH_ALARM_PERMISSIONS = [...TAGGED_PERMISSIONS, ...ops("CloudWatch", "DescribeAlarms")];
