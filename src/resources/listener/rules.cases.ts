import { ref } from "../../core/refs.js";
import { resolved, type RuleCases } from "../../core/rule-cases.testing.js";
import type { TwinLink } from "../../core/twins.js";
import type { NormalizedAction, NormalizedListener, NormalizedRule } from "./normalize.js";

const arn = (region: string, name: string) =>
  `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/${name}/${name.length}`;
const P = { app: arn("us-east-1", "app-p-a"), api: arn("us-east-1", "app-p-b") };
const S = { app: arn("us-west-2", "app-s-a"), api: arn("us-west-2", "app-s-b") };
/** The target groups' twins, as the target-group module matched them. */
const LINKS: TwinLink[] = [
  { primary: { id: P.app, name: "app-p-a" }, standby: { id: S.app, name: "app-s-a" }, method: "pair" },
  { primary: { id: P.api, name: "app-p-b" }, standby: { id: S.api, name: "app-s-b" }, method: "pair" },
];
const name = (a: string) => /targetgroup\/([^/]+)\//.exec(a)?.[1] ?? a;
const forward = (target: string): NormalizedAction => ({
  type: "forward",
  targetGroups: { $set: [{ group: ref("target-group", target, name(target)), weight: null }] },
  stickiness: { enabled: false },
});
const fixed = (code: string, body: string): NormalizedAction => ({
  type: "fixed-response",
  fixedResponse: { StatusCode: code, MessageBody: body, ContentType: "text/plain" },
});
const rule = (host: string, action: NormalizedAction): NormalizedRule => ({
  conditions: [{ field: "host-header", values: [host] }],
  actions: [action],
});

const listener = (side: typeof P, over: Partial<NormalizedListener> = {}): NormalizedListener => ({
  arn: `listener-${side.app}`,
  port: 443,
  protocol: "HTTPS",
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  alpn: [],
  defaultActions: [forward(side.app)],
  rules: { "10": rule("api.example.com", forward(side.api)) },
  certificates: { defaultArn: null, sniArns: [] },
  targetGroupUses: [],
  ...over,
});
/** Primary and standby through the twins: their references equal when they point at twins. */
const pair = (primary: NormalizedListener, standby: NormalizedListener) =>
  resolved("target-group", LINKS, primary, standby);

export const cases: RuleCases<NormalizedListener> = {
  "listener.protocol": {
    pass: pair(listener(P), listener(S)),
    fail: pair(listener(P), listener(S, { protocol: "HTTP" })),
    paths: ["protocol"],
  },
  "listener.ssl-policy": {
    pass: pair(listener(P), listener(S)),
    fail: pair(listener(P), listener(S, { sslPolicy: "ELBSecurityPolicy-2016-08" })),
    paths: ["sslPolicy"],
  },
  "listener.alpn": {
    pass: pair(listener(P, { alpn: ["HTTP2Preferred"] }), listener(S, { alpn: ["HTTP2Preferred"] })),
    fail: pair(listener(P, { alpn: ["HTTP2Preferred"] }), listener(S)),
    paths: ["alpn"],
  },
  "listener.default-actions": {
    // Twins with other names and ARNs: the same action.
    pass: pair(listener(P), listener(S)),
    fail: pair(listener(P), listener(S, { defaultActions: [fixed("503", "maintenance")] })),
    paths: ["defaultActions"],
  },
  "listener.rule-missing": {
    pass: pair(listener(P), listener(S)),
    fail: pair(listener(P), listener(S, { rules: { "20": rule("admin.example.com", fixed("403", "no")) } })),
    paths: ["rules[10]", "rules[20]"],
  },
  "listener.rule-conditions": {
    pass: pair(listener(P), listener(S)),
    fail: pair(listener(P), listener(S, { rules: { "10": rule("api.example.net", forward(S.api)) } })),
    paths: ["rules[10].conditions"],
  },
  "listener.rule-actions": {
    pass: pair(listener(P), listener(S)),
    // The same rule forwards to the twin of the other group.
    fail: pair(listener(P), listener(S, { rules: { "10": rule("api.example.com", forward(S.app)) } })),
    paths: ["rules[10].actions"],
  },
};
