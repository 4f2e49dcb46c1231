import type { LoadBalancerAttributes, LoadBalancerDescription } from "@aws-sdk/client-elastic-load-balancing";

/** One listener by what clients and instances see: never the certificate's ARN (per region by nature). */
export interface ClassicListener {
  protocol: string;
  instanceProtocol: string;
  instancePort: number;
  /** Whether a server certificate is named (HTTPS and SSL listeners need one). */
  certificate: boolean;
}

export interface ClassicHealthCheck {
  /** PROTOCOL:port/path, e.g. HTTP:8080/health. */
  target: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** What the rules compare of one classic load balancer: meaning, never names, zones' letters or ids. */
export interface NormalizedClassicLoadBalancer {
  /** internet-facing or internal. */
  scheme: string;
  /** How many Availability Zones it serves. */
  zones: number;
  /** By load balancer port. */
  listeners: Record<string, ClassicListener>;
  healthCheck: ClassicHealthCheck;
  crossZone: boolean;
  connectionDraining: { enabled: boolean; timeoutSeconds: number | null };
  idleTimeoutSeconds: number;
}

/** AWS's defaults where an attribute is not given: 60 s idle timeout. */
const DEFAULT_IDLE_TIMEOUT = 60;

export function normalizeClassicLoadBalancer(
  lb: LoadBalancerDescription,
  attributes: LoadBalancerAttributes,
): NormalizedClassicLoadBalancer {
  const listeners: Record<string, ClassicListener> = {};
  for (const { Listener: l } of lb.ListenerDescriptions ?? [])
    if (l)
      listeners[String(l.LoadBalancerPort)] = {
        protocol: (l.Protocol ?? "").toUpperCase(),
        instanceProtocol: (l.InstanceProtocol ?? l.Protocol ?? "").toUpperCase(),
        instancePort: l.InstancePort ?? 0,
        certificate: Boolean(l.SSLCertificateId),
      };
  const hc = lb.HealthCheck;
  const draining = attributes.ConnectionDraining?.Enabled ?? false;
  return {
    scheme: lb.Scheme ?? "internet-facing",
    zones: new Set(lb.AvailabilityZones ?? []).size,
    listeners,
    healthCheck: {
      target: hc?.Target ?? "",
      intervalSeconds: hc?.Interval ?? 0,
      timeoutSeconds: hc?.Timeout ?? 0,
      healthyThreshold: hc?.HealthyThreshold ?? 0,
      unhealthyThreshold: hc?.UnhealthyThreshold ?? 0,
    },
    crossZone: attributes.CrossZoneLoadBalancing?.Enabled ?? false,
    connectionDraining: {
      enabled: draining,
      // The timeout means nothing while draining is off.
      timeoutSeconds: draining ? (attributes.ConnectionDraining?.Timeout ?? null) : null,
    },
    idleTimeoutSeconds: attributes.ConnectionSettings?.IdleTimeout ?? DEFAULT_IDLE_TIMEOUT,
  };
}
