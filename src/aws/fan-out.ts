import type { RateLimit } from "./services.js";

/**
 * AWS throttles each service per account and region with one token bucket, whichever process
 * calls. Processes that scan the same account at once (the cloud scan's batches) therefore share
 * that bucket: each one's own limiter must hold it to a share, or one batch's calls are throttled
 * because of another's.
 */
export interface FanOutInput {
  /** The rate per account and region of each service a batch reads (drctl's figures, drctl.yaml's over them). */
  limits: Readonly<Record<string, RateLimit>>;
  /**
   * The service that sets the scan's pace: the one most of its calls go to for their rate (ELBv2
   * for load balancer pairs: 17.46 of their 17.48 calls per pair).
   */
  binding: string;
  /** Pairs a batch scans at once (scan.concurrency), each with one call in flight at a time. */
  concurrency: number;
}

export interface FanOut {
  /** Batches that may run at once: the Distributed Map's MaxConcurrency. */
  maxConcurrency: number;
  /** Each batch's limiter, by service: its share of the account's rate and burst. */
  perBatch: Record<string, RateLimit>;
}

/**
 * How many batches may run at once, and each one's share of every rate, so that all of them
 * together, even all in one account and region, stay within AWS's bucket (shares' rates add up to
 * the rate, their bursts to at most the burst): no batch ever throttles another.
 *
 *   maxConcurrency = max(1, min(floor(binding burst / concurrency), smallest burst))
 *
 * A batch's share of the binding burst still lets all its `concurrency` pairs start a call at
 * once, and every service's share keeps a whole token. More batches would not scan one account
 * faster: together they never exceed its rate, whatever their number.
 */
export function scanFanOut(input: FanOutInput): FanOut {
  const binding = input.limits[input.binding];
  if (!binding) throw new RangeError(`no rate limit for the binding service ${input.binding}`);
  if (!Number.isInteger(input.concurrency) || input.concurrency < 1)
    throw new RangeError(`concurrency must be a whole number of at least 1, got ${input.concurrency}`);
  const bursts = Object.values(input.limits).map((l) => l.burst);
  const maxConcurrency = Math.max(1, Math.min(Math.floor(binding.burst / input.concurrency), ...bursts));
  const perBatch = Object.fromEntries(
    Object.entries(input.limits).map(([service, l]) => [
      service,
      { perSecond: l.perSecond / maxConcurrency, burst: Math.max(1, Math.floor(l.burst / maxConcurrency)) },
    ]),
  );
  return { maxConcurrency, perBatch };
}
