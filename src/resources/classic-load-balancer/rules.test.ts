import { describe, expect, it } from "vitest";
import { parseArn } from "../../aws/arn.js";
import { runRuleCases, SETTINGS } from "../../core/rule-cases.testing.js";
import { ownsLoadBalancer } from "../load-balancer/pairing.js";
import { ownsClassicLoadBalancer } from "./pairing.js";
import { cases } from "./rules.cases.js";
import { classicLoadBalancerRules } from "./rules.js";

runRuleCases(classicLoadBalancerRules, cases);

describe("classic load balancer rules", () => {
  it("rates a listener missing on the standby critical, another listener at the rule's severity", () => {
    const c = cases["classic-load-balancer.listeners"];
    if (!c) throw new Error("no case");
    const rule = classicLoadBalancerRules.find((r) => r.id === "classic-load-balancer.listeners");
    const found = rule?.check(c.fail[0], c.fail[1], SETTINGS) ?? [];
    expect(found.map((d) => [d.path, d.severity, d.message])).toEqual([
      [
        "listeners.443",
        undefined,
        "the standby's port 443 is HTTPS to instance HTTP:8080 without a certificate, the primary's HTTPS to instance HTTP:8080 with a certificate",
      ],
      [
        "listeners.80",
        "critical",
        "the standby has no listener on port 80, the primary's is HTTP to instance HTTP:8080",
      ],
      [
        "listeners.8443",
        undefined,
        "the standby listens on port 8443 (HTTPS to instance HTTP:8080 with a certificate), the primary does not",
      ],
    ]);
  });
});

describe("which ARNs are a classic load balancer's", () => {
  const arn = (resource: string) =>
    parseArn(`arn:aws:elasticloadbalancing:eu-west-1:123456789012:${resource}`);

  it("owns loadbalancer/<name> and never an application, network or gateway load balancer's ARN", () => {
    expect(ownsClassicLoadBalancer(arn("loadbalancer/web-euw1"))).toBe(true);
    for (const v2 of [
      "loadbalancer/app/web-euw1/50dc6c495c0c9188",
      "loadbalancer/net/web-euw1/50dc6c495c0c9188",
      "loadbalancer/gwy/web-euw1/50dc6c495c0c9188",
    ]) {
      expect([v2, ownsClassicLoadBalancer(arn(v2))]).toEqual([v2, false]);
    }
    expect(ownsLoadBalancer(arn("loadbalancer/web-euw1"))).toBe(false);
    expect(ownsClassicLoadBalancer(arn("targetgroup/web/50dc6c495c0c9188"))).toBe(false);
    expect(ownsClassicLoadBalancer(parseArn("arn:aws:ec2:eu-west-1:123456789012:loadbalancer/web"))).toBe(
      false,
    );
  });
});
