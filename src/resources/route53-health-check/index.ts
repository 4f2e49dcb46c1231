import { oneTwin, type ResourceModule } from "../module.js";
import type { Collector } from "../side.js";
import { HEALTH_CHECK_PERMISSIONS } from "./collect.js";
import { normalizeHealthCheck, type NormalizedHealthCheck } from "./normalize.js";
import type { DescribedHealthCheck } from "./pairing.js";
import { healthCheckRules } from "./rules.js";

/** Reads nothing: a health check is compared as its listing describes it (no regional client). */
export const healthCheckCollector: Collector<NormalizedHealthCheck, DescribedHealthCheck> = {
  type: "route53-health-check",
  collect: (side) => Promise.resolve(normalizeHealthCheck(side.anchor)),
};

export const healthCheckModule: ResourceModule<NormalizedHealthCheck, DescribedHealthCheck> = {
  type: "route53-health-check",
  title: "Route 53 health check",
  permissions: HEALTH_CHECK_PERMISSIONS,
  rules: healthCheckRules,
  twins: oneTwin(healthCheckCollector),
};
