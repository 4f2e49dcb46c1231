import { describe, expect, it } from "vitest";
import type { ProbeSample } from "./probe.js";
import { recoveryOf, rpoOf, rtoOf, type CanaryWrite } from "./measure.js";

const F = 1_000_000;
/** Probes every 250 ms from 1 s before the fault: ok or not, from a side. */
function samples(n: number, at: (i: number) => Partial<ProbeSample>): ProbeSample[] {
  return Array.from({ length: n }, (_, i) => ({
    endpoint: "api",
    at: F - 1000 + i * 250,
    ms: 5,
    ok: true,
    status: 200,
    side: "unknown" as const,
    ...at(i),
  }));
}

describe("recoveryOf and rtoOf: a recovery needs the fault seen first", () => {
  it("answers that name no region and never fail: not measured, never saw the fault, not met", () => {
    const s = samples(40, () => ({}));
    const r = recoveryOf("api", s, F, 3, "standby");
    expect(r.recoveredAt).toBeUndefined();
    expect(r.unchangedAt).toBe(F);
    const rto = rtoOf([r], F, F + 3000, 0.25, undefined, "us-west-2");
    expect(rto).toMatchObject({ measuredSeconds: null, met: false });
    expect(rto.note).toMatch(
      /^not measured: the probes never saw the fault: api answered as before for 3(\.00)? s/,
    );
  });

  it("answers that name no region and fail: recovered by status alone after the failure", () => {
    const s = samples(40, (i) => (i >= 6 && i < 12 ? { ok: false, status: 503 } : {}));
    const r = recoveryOf("api", s, F, 3, "standby");
    expect(r.recoveredAt).toBe(F + 2000);
    const rto = rtoOf([r], F, F + 10_000, 0.25, 60, "us-west-2");
    expect(rto).toMatchObject({ measuredSeconds: 2, met: true });
    expect(rto.note).toMatch(/by status alone/);
  });

  it("answers that name their region and never change: never saw the fault", () => {
    const s = samples(40, () => ({ side: "primary", region: "us-east-1" }));
    const r = recoveryOf("api", s, F, 3, "standby");
    expect(r.detectedAt).toBeUndefined();
    expect(rtoOf([r], F, F + 3000, 0.25, 60, "us-west-2")).toMatchObject({
      measuredSeconds: null,
      met: false,
    });
  });

  it("a standby that never served after the fault was seen: at least the time waited, not met", () => {
    const s = samples(40, (i) => (i >= 4 ? { ok: false, status: 503 } : { side: "primary" }));
    const rto = rtoOf([recoveryOf("api", s, F, 3, "standby")], F, F + 3000, 0.25, 60, "us-west-2");
    expect(rto).toMatchObject({ measuredSeconds: 3, atLeast: true, met: false });
  });
});

describe("rpoOf: no figure is never a pass", () => {
  const write = (seq: number, at: number): CanaryWrite => ({
    canary: "orders",
    marker: `m${seq}`,
    seq,
    side: "primary",
    at,
    ok: true,
  });

  it("an RPO target with no canary: not met, saying what would measure it", () => {
    const { rpo } = rpoOf([], [], F, 60, "us-west-2");
    expect(rpo).toMatchObject({ measuredSeconds: null, met: false });
    expect(rpo.note).toMatch(
      /^no canary: the RPO was not measured; a canary under canaries: in the drill file/,
    );
    expect(rpoOf([], [], F, undefined, "us-west-2").rpo.met).toBeNull();
  });

  it("a canary with no marker written before the phase: no figure, never 'at least 0 s'", () => {
    const { rpo } = rpoOf(
      [],
      [{ canary: "orders", present: new Set(), resolutionSeconds: 0.25 }],
      F,
      60,
      "us-east-1",
    );
    expect(rpo).toMatchObject({ measuredSeconds: null, met: false });
    expect(rpo.note).toMatch(/no marker was acknowledged before the phase began/);
  });

  it("a canary read and one unreadable: the worst measured is a lower bound, not met", () => {
    const writes = [write(1, F - 500), { ...write(2, F - 500), canary: "carts" }];
    const { rpo } = rpoOf(
      writes,
      [
        { canary: "orders", present: new Set(["m1"]), resolutionSeconds: 0.25 },
        { canary: "carts", present: new Set(), resolutionSeconds: 0.25, error: "AccessDenied" },
      ],
      F,
      60,
      "us-west-2",
    );
    expect(rpo).toMatchObject({ measuredSeconds: 0.5, atLeast: true, met: false });
  });
});
