/** The Route 53 health check as a readiness type: the checks that decide when DNS fails over. */
import type { ResourceType } from "../module.js";
import { healthCheckModule } from "./index.js";
import { healthCheckPairing, type DescribedHealthCheck } from "./pairing.js";

export const route53HealthCheckType = {
  pairing: healthCheckPairing,
  modules: [healthCheckModule],
} as unknown as ResourceType<DescribedHealthCheck>;
