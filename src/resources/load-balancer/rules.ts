import { diffMaps, differ, show } from "../../core/compare.js";
import type { Rule } from "../../core/rule.js";
import type { NormalizedLoadBalancer } from "./normalize.js";

type LbRule = Rule<NormalizedLoadBalancer>;

export const loadBalancerRules: LbRule[] = [
  {
    id: "load-balancer.scheme",
    resourceType: "load-balancer",
    severity: "high",
    title: "Scheme (internet-facing or internal)",
    compares: "the Scheme of both load balancers",
    rationale:
      "An internal standby cannot serve internet clients after failover, and the reverse exposes an internal service.",
    remediation:
      "Recreate the standby load balancer with the primary's scheme (the scheme cannot be modified in place).",
    check: (p, s) =>
      differ("scheme", p.scheme, s.scheme, `the standby is ${s.scheme}, the primary ${p.scheme}`),
  },
  {
    id: "load-balancer.ip-address-type",
    resourceType: "load-balancer",
    severity: "medium",
    title: "IP address type",
    compares: "IpAddressType (ipv4, dualstack, dualstack-without-public-ipv4)",
    rationale: "IPv6 clients that reach the primary cannot reach an IPv4-only standby.",
    remediation: "Run set-ip-address-type on the standby to match the primary.",
    check: (p, s) =>
      differ(
        "ipAddressType",
        p.ipAddressType,
        s.ipAddressType,
        `the standby's IP address type is ${s.ipAddressType}, the primary's ${p.ipAddressType}`,
      ),
  },
  {
    id: "load-balancer.zones",
    resourceType: "load-balancer",
    severity: "medium",
    title: "Number of Availability Zones",
    compares: "how many Availability Zones each load balancer spans",
    rationale:
      "A standby in fewer zones has less capacity and survives fewer zone failures once it carries all traffic.",
    remediation: "Add subnets in more zones to the standby load balancer (set-subnets).",
    check: (p, s) =>
      differ(
        "zones",
        p.zones,
        s.zones,
        `the standby spans ${s.zones} Availability Zones, the primary ${p.zones}`,
      ),
  },
  {
    id: "load-balancer.attributes",
    resourceType: "load-balancer",
    severity: "medium",
    title: "Load balancer attributes",
    compares:
      "every attribute key by key (idle timeout, HTTP/2, deletion protection, desync mitigation, cross-zone, ...), including keys present on one side only; access-log buckets and prefixes by whether they are set",
    rationale:
      "Timeouts, header handling and cross-zone balancing change how clients see the service the moment traffic moves.",
    remediation:
      "Apply the primary's value with modify-load-balancer-attributes on the standby (or fix the primary if the standby is right).",
    check: (p, s) =>
      diffMaps("attributes", p.attributes, s.attributes, (key, a, b) =>
        a === undefined
          ? `the standby sets ${key}=${show(b)}, the primary does not have it`
          : b === undefined
            ? `the standby lacks attribute ${key} (primary: ${show(a)})`
            : `attribute ${key} is ${show(b)} on the standby, ${show(a)} on the primary`,
      ),
  },
];
