import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedClassicLoadBalancer } from "./normalize.js";

const HTTPS = { protocol: "HTTPS", instanceProtocol: "HTTP", instancePort: 8080, certificate: true };
const HTTP = { protocol: "HTTP", instanceProtocol: "HTTP", instancePort: 8080, certificate: false };

const lb = (over: Partial<NormalizedClassicLoadBalancer> = {}): NormalizedClassicLoadBalancer => ({
  scheme: "internet-facing",
  zones: 3,
  listeners: { "80": HTTP, "443": HTTPS },
  healthCheck: {
    target: "HTTP:8080/health",
    intervalSeconds: 15,
    timeoutSeconds: 5,
    healthyThreshold: 3,
    unhealthyThreshold: 2,
  },
  crossZone: true,
  connectionDraining: { enabled: true, timeoutSeconds: 120 },
  idleTimeoutSeconds: 60,
  ...over,
});

export const cases: RuleCases<NormalizedClassicLoadBalancer> = {
  "classic-load-balancer.scheme": {
    pass: [lb(), lb()],
    fail: [lb(), lb({ scheme: "internal" })],
    paths: ["scheme"],
  },
  "classic-load-balancer.listeners": {
    pass: [lb(), lb()],
    fail: [lb(), lb({ listeners: { "443": { ...HTTPS, certificate: false }, "8443": HTTPS } })],
    paths: ["listeners.443", "listeners.80", "listeners.8443"],
  },
  "classic-load-balancer.health-check": {
    pass: [lb(), lb()],
    fail: [lb(), lb({ healthCheck: { ...lb().healthCheck, target: "TCP:8080", intervalSeconds: 30 } })],
    paths: ["healthCheck.target", "healthCheck.intervalSeconds"],
  },
  "classic-load-balancer.zones": {
    pass: [lb(), lb({ zones: 4 })],
    fail: [lb(), lb({ zones: 1 })],
    paths: ["zones"],
  },
  "classic-load-balancer.cross-zone": {
    pass: [lb(), lb()],
    fail: [lb(), lb({ crossZone: false })],
    paths: ["crossZone"],
  },
  "classic-load-balancer.connection-draining": {
    pass: [
      lb({ connectionDraining: { enabled: false, timeoutSeconds: null } }),
      lb({ connectionDraining: { enabled: false, timeoutSeconds: null } }),
    ],
    fail: [lb(), lb({ connectionDraining: { enabled: true, timeoutSeconds: 30 } })],
    paths: ["connectionDraining.timeoutSeconds"],
  },
  "classic-load-balancer.idle-timeout": {
    pass: [lb(), lb()],
    fail: [lb(), lb({ idleTimeoutSeconds: 30 })],
    paths: ["idleTimeoutSeconds"],
  },
};
