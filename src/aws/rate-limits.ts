import { AWS_SERVICES, type AwsService, type RateLimit } from "./services.js";
import { TokenBucket, type Clock, systemClock } from "./token-bucket.js";

export type { RateLimit } from "./services.js";

/**
 * Request rates per account and region, from the service table (src/aws/services.ts). Override
 * any of them in drctl.yaml under `rateLimits`; `off` disables limiting (the local emulator has
 * no limits).
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = Object.fromEntries(
  Object.entries(AWS_SERVICES).flatMap(([label, service]: [string, AwsService]) =>
    service.rateLimit ? [[label, service.rateLimit]] : [],
  ),
);

/** Applies to services the table does not name. */
export const FALLBACK_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 20 };

/** The limits that apply, and to services they do not name: a rate, or none. */
export interface RateLimits {
  byService: Readonly<Record<string, RateLimit>>;
  otherwise: RateLimit | "unlimited";
}

/** Whether an endpoint is this machine (a local emulator): it has none of AWS's limits. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The limits a run applies: against AWS, AWS's published rates with drctl.yaml's `rateLimits`
 * over them; against a loopback endpoint (an emulator), none unless drctl.yaml names some, and
 * then only those; `off` is off everywhere.
 */
export function effectiveRateLimits(
  configured: Readonly<Record<string, RateLimit>> | "off" | undefined,
  loopback: boolean,
): RateLimits | "off" {
  if (configured === "off") return "off";
  if (loopback) return configured ? { byService: configured, otherwise: "unlimited" } : "off";
  return { byService: { ...DEFAULT_RATE_LIMITS, ...configured }, otherwise: FALLBACK_RATE_LIMIT };
}

/** One bucket per (service, region, account): AWS throttles each of those separately. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket | "unlimited">();

  constructor(
    private readonly limits: RateLimits | "off" = effectiveRateLimits(undefined, false),
    private readonly clock: Clock = systemClock,
  ) {}

  async acquire(service: string, region: string, account: string): Promise<void> {
    if (this.limits === "off") return;
    const key = `${service}|${region}|${account}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const limit = this.limits.byService[service] ?? this.limits.otherwise;
      bucket = limit === "unlimited" ? limit : new TokenBucket(limit.perSecond, limit.burst, this.clock);
      this.buckets.set(key, bucket);
    }
    if (bucket !== "unlimited") await bucket.take();
  }
}
