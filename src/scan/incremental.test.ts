import { describe, expect, it } from "vitest";
import type { ChangeSignal } from "../core/changes.js";
import type { PairResult, ScanResult } from "../core/scan-result.js";
import { planReads, sweepDue, type DiscoveredPair, type PlanInput } from "./incremental.js";

const HOUR = 3_600_000;
const T0 = new Date("2026-12-07T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const LB = (n: number) =>
  `arn:aws:elasticloadbalancing:eu-central-1:111122223333:loadbalancer/app/web-${n}/abc${n}`;
const SB = (n: number) =>
  `arn:aws:elasticloadbalancing:ap-south-1:111122223333:loadbalancer/app/web-dr-${n}/def${n}`;

function pairResult(n: number, extra: Partial<PairResult> = {}): PairResult {
  return {
    name: `web-${n}`,
    primaryArn: LB(n),
    secondaryArn: SB(n),
    status: "pass",
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    findings: [],
    type: "load-balancer",
    primaryTags: { enable: "true" },
    evidence: {
      read: "read",
      readAt: T0.toISOString(),
      why: "full scan",
      fingerprint: "f",
      fingerprints: {},
      resources: [
        LB(n),
        SB(n),
        `sg-0${n}`,
        `arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/tg-${n}/9${n}`,
      ],
    },
    ...extra,
  };
}

const previous = (pairs: PairResult[]): ScanResult => ({
  version: 1,
  generatedAt: T0.toISOString(),
  strategy: "warm-standby",
  pairs,
  expiredSuppressions: [],
  settingsKey: "k",
  stats: { pairs: pairs.length, durationMs: 1, calls: {}, retries: 0 },
});

const discovered = (n: number, extra: Partial<DiscoveredPair> = {}): DiscoveredPair => ({
  primaryArn: LB(n),
  standbyArn: SB(n),
  type: "load-balancer",
  primaryTags: { enable: "true" },
  ...extra,
});

const change = (what: string, resources: string[], when = at(HOUR / 2)): ChangeSignal => ({
  source: "cloudtrail",
  what,
  at: when.toISOString(),
  region: "eu-central-1",
  resources,
});

const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  previous: previous([1, 2, 3].map((n) => pairResult(n))),
  changes: [],
  now: at(HOUR),
  fullEveryMs: 1000 * HOUR, // no sweep in these cases unless asked
  stateEveryMs: 1000 * HOUR,
  stateTypes: new Set(),
  settingsKey: "k",
  marginMs: 5 * 60_000,
  ...over,
});

const keys = (plan: ReturnType<typeof planReads>): Record<string, string> =>
  Object.fromEntries([...plan.read].map(([arn, r]): [string, string] => [arn.split("/")[2] ?? arn, r.key]));

