import { diffMaps, differ } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { ClassicHealthCheck, ClassicListener, NormalizedClassicLoadBalancer } from "./normalize.js";

type ClassicRule = Rule<NormalizedClassicLoadBalancer>;

const onOff = (on: boolean) => (on ? "on" : "off");

const listenerInWords = (l: ClassicListener) =>
  `${l.protocol} to instance ${l.instanceProtocol}:${l.instancePort}${l.certificate ? " with a certificate" : l.protocol === "HTTPS" || l.protocol === "SSL" ? " without a certificate" : ""}`;

/** Listeners by port: one missing on the standby is critical (its clients cannot connect at all). */
function listenersDiffer(p: NormalizedClassicLoadBalancer, s: NormalizedClassicLoadBalancer): Difference[] {
  return diffMaps("listeners", p.listeners, s.listeners, (port, a, b) =>
    a === undefined
      ? `the standby listens on port ${port} (${listenerInWords(b as ClassicListener)}), the primary does not`
      : b === undefined
        ? `the standby has no listener on port ${port}, the primary's is ${listenerInWords(a as ClassicListener)}`
        : `the standby's port ${port} is ${listenerInWords(b as ClassicListener)}, the primary's ${listenerInWords(a as ClassicListener)}`,
  ).map((d) => (d.secondary === null ? { ...d, severity: "critical" as const } : d));
}

const HEALTH_CHECK_WORDS: Record<keyof ClassicHealthCheck, string> = {
  target: "target",
  intervalSeconds: "interval (seconds)",
  timeoutSeconds: "timeout (seconds)",
  healthyThreshold: "healthy threshold",
  unhealthyThreshold: "unhealthy threshold",
};

function healthCheckDiffers(
  p: NormalizedClassicLoadBalancer,
  s: NormalizedClassicLoadBalancer,
): Difference[] {
  return (Object.keys(HEALTH_CHECK_WORDS) as (keyof ClassicHealthCheck)[]).flatMap((field) =>
    differ(
      `healthCheck.${field}`,
      p.healthCheck[field],
      s.healthCheck[field],
      `the standby's health check ${HEALTH_CHECK_WORDS[field]} is ${s.healthCheck[field]}, the primary's ${p.healthCheck[field]}`,
    ),
  );
}

function drainingDiffers(p: NormalizedClassicLoadBalancer, s: NormalizedClassicLoadBalancer): Difference[] {
  const [a, b] = [p.connectionDraining, s.connectionDraining];
  if (a.enabled !== b.enabled)
    return differ(
      "connectionDraining.enabled",
      a.enabled,
      b.enabled,
      `connection draining is ${onOff(b.enabled)} on the standby, ${onOff(a.enabled)} on the primary`,
    );
  return differ(
    "connectionDraining.timeoutSeconds",
    a.timeoutSeconds,
    b.timeoutSeconds,
    `the standby drains connections for ${b.timeoutSeconds} seconds, the primary for ${a.timeoutSeconds}`,
  );
}

export const classicLoadBalancerRules: ClassicRule[] = [
  {
    id: "classic-load-balancer.scheme",
    resourceType: "classic-load-balancer",
    severity: "critical",
    title: "Scheme",
    compares: "Scheme (internet-facing or internal)",
    rationale: "An internal standby cannot serve the primary's internet clients, nor the other way round.",
    remediation:
      "Recreate the standby with the primary's scheme (aws elb create-load-balancer --scheme); the scheme cannot be changed in place.",
    check: (p, s) =>
      differ("scheme", p.scheme, s.scheme, `the standby is ${s.scheme}, the primary ${p.scheme}`),
  },
  {
    id: "classic-load-balancer.listeners",
    resourceType: "classic-load-balancer",
    severity: "high",
    title: "Listeners",
    compares:
      "the listeners by load balancer port: protocol, instance protocol and port, and whether a certificate is named (never its ARN); a port missing on the standby is critical",
    rationale:
      "Clients of a port the standby lacks cannot connect; another protocol or instance port breaks them or the instances.",
    remediation:
      "Add or fix the standby's listener (aws elb create-load-balancer-listeners, with --listeners SSLCertificateId=<a certificate of the standby's region> for HTTPS and SSL).",
    check: listenersDiffer,
  },
  {
    id: "classic-load-balancer.health-check",
    resourceType: "classic-load-balancer",
    severity: "high",
    title: "Health check",
    compares: "the health check's target (protocol, port, path), interval, timeout and thresholds",
    rationale:
      "Another target can mark every standby instance unhealthy (or a broken one healthy); other timings change how fast failed instances leave.",
    remediation: "Set the standby's health check to the primary's (aws elb configure-health-check).",
    check: healthCheckDiffers,
  },
  {
    id: "classic-load-balancer.zones",
    resourceType: "classic-load-balancer",
    severity: "high",
    title: "Availability Zones",
    compares:
      "how many Availability Zones each serves: a standby in fewer (the zones' names differ per region)",
    rationale:
      "A standby in fewer zones loses the service again at the next zone failure once it is the primary.",
    remediation:
      "Enable the standby in more zones (aws elb enable-availability-zones-for-load-balancer, or attach-load-balancer-to-subnets in a VPC).",
    check: (p, s) =>
      s.zones >= p.zones
        ? []
        : differ(
            "zones",
            p.zones,
            s.zones,
            `the standby serves ${s.zones} Availability Zones, the primary ${p.zones}`,
          ),
  },
  {
    id: "classic-load-balancer.cross-zone",
    resourceType: "classic-load-balancer",
    severity: "medium",
    title: "Cross-zone load balancing",
    compares: "CrossZoneLoadBalancing",
    rationale:
      "Without it a zone with few instances is overloaded while others idle, as the primary never was.",
    remediation:
      "Enable cross-zone load balancing on the standby (aws elb modify-load-balancer-attributes --load-balancer-attributes CrossZoneLoadBalancing={Enabled=true}).",
    check: (p, s) =>
      differ(
        "crossZone",
        p.crossZone,
        s.crossZone,
        `cross-zone load balancing is ${onOff(s.crossZone)} on the standby, ${onOff(p.crossZone)} on the primary`,
      ),
  },
  {
    id: "classic-load-balancer.connection-draining",
    resourceType: "classic-load-balancer",
    severity: "medium",
    title: "Connection draining",
    compares: "ConnectionDraining: whether it is on, and its timeout when it is",
    rationale:
      "Without draining (or with a shorter one) requests in flight are cut when an instance leaves during the failover's scaling.",
    remediation:
      "Set the standby's connection draining to the primary's (aws elb modify-load-balancer-attributes --load-balancer-attributes ConnectionDraining={Enabled=true,Timeout=<seconds>}).",
    check: drainingDiffers,
  },
  {
    id: "classic-load-balancer.idle-timeout",
    resourceType: "classic-load-balancer",
    severity: "medium",
    title: "Idle timeout",
    compares: "ConnectionSettings.IdleTimeout in seconds",
    rationale: "A shorter idle timeout cuts long requests and uploads the primary lets finish.",
    remediation:
      "Set the standby's idle timeout to the primary's (aws elb modify-load-balancer-attributes --load-balancer-attributes ConnectionSettings={IdleTimeout=<seconds>}).",
    check: (p, s) =>
      differ(
        "idleTimeoutSeconds",
        p.idleTimeoutSeconds,
        s.idleTimeoutSeconds,
        `the standby's idle timeout is ${s.idleTimeoutSeconds} seconds, the primary's ${p.idleTimeoutSeconds}`,
      ),
  },
];
