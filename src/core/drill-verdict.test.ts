import { describe, expect, it } from "vitest";
import type { DrillPhase, DrillResult, MeasuredTarget } from "./drill-result.js";
import { formatDrillText } from "../report/drill-text.js";
import { judgeDrill } from "./drill-verdict.js";

const t = (measured: number | null, target: number | null, extra: Partial<MeasuredTarget> = {}) => ({
  measuredSeconds: measured,
  targetSeconds: target,
  met: target === null || measured === null ? null : measured <= target,
  resolutionSeconds: 0.25,
  ...extra,
});

const phase = (rto: MeasuredTarget, rpo: MeasuredTarget, lostWrites = 0): DrillPhase => ({
  rto,
  rpo,
  lostWrites,
  detectSeconds: 0.5,
  steps: [],
});

function record(over: Partial<DrillResult> = {}): DrillResult {
  return {
    version: 1,
    id: "drill-1",
    drill: "dns failover",
    application: "api",
    generatedAt: "2026-12-01T12:00:00.000Z",
    startedAt: "2026-12-01T12:00:00.000Z",
    finishedAt: "2026-12-01T12:01:00.000Z",
    outcome: "completed",
    fault: { kind: "fault.route53-health-check", subject: "hc", reverted: true, injected: true },
    runbook: null,
    failover: phase(t(2, 60), t(1, 60)),
    failback: phase(t(1, 60), t(0, 60)),
    probes: {},
    timeline: [],
    findings: [],
    runs: {},
    ...over,
  };
}

/** Every case: its exit code and the words its headline must start with. */
const cases: [string, DrillResult, 0 | 1 | 3, RegExp][] = [
  ["every target met", record(), 0, /^completed: every target met$/],
  [
    "no target set",
    record({ failover: phase(t(2, null), t(1, null)), failback: null }),
    0,
    /^completed \(no target set\)$/,
  ],
  [
    "an RTO that is a lower bound, even where an older record says met",
    record({ failover: phase(t(3, 60, { atLeast: true, met: true }), t(1, 60)) }),
    1,
    /^completed, not passed: RTO at least 3 s NOT MET \(target 60 s\)$/,
  ],
  [
    "an RPO target with no canary",
    record({ failover: phase(t(2, 60), t(null, 60, { met: false })) }),
    1,
    /^completed, not passed: RPO not measured \(target 60 s\)$/,
  ],
  [
    "the probes never saw the fault (no target)",
    record({ failover: phase(t(null, null, { met: false }), t(null, null)) }),
    1,
    /^completed, not passed: RTO not measured$/,
  ],
  [
    "lost writes",
    record({ failover: phase(t(2, 60), t(1, 60), 3) }),
    1,
    /^completed, not passed: 3 lost writes$/,
  ],
  [
    "a failback missed",
    record({ failback: phase(t(90, 60), t(0, 60)) }),
    1,
    /^completed, not passed: failback RTO 90 s NOT MET/,
  ],
  [
    "a failback figure not judged",
    record({ failback: phase(t(null, 60, { met: null }), t(null, 60, { met: null })) }),
    0,
    /^completed: every target met$/,
  ],
  [
    "refused",
    record({
      outcome: "refused",
      fault: { kind: "k", subject: "s", reverted: true, injected: false },
      failover: phase(t(null, 60, { note: "not measured: the preflight refused: x" }), t(null, 60)),
      failback: null,
    }),
    1,
    /^refused \(not started\): the preflight refused: x$/,
  ],
  [
    "interrupted, its partial figures not judged",
    record({
      outcome: "interrupted",
      failover: phase(t(2.5, 60, { atLeast: true, met: null }), t(1, 60)),
      timeline: [{ at: "2026-12-01T12:00:30.000Z", kind: "interrupted", message: "interrupted (SIGINT)" }],
    }),
    3,
    /^interrupted: interrupted \(SIGINT\)$/,
  ],
  [
    "completed but something left undone",
    record({ unfinished: ["the markers of canary orders could not all be removed"] }),
    3,
    /^could not finish: the markers of canary orders/,
  ],
  [
    "the fault not reverted",
    record({
      fault: { kind: "k", subject: "s", reverted: false, injected: true },
      unfinished: ["THE FAULT IS STILL IN PLACE"],
    }),
    3,
    /^FAULT NOT REVERTED: THE FAULT IS STILL IN PLACE$/,
  ],
];

describe("judgeDrill: the exit code and the headline of a drill, from one function", () => {
  it.each(cases)("%s", (_name, r, exit, headline) => {
    const verdict = judgeDrill(r);
    expect(verdict.exit).toBe(exit);
    expect(verdict.headline).toMatch(headline);
    // The report's first line is that headline.
    expect(formatDrillText(r).split("\n")[0]).toBe(
      `drill dns failover (drill-1) of api: ${verdict.headline}`,
    );
  });

  it("agrees with itself: a headline that says completed without 'not passed' is exit 0, and only then", () => {
    for (const [, r] of cases) {
      const { exit, headline } = judgeDrill(r);
      expect(exit === 0, headline).toBe(/^completed(:| \()/.test(headline));
    }
  });

  it("a refused drill's report never says its fault was reverted", () => {
    const refused = cases.find(([name]) => name === "refused")?.[1] as DrillResult;
    const text = formatDrillText(refused);
    expect(text).toMatch(/^fault: k s: not injected \(the drill was refused\)$/m);
    expect(text).not.toMatch(/reverted/);
  });
});