describe("which pairs an incremental scan reads", () => {
  const pairs = [1, 2, 3].map((n) => discovered(n));

  it("carries over every pair when nothing changed", () => {
    const plan = planReads(pairs, input());
    expect(plan.read.size).toBe(0);
    expect(plan.carry.size).toBe(3);
  });

  it("reads the pair a change names, by any of the names its last read saw", () => {
    const listener = "arn:aws:elasticloadbalancing:eu-central-1:111122223333:listener/app/web-2/abc2/77";
    const plan = planReads(
      pairs,
      input({
        changes: [
          change("ModifyListener", [listener]),
          change("AuthorizeSecurityGroupIngress", ["sg-03"]),
          change("RegisterTargets", [
            "arn:aws:elasticloadbalancing:eu-central-1:111122223333:targetgroup/tg-1/91",
          ]),
        ],
      }),
    );
    expect(keys(plan)).toEqual({ "web-1": "changed", "web-2": "changed", "web-3": "changed" });
    expect(plan.read.get(LB(2))?.detail).toMatch(/^ModifyListener at .+ \(cloudtrail, eu-central-1\)$/);
  });

  it("reads a pair for a change that happened before its read but was recorded after it (delivered late)", () => {
    const late = { ...change("ModifyListener", [LB(3)], at(-HOUR)), recordedAt: at(HOUR / 2).toISOString() };
    expect(keys(planReads(pairs, input({ changes: [late] })))).toEqual({ "web-3": "changed" });
  });

  it("counts a change that names no pair's resource, and reads nothing for it", () => {
    const plan = planReads(
      pairs,
      input({ changes: [change("CreateQueue", ["arn:aws:sqs:eu-central-1:1:other"])] }),
    );
    expect(plan.unmatchedChanges).toBe(1);
    expect(plan.read.size).toBe(0);
  });

  it("ignores a change older than the pair's last read beyond the clock margin, and keeps one within it", () => {
    const old = change("ModifyListener", [LB(1)], at(-HOUR));
    const skewed = change("ModifyListener", [LB(2)], at(-2 * 60_000));
    const plan = planReads(pairs, input({ changes: [old, skewed] }));
    expect(keys(plan)).toEqual({ "web-2": "changed" });
  });

  it("reads new pairs, changed tags and a changed standby", () => {
    const plan = planReads(
      [
        discovered(1, { primaryTags: { enable: "true", app: "shop" } }),
        discovered(2, { standbyArn: SB(9) }),
        discovered(3),
        discovered(4),
      ],
      input(),
    );
    expect(keys(plan)).toEqual({ "web-1": "tags changed", "web-2": "standby changed", "web-4": "new pair" });
  });

  it("reads everything with no previous scan, with --full, with other settings, or from an older drctl", () => {
    expect(planReads(pairs, input({ previous: undefined })).read.size).toBe(3);
    expect([...planReads(pairs, input({ full: true })).read.values()][0]?.key).toBe("full read asked");
    expect([...planReads(pairs, input({ settingsKey: "other" })).read.values()][0]?.key).toBe(
      "settings changed",
    );
    const older = previous([1, 2, 3].map((n) => pairResult(n)));
    delete older.settingsKey;
    expect(planReads(pairs, input({ previous: older })).read.get(LB(1))?.detail).toMatch(/older drctl/);
    const noEvidence = previous([pairResult(1, { evidence: undefined }), pairResult(2), pairResult(3)]);
    expect(keys(planReads(pairs, input({ previous: noEvidence })))).toEqual({ "web-1": "no fingerprint" });
  });

  it("reads a pair whose last read failed, and one a module asked to re-check by now", () => {
    const failed = pairResult(1, { status: "error" });
    const expiring = pairResult(2);
    if (expiring.evidence) expiring.evidence.recheckAt = at(HOUR / 2).toISOString();
    const plan = planReads(pairs, input({ previous: previous([failed, expiring, pairResult(3)]) }));
    expect(keys(plan)).toEqual({ "web-1": "last read failed", "web-2": "recheck due" });
  });

  it("re-reads pairs whose findings rest on state on their own cadence", () => {
    const plan = planReads(
      pairs,
      input({ now: at(3 * HOUR), stateEveryMs: HOUR, stateTypes: new Set(["load-balancer"]) }),
    );
    expect(new Set(Object.values(keys(plan)))).toEqual(new Set(["state re-read"]));
  });
});

describe("the rolling sweep", () => {
  const every = 24 * HOUR;

  it("reads each pair once per period, none later than one period after its last read", () => {
    for (let n = 0; n < 200; n++) {
      const arn = LB(n);
      let readAt = T0;
      // Runs every 30 minutes for three days: gaps between sweeps never exceed the period.
      for (let t = 30 * 60_000; t <= 3 * every; t += 30 * 60_000) {
        const now = at(t);
        if (sweepDue(arn, readAt, now, every)) {
          expect(now.getTime() - readAt.getTime()).toBeLessThanOrEqual(every);
          readAt = now;
        }
        expect(now.getTime() - readAt.getTime()).toBeLessThan(every);
      }
    }
  });

  it("spreads pairs evenly over the runs of a period", () => {
    const perRun = new Map<number, number>();
    for (let n = 0; n < 4800; n++)
      for (let run = 1; run <= 48; run++)
        if (sweepDue(LB(n), at((run - 1) * 30 * 60_000), at(run * 30 * 60_000), every)) {
          perRun.set(run, (perRun.get(run) ?? 0) + 1);
          break;
        }
    const counts = [...perRun.values()];
    // 4,800 pairs over 48 runs: 100 a run on average; an even hash keeps every run near that.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4800);
    expect(Math.max(...counts)).toBeLessThan(150);
    expect(Math.min(...counts)).toBeGreaterThan(60);
  });
});
