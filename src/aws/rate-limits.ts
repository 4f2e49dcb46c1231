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
};

/** Applies to services the table does not name. */
export const FALLBACK_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 20 };

/** One bucket per (service, region, account): AWS throttles each of those separately. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: Readonly<Record<string, RateLimit>> | "off" = DEFAULT_RATE_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {}

  async acquire(service: string, region: string, account: string): Promise<void> {
    if (this.limits === "off") return;
    const key = `${service}|${region}|${account}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const limit = this.limits[service] ?? FALLBACK_RATE_LIMIT;
      bucket = new TokenBucket(limit.perSecond, limit.burst, this.clock);
      this.buckets.set(key, bucket);
    }
    await bucket.take();
  }
}
