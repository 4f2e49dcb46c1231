import { describe, expect, it } from "vitest";
import type { Finding } from "../core/finding.js";
import { causesFirst, pathSegments, shortRemediation } from "./order.js";

const f = (
  ruleId: string,
  path: string,
  severity: Finding["severity"],
  consequenceOf?: Finding["consequenceOf"],
): Finding => ({
  pair: "p",
  primaryArn: "a",
  secondaryArn: "b",
  resourceType: "listener",
  ruleId,
  severity,
  status: "drift",
  path,
  primary: null,
  secondary: null,
  message: "m",
  remediation: "Do this. Then that.",
  ...(consequenceOf ? { consequenceOf } : {}),
});

describe("report order", () => {
  it("puts each consequence under its cause, causes worst first", () => {
    const groups = causesFirst([
      f("listener.rule-actions", "listeners[443].rules[10].actions", "high", {
        ruleId: "target-group.missing",
        path: "targetGroups[x]",
      }),
      f("listener.alpn", "listeners[443].alpn", "low"),
      f("target-group.missing", "targetGroups[x]", "high"),
    ]);
    expect(groups.map((g) => [g.finding.ruleId, g.consequences.map((c) => c.ruleId)])).toEqual([
      ["target-group.missing", ["listener.rule-actions"]],
      ["listener.alpn", []],
    ]);
  });

  it("cuts paths between segments only", () => {
    expect(pathSegments("targetGroups[web-001-app].attributes.deregistration_delay.timeout_seconds")).toEqual(
      ["targetGroups[web-001-app].", "attributes.", "deregistration_delay.", "timeout_seconds"],
    );
    expect(pathSegments("ingress[tcp 443-443 ::/0]")).toEqual(["ingress[tcp 443-443 ::/0]"]);
    expect(pathSegments("pair")).toEqual(["pair"]);
    expect(pathSegments("")).toEqual([""]);
  });

  it("shortens a remediation to its first sentence", () => {
    expect(shortRemediation("Do this. Then that.")).toBe("Do this.");
    expect(shortRemediation("Apply the value with modify-load-balancer-attributes (e.g. 60)")).toBe(
      "Apply the value with modify-load-balancer-attributes (e.g. 60)",
    );
  });
});
