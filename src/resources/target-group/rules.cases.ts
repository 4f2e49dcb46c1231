import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedTargetGroup } from "./normalize.js";

const tg = (name: string, over: Partial<NormalizedTargetGroup> = {}): NormalizedTargetGroup => ({
  name,
  protocol: "HTTP",
  port: 8080,
  targetType: "instance",
  protocolVersion: "HTTP1",
  healthCheck: { protocol: "HTTP", path: "/health", matcherHttp: "200", intervalSeconds: 10 },
  attributes: { "deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "true" },
  targetCount: 2,
  ...over,
});

// Twins have names of their own: app-p-a on the primary, app-s-a on the standby.
export const cases: RuleCases<NormalizedTargetGroup> = {
  "target-group.settings": {
    pass: [tg("app-p-a"), tg("app-s-a")],
    fail: [tg("app-p-a"), tg("app-s-a", { port: 8081, protocolVersion: "HTTP2" })],
    paths: ["port", "protocolVersion"],
  },
  "target-group.health-check": {
    pass: [tg("app-p-a"), tg("app-s-a")],
    fail: [
      tg("app-p-a"),
      tg("app-s-a", {
        healthCheck: { protocol: "HTTP", path: "/", matcherHttp: "200-399", intervalSeconds: 10 },
      }),
    ],
    paths: ["healthCheck.matcherHttp", "healthCheck.path"],
  },
  "target-group.attributes": {
    pass: [tg("app-p-a"), tg("app-s-a")],
    fail: [tg("app-p-a"), tg("app-s-a", { attributes: { "deregistration_delay.timeout_seconds": "300" } })],
    paths: ["attributes.deregistration_delay.timeout_seconds", "attributes.stickiness.enabled"],
  },
  "target-group.no-targets": {
    pass: [tg("app-p-a"), tg("app-s-a", { targetCount: 1 })],
    fail: [tg("app-p-a"), tg("app-s-a", { targetCount: 0 })],
    paths: ["targetCount"],
  },
};
