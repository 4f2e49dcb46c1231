import { diffMaps, differ, show } from "../../core/compare.js";
import type { Rule, ScanSettings } from "../../core/rule.js";
import type { Severity } from "../../core/finding.js";
import type { NormalizedTargetGroup } from "./normalize.js";

type TgRule = Rule<NormalizedTargetGroup>;

/** A group by its primary name, and its standby twin's when that differs. */
const named = (p: NormalizedTargetGroup, s: NormalizedTargetGroup) =>
  p.name === s.name ? `target group ${p.name}` : `target group ${p.name} (standby ${s.name})`;

/** How bad an empty standby is depends on how much of it is meant to run before failover. */
export function emptyStandbySeverity(strategy: ScanSettings["strategy"]): Severity {
  return {
    "backup-restore": "info",
    "pilot-light": "info",
    "warm-standby": "high",
    "hot-standby": "critical",
  }[strategy] as Severity;
}

export const targetGroupRules: TgRule[] = [
  {
    id: "target-group.settings",
    resourceType: "target-group",
    severity: "high",
    title: "Target group protocol, port, target type and protocol version",
    compares: "Protocol, Port, TargetType and ProtocolVersion of twin target groups",
    rationale:
      "Targets registered on the standby are reached on another port or protocol than the application listens on.",
    remediation:
      "Recreate the standby target group with the primary's settings (they cannot be modified in place) and point the listener at it.",
    check: (p, s) => [
      ...differ(
        "protocol",
        p.protocol,
        s.protocol,
        `${named(p, s)} uses protocol ${String(s.protocol)} on the standby, ${String(p.protocol)} on the primary`,
      ),
      ...differ(
        "port",
        p.port,
        s.port,
        `${named(p, s)} sends to port ${String(s.port)} on the standby, ${String(p.port)} on the primary`,
      ),
      ...differ(
        "targetType",
        p.targetType,
        s.targetType,
        `${named(p, s)} has target type ${s.targetType} on the standby, ${p.targetType} on the primary`,
      ),
      ...differ(
        "protocolVersion",
        p.protocolVersion,
        s.protocolVersion,
        `${named(p, s)} uses ${String(s.protocolVersion)} on the standby, ${String(p.protocolVersion)} on the primary`,
      ),
    ],
  },
  {
    id: "target-group.health-check",
    resourceType: "target-group",
    severity: "medium",
    title: "Health check settings",
    compares:
      "health-check protocol, port, path, interval, timeout, thresholds and the HTTP or gRPC success codes",
    rationale:
      "A standby that checks another path or expects other codes marks healthy targets unhealthy (or the reverse) just when it takes over.",
    remediation: "Run modify-target-group on the standby with the primary's health-check settings.",
    check: (p, s) =>
      diffMaps(
        "healthCheck",
        p.healthCheck,
        s.healthCheck,
        (key, a, b) =>
          `${named(p, s)} health check ${key} is ${show(b)} on the standby, ${show(a)} on the primary`,
      ),
  },
  {
    id: "target-group.attributes",
    resourceType: "target-group",
    severity: "medium",
    title: "Target group attributes",
    compares:
      "every target-group attribute key by key (stickiness, deregistration delay, slow start, load-balancing algorithm, cross-zone, ...)",
    rationale: "Sessions, draining and load spreading behave differently on the standby.",
    remediation: "Apply the primary's attribute values with modify-target-group-attributes on the standby.",
    check: (p, s) =>
      diffMaps("attributes", p.attributes, s.attributes, (key, a, b) =>
        a === undefined || b === undefined
          ? `${named(p, s)} attribute ${key} is present on the ${a === undefined ? "standby" : "primary"} only`
          : `${named(p, s)} attribute ${key} is ${show(b)} on the standby, ${show(a)} on the primary`,
      ),
  },
  {
    id: "target-group.no-targets",
    resourceType: "target-group",
    severity: "high",
    title: "Standby target group has no registered targets",
    compares:
      "whether the standby group has registered targets when the primary has some; the severity follows `strategy` (pilot light and backup-restore: info, warm standby: high, hot standby: critical)",
    rationale:
      "A standby with no targets answers 503 until capacity is scaled out and registered, which is planned in a pilot light and an outage in a warm standby.",
    remediation:
      "Scale the standby Auto Scaling group to its warm capacity, or set `strategy: pilot-light` if an empty standby is intended.",
    check: (p, s, settings) =>
      p.targetCount > 0 && s.targetCount === 0
        ? [
            {
              path: "targetCount",
              primary: p.targetCount,
              secondary: 0,
              severity: emptyStandbySeverity(settings.strategy),
              message: `${named(p, s)} has no targets on the standby (${p.targetCount} on the primary)`,
            },
          ]
        : [],
  },
];
