import { describe, expect, it } from "vitest";
import type { ScanResult } from "../core/scan-result.js";
import { escapeHtml } from "./escape.js";
import { formatScanHtml } from "./html.js";

const evil = `<script>alert("x")</script><img src=x onerror='y'>&amp;\``;

function resultWith(value: string): ScanResult {
  return {
    version: 1,
    generatedAt: "2026-11-21T00:00:00.000Z",
    strategy: "warm-standby",
    expiredSuppressions: [],
    stats: { pairs: 1, durationMs: 1, calls: {}, retries: 0 },
    pairs: [
      {
        name: value,
        primaryArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${value}/1`,
        secondaryArn: null,
        status: "drift",
        counts: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
        findings: [
          {
            pair: value,
            primaryArn: "a",
            secondaryArn: null,
            resourceType: "listener",
            ruleId: "listener.rule-conditions",
            severity: "high",
            status: "drift",
            path: `rules[1].${value}`,
            primary: { host: value },
            secondary: value,
            message: value,
            remediation: value,
            suppressed: { reason: value },
          },
        ],
      },
    ],
  };
}

describe("HTML report", () => {
  it("escapes every character that could open markup or end an attribute", () => {
    expect(escapeHtml(evil)).not.toMatch(/[<>"'`]/);
    expect(escapeHtml("a&b")).toBe("a&#38;b");
  });

  it("never lets a value from AWS into the page as markup", () => {
    const page = formatScanHtml(resultWith(evil));
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("onerror='");
    expect(page).toContain("&#60;script&#62;");
  });

  it("stays one well-formed page with a 64 KiB value", () => {
    const page = formatScanHtml(resultWith(`${"\"'<>".repeat(16 * 1024)}`));
    expect(page.match(/<table>/g)?.length).toBe(2);
    expect(page.trimEnd().endsWith("</html>")).toBe(true);
  });
});
