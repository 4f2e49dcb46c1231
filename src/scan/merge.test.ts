import { describe, expect, it } from "vitest";
import type { ScanResult } from "../core/scan-result.js";
import { mergeResults } from "./merge.js";
import type { Finding } from "../core/finding.js";

const finding = (
  primaryArn: string,
  ruleId: string,
  severity: Finding["severity"],
  status: Finding["status"] = "drift",
): Finding => ({
  pair: primaryArn.split("/")[1] ?? primaryArn,
  primaryArn,
  secondaryArn: null,
  resourceType: "pair",
  ruleId,
  severity,
  status,
  path: ruleId,
  primary: null,
  secondary: null,
  message: ruleId,
  remediation: "fix it",
});

const part = (names: string[], calls: Record<string, number>): ScanResult => ({
  version: 1,
  generatedAt: "x",
  strategy: "warm-standby",
  expiredSuppressions: [],
  stats: { pairs: names.length, durationMs: 1, calls, retries: 1 },
  pairs: names.map((n) => ({
    name: n,
    primaryArn: `p/${n}`,
    secondaryArn: `s/${n}`,
    status: "pass",
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    findings: [],
  })),
});

describe("mergeResults", () => {
  it("joins batches, sums calls, and lets discovery findings change a pair's status and counts", () => {
    const merged = mergeResults(
      [
        part(["b", "a"], { "ELBv2.DescribeRules": 2 }),
        part(["c"], { "ELBv2.DescribeRules": 3, "ACM.DescribeCertificate": 1 }),
      ],
      {
        generatedAt: "2026-11-21T00:00:00.000Z",
        strategy: "warm-standby",
        durationMs: 9,
        extraFindings: [
          finding("p/a", "pair.standby-claimed-twice", "high"),
          finding("p/a", "target-group.no-targets", "info"),
          finding("p/z", "pair.unreadable", "high", "error"),
        ],
      },
    );
    expect(merged.pairs.map((p) => [p.name, p.status])).toEqual([
      ["a", "drift"],
      ["b", "pass"],
      ["c", "pass"],
      ["z", "error"],
    ]);
    expect(merged.pairs[0]?.counts).toEqual({ critical: 0, high: 1, medium: 0, low: 0, info: 1 });
    expect(merged.pairs[0]?.findings.map((f) => f.severity)).toEqual(["high", "info"]);
    expect(merged.stats).toEqual({
      pairs: 4,
      durationMs: 9,
      calls: { "ACM.DescribeCertificate": 1, "ELBv2.DescribeRules": 5 },
      retries: 2,
    });
  });

  it("leaves a pair passing when only information joins it", () => {
    const merged = mergeResults([part(["a"], {})], {
      generatedAt: "x",
      strategy: "pilot-light",
      durationMs: 1,
      extraFindings: [finding("p/a", "target-group.no-targets", "info")],
    });
    expect(merged.pairs[0]?.status).toBe("pass");
  });
});
