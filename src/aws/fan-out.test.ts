import { describe, expect, it } from "vitest";
import { scanFanOut } from "./fan-out.js";
import { AWS_SERVICES } from "./services.js";

const ELBv2 = AWS_SERVICES.ELBv2.rateLimit;
const Route53 = AWS_SERVICES.Route53.rateLimit;

describe("scanFanOut", () => {
  it("with drctl's defaults (ELBv2 10/s, burst 40; 16 pairs at once) runs 2 batches at once, each at half of every rate", () => {
    const fan = scanFanOut({ limits: { ELBv2, Route53 }, binding: "ELBv2", concurrency: 16 });
    expect(fan.maxConcurrency).toBe(2);
    expect(fan.perBatch).toEqual({
      ELBv2: { perSecond: 5, burst: 20 },
      Route53: { perSecond: 2.5, burst: 5 },
    });
  });

  it("never lets the batches together exceed any service's rate or burst", () => {
    for (const concurrency of [1, 2, 3, 4, 5, 8, 13, 16, 40, 41, 256]) {
      const limits = { ELBv2, Route53, EC2: AWS_SERVICES.EC2.rateLimit, other: { perSecond: 10, burst: 20 } };
      const fan = scanFanOut({ limits, binding: "ELBv2", concurrency });
      for (const [service, l] of Object.entries(limits)) {
        const share = fan.perBatch[service];
        expect(
          share && share.perSecond * fan.maxConcurrency,
          `${service} at ${concurrency}`,
        ).toBeLessThanOrEqual(l.perSecond);
        expect(share && share.burst * fan.maxConcurrency, `${service} at ${concurrency}`).toBeLessThanOrEqual(
          l.burst,
        );
        expect(share?.burst).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it("leaves each batch a share of the binding burst that starts all its pairs' calls at once", () => {
    expect(scanFanOut({ limits: { ELBv2 }, binding: "ELBv2", concurrency: 4 })).toEqual({
      maxConcurrency: 10,
      perBatch: { ELBv2: { perSecond: 1, burst: 4 } },
    });
    expect(scanFanOut({ limits: { ELBv2 }, binding: "ELBv2", concurrency: 5 }).maxConcurrency).toBe(8);
  });

  it("keeps a whole token of the smallest burst in every share", () => {
    const fan = scanFanOut({
      limits: { ELBv2, tight: { perSecond: 1, burst: 3 } },
      binding: "ELBv2",
      concurrency: 1,
    });
    expect(fan.maxConcurrency).toBe(3);
    expect(fan.perBatch.tight).toEqual({ perSecond: 1 / 3, burst: 1 });
  });

  it("runs one batch at a time when one batch's pairs outnumber the burst: its own limiter queues them", () => {
    const fan = scanFanOut({ limits: { ELBv2 }, binding: "ELBv2", concurrency: 64 });
    expect(fan).toEqual({ maxConcurrency: 1, perBatch: { ELBv2 } });
  });

  it("follows raised limits (a quota increase in drctl.yaml's rateLimits)", () => {
    const fan = scanFanOut({
      limits: { ELBv2: { perSecond: 50, burst: 200 } },
      binding: "ELBv2",
      concurrency: 16,
    });
    expect(fan.maxConcurrency).toBe(12);
    expect(fan.perBatch.ELBv2?.burst).toBe(16);
  });

  it("refuses a binding service without a rate, and a concurrency below one", () => {
    expect(() => scanFanOut({ limits: { ELBv2 }, binding: "Route53", concurrency: 16 })).toThrow(/Route53/);
    expect(() => scanFanOut({ limits: { ELBv2 }, binding: "ELBv2", concurrency: 0 })).toThrow(/concurrency/);
  });
});
