import { describe, expect, it } from "vitest";
import { effectiveRateLimits, isLoopbackEndpoint, RateLimiter } from "./rate-limits.js";
import { TokenBucket, type Clock } from "./token-bucket.js";

/** A clock whose sleeps advance time instantly, recording how long each was. */
function fakeClock(): Clock & { sleeps: number[]; time: number } {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

describe("TokenBucket", () => {
  it("serves a full burst at once, then one token per 1/rate seconds", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 4, clock);
    const taken: number[] = [];
    await Promise.all(Array.from({ length: 8 }, () => bucket.take().then(() => taken.push(clock.time))));
    expect(taken).toEqual([0, 0, 0, 0, 100, 200, 300, 400]);
  });

  it("refills with elapsed time but never above the burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 3, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.time += 60_000; // a minute idle refills to the burst of 3, not 120
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    expect(clock.sleeps).toEqual([500]);
  });

  it("keeps a sustained rate over many calls", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 40, clock);
    for (let i = 0; i < 140; i++) await bucket.take();
    // 40 from the burst, the other 100 at 10 per second.
    expect(clock.time).toBeGreaterThanOrEqual(10_000);
    expect(clock.time).toBeLessThan(10_100);
  });

  it("rejects impossible settings", () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe("RateLimiter", () => {
  it("keeps one bucket per service, region and account", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(
      { byService: { ELBv2: { perSecond: 1, burst: 1 } }, otherwise: "unlimited" },
      clock,
    );
    await limiter.acquire("ELBv2", "us-east-1", "home");
    await limiter.acquire("ELBv2", "us-west-2", "home");
    await limiter.acquire("ELBv2", "us-east-1", "222222222222");
    expect(clock.time).toBe(0);
    await limiter.acquire("ELBv2", "us-east-1", "home");
    expect(clock.time).toBe(1000);
  });

  it("applies AWS's rates against AWS, and none against a local emulator unless configured", () => {
    const elb = (l: ReturnType<typeof effectiveRateLimits>) => (l === "off" ? "off" : l.byService.ELBv2);
    expect(elb(effectiveRateLimits(undefined, false))).toEqual({ perSecond: 10, burst: 40 });
    expect(elb(effectiveRateLimits({ ELBv2: { perSecond: 2, burst: 4 } }, false))).toEqual({
      perSecond: 2,
      burst: 4,
    });
    expect(effectiveRateLimits(undefined, true)).toBe("off");
    expect(effectiveRateLimits({ ELBv2: { perSecond: 2, burst: 4 } }, true)).toEqual({
      byService: { ELBv2: { perSecond: 2, burst: 4 } },
      otherwise: "unlimited",
    });
    expect(effectiveRateLimits("off", false)).toBe("off");
    // Against AWS a service drctl.yaml does not name keeps its published rate.
    const aws = effectiveRateLimits({ ELBv2: { perSecond: 2, burst: 4 } }, false);
    expect(aws !== "off" && aws.byService.Route53).toEqual({ perSecond: 5, burst: 10 });
  });

  it("knows a loopback endpoint from a remote one", () => {
    for (const local of [
      "http://127.0.0.1:5000",
      "http://localhost:4566",
      "http://[::1]:8080",
      "http://127.1.2.3",
    ])
      expect(isLoopbackEndpoint(local), local).toBe(true);
    for (const remote of [
      "https://elasticloadbalancing.us-east-1.amazonaws.com",
      "http://10.0.0.5:5000",
      undefined,
    ])
      expect(isLoopbackEndpoint(remote), String(remote)).toBe(false);
  });

  it("does not limit when turned off", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter("off", clock);
    for (let i = 0; i < 1000; i++) await limiter.acquire("ELBv2", "us-east-1", "home");
    expect(clock.time).toBe(0);
  });
});
