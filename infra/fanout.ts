import { parseDocument } from "yaml";
import { scanFanOut, type FanOut } from "../src/aws/fan-out.js";
import { DEFAULT_RATE_LIMITS, FALLBACK_RATE_LIMIT, type RateLimit } from "../src/aws/rate-limits.js";
import { RESOURCE_MODULES } from "../src/catalog.js";
import type { DrctlConfig } from "../src/config/schema.js";

/** The service that sets the scan's pace: load balancer pairs make nearly all their calls to ELBv2. */
export const BINDING_SERVICE = "ELBv2";

/** The services a batch reads (what the readiness types declare), each with the rate that applies to it. */
export function batchRateLimits(config: DrctlConfig): Record<string, RateLimit> {
  const configured = config.rateLimits === "off" ? {} : (config.rateLimits ?? {});
  const services = [...new Set(RESOURCE_MODULES.flatMap((m) => m.permissions).map((op) => op.service))];
  return Object.fromEntries(
    services.sort().map((s) => [s, configured[s] ?? DEFAULT_RATE_LIMITS[s] ?? FALLBACK_RATE_LIMIT] as const),
  );
}

/**
 * The Distributed Map's fan-out, and the configuration the batch function runs with: drctl.yaml
 * with each service's rate replaced by one batch's share, so that the batches running at once in
 * one account and region together stay within AWS's rate. `rateLimits: off` stays off (an
 * emulator); the fan-out is then still the one AWS's rates allow.
 */
export function batchFanOut(
  config: DrctlConfig,
  configText: string,
): FanOut & { binding: string; configText: string } {
  const fan = scanFanOut({
    limits: batchRateLimits(config),
    binding: BINDING_SERVICE,
    concurrency: config.scan.concurrency,
  });
  if (config.rateLimits === "off") return { ...fan, binding: BINDING_SERVICE, configText };
  const doc = parseDocument(configText);
  // One line a service: the configuration counts against Lambda's 4 KB of environment.
  for (const [service, share] of Object.entries(fan.perBatch))
    doc.setIn(["rateLimits", service], doc.createNode(share, { flow: true }));
  return { ...fan, binding: BINDING_SERVICE, configText: doc.toString() };
}
