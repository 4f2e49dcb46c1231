import { ops } from "../../aws/services.js";

/**
 * What reading health checks calls: the account's health checks listed once per run with their
 * tags (the tagging API does not return them). Everything compared is in that listing, so a
 * pair costs no call of its own.
 */
export const HEALTH_CHECK_PERMISSIONS = ops("Route53", "ListHealthChecks", "ListTagsForResources");
