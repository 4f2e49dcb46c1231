import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedLoadBalancer } from "./normalize.js";

const lb = (over: Partial<NormalizedLoadBalancer> = {}): NormalizedLoadBalancer => ({
  type: "application",
  scheme: "internet-facing",
  ipAddressType: "ipv4",
  zones: 2,
  attributes: { "idle_timeout.timeout_seconds": "60", "access_logs.s3.bucket": "(set)" },
  ...over,
});

export const cases: RuleCases<NormalizedLoadBalancer> = {
  "load-balancer.scheme": { pass: [lb(), lb()], fail: [lb(), lb({ scheme: "internal" })], paths: ["scheme"] },
  "load-balancer.ip-address-type": {
    pass: [lb({ ipAddressType: "dualstack" }), lb({ ipAddressType: "dualstack" })],
    fail: [lb({ ipAddressType: "dualstack" }), lb()],
    paths: ["ipAddressType"],
  },
  "load-balancer.zones": { pass: [lb(), lb()], fail: [lb({ zones: 3 }), lb()], paths: ["zones"] },
  "load-balancer.attributes": {
    pass: [
      lb(),
      lb({ attributes: { "access_logs.s3.bucket": "(set)", "idle_timeout.timeout_seconds": "60" } }),
    ],
    fail: [
      lb(),
      lb({ attributes: { "idle_timeout.timeout_seconds": "120", "routing.http2.enabled": "true" } }),
    ],
    paths: [
      "attributes.access_logs.s3.bucket",
      "attributes.idle_timeout.timeout_seconds",
      "attributes.routing.http2.enabled",
    ],
  },
};
