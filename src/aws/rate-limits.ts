import { TokenBucket, type Clock, systemClock } from "./token-bucket.js";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * Request rates per account and region that AWS documents (or, where it does not publish one,
 * the conservative figure its throttling is commonly observed at). Override any of them in
 * drctl.yaml under `rateLimits`; `off` disables limiting (the local emulator has no limits).
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  ELBv2: { perSecond: 10, burst: 40 },
  Route53: { perSecond: 5, burst: 10 },
  EC2: { perSecond: 20, burst: 100 },
  ACM: { perSecond: 10, burst: 20 },
  RDS: { perSecond: 10, burst: 40 },
  AutoScaling: { perSecond: 10, burst: 40 },
  SSM: { perSecond: 40, burst: 40 },
  STS: { perSecond: 50, burst: 100 },
  DynamoDB: { perSecond: 50, burst: 100 },
  SESv2: { perSecond: 1, burst: 5 },
  S3: { perSecond: 100, burst: 300 },
  CloudWatch: { perSecond: 50, burst: 50 },
  ResourceGroupsTaggingAPI: { perSecond: 5, burst: 10 },
};

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
