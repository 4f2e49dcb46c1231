import type { TargetGroup, TargetGroupAttribute } from "@aws-sdk/client-elastic-load-balancing-v2";

export interface NormalizedTargetGroup {
  name: string;
  protocol: string | null;
  port: number | null;
  targetType: string;
  protocolVersion: string | null;
  healthCheck: Record<string, unknown>;
  attributes: Record<string, string>;
  /** Registered targets, whatever their health. */
  targetCount: number;
}

export function normalizeTargetGroup(
  tg: TargetGroup,
  attributes: TargetGroupAttribute[],
  targetCount: number,
): NormalizedTargetGroup {
  return {
    name: tg.TargetGroupName ?? "",
    // Lambda target groups have no protocol, port or VPC.
    protocol: tg.Protocol ?? null,
    port: tg.Port ?? null,
    targetType: tg.TargetType ?? "",
    protocolVersion: tg.ProtocolVersion ?? null,
    healthCheck: {
      enabled: tg.HealthCheckEnabled ?? null,
      protocol: tg.HealthCheckProtocol ?? null,
      port: tg.HealthCheckPort ?? null,
      path: tg.HealthCheckPath ?? null,
      intervalSeconds: tg.HealthCheckIntervalSeconds ?? null,
      timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? null,
      healthyThreshold: tg.HealthyThresholdCount ?? null,
      unhealthyThreshold: tg.UnhealthyThresholdCount ?? null,
      matcherHttp: tg.Matcher?.HttpCode ?? null,
      matcherGrpc: tg.Matcher?.GrpcCode ?? null,
    },
    attributes: Object.fromEntries(attributes.filter((a) => a.Key).map((a) => [a.Key ?? "", a.Value ?? ""])),
    targetCount,
  };
}
