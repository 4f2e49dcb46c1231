import { differ, same } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import { describeActions, describeConditions } from "./describe.js";
import type { NormalizedListener } from "./normalize.js";

type ListenerRule = Rule<NormalizedListener>;

export const listenerRules: ListenerRule[] = [
  {
    id: "listener.protocol",
    resourceType: "listener",
    severity: "high",
    title: "Listener protocol",
    compares: "the protocol of the listeners on the same port",
    rationale:
      "Clients that speak HTTPS to the primary's port get a protocol error from a standby listening with HTTP (or the reverse).",
    remediation: "Modify the standby listener's protocol (and certificate) to match the primary.",
    check: (p, s) =>
      differ(
        "protocol",
        p.protocol,
        s.protocol,
        `port ${p.port} is ${s.protocol} on the standby, ${p.protocol} on the primary`,
      ),
  },
  {
    id: "listener.ssl-policy",
    resourceType: "listener",
    severity: "medium",
    title: "TLS security policy",
    compares: "the SslPolicy of HTTPS and TLS listeners",
    rationale:
      "A weaker policy on the standby lowers security after failover; a stricter one breaks older clients exactly when traffic moves.",
    remediation: "Set the standby listener's SslPolicy to the primary's with modify-listener.",
    check: (p, s) =>
      differ(
        "sslPolicy",
        p.sslPolicy,
        s.sslPolicy,
        `port ${p.port} uses TLS policy ${String(s.sslPolicy)} on the standby, ${String(p.sslPolicy)} on the primary`,
      ),
  },
  {
    id: "listener.alpn",
    resourceType: "listener",
    severity: "low",
    title: "ALPN policy",
    compares: "the ALPN policy of TLS listeners",
    rationale: "HTTP/2 or gRPC clients negotiate differently with a standby whose ALPN policy differs.",
    remediation: "Set the standby listener's AlpnPolicy to the primary's.",
    check: (p, s) =>
      differ(
        "alpn",
        p.alpn,
        s.alpn,
        `port ${p.port} has ALPN ${s.alpn.join(",") || "none"} on the standby, ${p.alpn.join(",") || "none"} on the primary`,
      ),
  },
  {
    id: "listener.default-actions",
    resourceType: "listener",
    severity: "high",
    title: "Default actions",
    compares:
      "the default actions: forward (to which target groups, matched as twins through the pair; weights, stickiness), redirect, fixed response, authenticate",
    rationale:
      "Requests no rule matches take the default action; a different one sends them somewhere else after failover.",
    remediation:
      "Make the standby listener's default actions the same as the primary's (modify-listener --default-actions).",
    check: (p, s) =>
      differ(
        "defaultActions",
        p.defaultActions,
        s.defaultActions,
        `port ${p.port}: the standby ${describeActions(s.defaultActions)}; the primary ${describeActions(p.defaultActions)}`,
      ),
  },
  {
    id: "listener.rule-missing",
    resourceType: "listener",
    severity: "high",
    title: "Listener rules present on one side only",
    compares: "the set of rule priorities of the listeners on the same port",
    rationale:
      "A path or host the primary routes specially falls through to the default action on the standby.",
    remediation:
      "Create the missing rule on the standby with the same priority, conditions and actions (or delete the extra one).",
    check: (p, s) => {
      const out: Difference[] = [];
      for (const priority of new Set([...Object.keys(p.rules), ...Object.keys(s.rules)])) {
        const [a, b] = [p.rules[priority], s.rules[priority]];
        if (a && !b)
          out.push({
            path: `rules[${priority}]`,
            primary: a,
            secondary: null,
            status: "missing",
            message: `the standby's port ${p.port} has no rule with priority ${priority}`,
          });
        if (!a && b)
          out.push({
            path: `rules[${priority}]`,
            primary: null,
            secondary: b,
            status: "missing",
            message: `the standby's port ${p.port} has a rule with priority ${priority} that the primary lacks`,
          });
      }
      return out;
    },
  },
  {
    id: "listener.rule-conditions",
    resourceType: "listener",
    severity: "high",
    title: "Listener rule conditions",
    compares:
      "the conditions (host, path, header, method, query, source IP; values as sets) of rules with the same priority",
    rationale: "A rule that matches other requests on the standby routes traffic differently after failover.",
    remediation: "Modify the standby rule's conditions to match the primary's (modify-rule).",
    check: (p, s) =>
      Object.entries(p.rules).flatMap(([priority, a]) => {
        const b = s.rules[priority];
        return b && !same(a.conditions, b.conditions)
          ? [
              {
                path: `rules[${priority}].conditions`,
                primary: a.conditions,
                secondary: b.conditions,
                message: `port ${p.port} rule ${priority} on the standby matches ${describeConditions(b.conditions)}; on the primary it matches ${describeConditions(a.conditions)}`,
              },
            ]
          : [];
      }),
  },
  {
    id: "listener.rule-actions",
    resourceType: "listener",
    severity: "high",
    title: "Listener rule actions",
    compares:
      "the actions of rules with the same priority (target groups matched as twins through the pair, weights, redirects, fixed responses, authentication)",
    rationale: "The same request ends up in a different place on the standby.",
    remediation: "Modify the standby rule's actions to match the primary's (modify-rule).",
    check: (p, s) =>
      Object.entries(p.rules).flatMap(([priority, a]) => {
        const b = s.rules[priority];
        return b && !same(a.actions, b.actions)
          ? [
              {
                path: `rules[${priority}].actions`,
                primary: a.actions,
                secondary: b.actions,
                message: `port ${p.port} rule ${priority} on the standby ${describeActions(b.actions)}; on the primary it ${describeActions(a.actions)}`,
              },
            ]
          : [];
      }),
  },
];
