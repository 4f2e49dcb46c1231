import type { Variation } from "./load-balancer.js";

/**
 * Deliberate differences between a primary and its standby. A pair whose index ends in `digit`
 * (index mod 10) carries the plant, so every tenth pair of a large world carries the same set.
 * Pairs ending in 1, 6-9 and 0 are identical in meaning. `expect` says what a readiness scan
 * ought to report.
 */
export interface Plant {
  id: string;
  digit: number;
  /** Plants about listener rules or idle time only exist on application load balancers. */
  onlyFor?: "application";
  description: string;
  /**
   * What the scan reports; in the path {pair} stands for the pair's name, {primaryRegion} for the
   * primary region's short tag (use1) and {domain} for the world's domain.
   */
  expect: { resourceType: string; ruleId: string; severity: string; path: string };
  /** How the standby deviates. */
  standby: Variation & { skipStandbyAlias?: boolean; nearExpirySni?: boolean };
}

const expect = (resourceType: string, ruleId: string, severity: string, path: string) => ({
  resourceType,
  ruleId,
  severity,
  path,
});

export const PLANTS: readonly Plant[] = [
  {
    id: "lb-idle-timeout",
    digit: 2,
    onlyFor: "application",
    description: "standby idle timeout is 120 s, primary 60 s",
    expect: expect(
      "load-balancer",
      "load-balancer.attributes",
      "medium",
      "attributes.idle_timeout.timeout_seconds",
    ),
    standby: { loadBalancerAttributes: { "idle_timeout.timeout_seconds": "120" } },
  },
  {
    id: "listener-ssl-policy",
    digit: 2,
    description: "standby HTTPS/TLS listener uses the old ELBSecurityPolicy-2016-08",
    expect: expect("listener", "listener.ssl-policy", "medium", "listeners[443].sslPolicy"),
    standby: { sslPolicy: "ELBSecurityPolicy-2016-08" },
  },
  {
    id: "target-group-health-path",
    digit: 3,
    onlyFor: "application",
    description: "standby app target group health check path is / instead of /health",
    expect: expect(
      "target-group",
      "target-group.health-check",
      "medium",
      "targetGroups[{pair}-app].healthCheck.path",
    ),
    standby: { targetGroups: { app: { healthCheckPath: "/" } } },
  },
  {
    id: "target-group-deregistration-delay",
    digit: 3,
    description: "standby api target group deregistration delay is 300 s, primary 60 s",
    expect: expect(
      "target-group",
      "target-group.attributes",
      "medium",
      "targetGroups[{pair}-api].attributes.deregistration_delay.timeout_seconds",
    ),
    standby: { targetGroups: { api: { attributes: { "deregistration_delay.timeout_seconds": "300" } } } },
  },
  {
    id: "security-group-ipv6-https",
    digit: 4,
    onlyFor: "application",
    description: "standby load balancer security group has no IPv6 HTTPS ingress (tcp 443 from ::/0)",
    expect: expect("security-group", "security-group.ingress", "high", "ingress[tcp 443-443 ::/0]"),
    standby: { dropIpv6Https: true },
  },
  {
    id: "route53-standby-alias",
    digit: 4,
    description: "the standby has no regional alias record in the hosted zone",
    expect: expect("route53", "route53.records", "medium", "records[{pair}.{primaryRegion}.{domain} A]"),
    standby: { skipStandbyAlias: true },
  },
  {
    id: "certificate-near-expiry",
    digit: 5,
    description: "standby SNI certificate expires in 10 days",
    expect: expect(
      "certificate",
      "certificate.expiry",
      "high",
      "listeners[443].certificates[api.example.org].notAfter",
    ),
    standby: { nearExpirySni: true },
  },
  {
    id: "rule-host-header",
    digit: 5,
    onlyFor: "application",
    description: "standby rule 20 matches host admin.example.net instead of admin.example.com",
    expect: expect("listener", "listener.rule-conditions", "high", "listeners[443].rules[20].conditions"),
    standby: { adminHost: "admin.example.net" },
  },
];

/** The plants a pair carries. */
export function plantsFor(index: number, type: "application" | "network"): Plant[] {
  return PLANTS.filter((p) => p.digit === index % 10 && (p.onlyFor === undefined || p.onlyFor === type));
}
