import type { Resource } from "@aws-sdk/client-api-gateway";
import type { ApiStage } from "./pairing.js";

/** What a stage's API holds, read with it: its resources and whether its deployment exists. */
export interface StageExtras {
  resources: readonly Resource[];
  deploymentFound: boolean;
}

export interface MethodThrottling {
  rateLimit: number | null;
  burstLimit: number | null;
}

export interface MethodCaching {
  enabled: boolean;
  ttlSeconds: number | null;
  encrypted: boolean;
}

export interface MethodLogging {
  /** OFF, ERROR or INFO. */
  level: string;
  dataTrace: boolean;
  metrics: boolean;
}

/** What the rules compare of one stage: meaning, never ids, names, log group or certificate ARNs. */
export interface NormalizedApiStage {
  /** EDGE, REGIONAL or PRIVATE. */
  endpointType: string;
  /** Resources (paths) of the API and the methods on them. */
  resources: number;
  methods: number;
  /** Whether the stage names a deployment and that deployment exists. */
  deployment: boolean;
  /** Method settings by method key ("*\/*" for the whole stage, "orders/GET" for one method). */
  throttling: Record<string, MethodThrottling>;
  caching: { cluster: boolean; clusterSize: string | null; methods: Record<string, MethodCaching> };
  logging: { accessLog: boolean; accessLogFormat: string | null; methods: Record<string, MethodLogging> };
  tracing: boolean;
}

export function normalizeApiStage({ api, stage }: ApiStage, extras: StageExtras): NormalizedApiStage {
  const settings = Object.entries(stage.methodSettings ?? {});
  const each = <T>(pick: (s: (typeof settings)[number][1]) => T): Record<string, T> =>
    Object.fromEntries(settings.map(([key, s]) => [key, pick(s)]));
  const cluster = stage.cacheClusterEnabled ?? false;
  return {
    endpointType: [...(api.endpointConfiguration?.types ?? ["EDGE"])].sort().join("+"),
    resources: extras.resources.length,
    methods: extras.resources.reduce((n, r) => n + Object.keys(r.resourceMethods ?? {}).length, 0),
    deployment: Boolean(stage.deploymentId) && extras.deploymentFound,
    throttling: each((s) => ({
      rateLimit: s.throttlingRateLimit ?? null,
      burstLimit: s.throttlingBurstLimit ?? null,
    })),
    caching: {
      cluster,
      // The size means nothing without a cache cluster.
      clusterSize: cluster ? (stage.cacheClusterSize ?? null) : null,
      methods: each((s) => ({
        enabled: s.cachingEnabled ?? false,
        ttlSeconds: s.cachingEnabled ? (s.cacheTtlInSeconds ?? null) : null,
        encrypted: (s.cachingEnabled ?? false) && (s.cacheDataEncrypted ?? false),
      })),
    },
    logging: {
      accessLog: Boolean(stage.accessLogSettings?.destinationArn),
      accessLogFormat: stage.accessLogSettings?.destinationArn
        ? (stage.accessLogSettings.format ?? null)
        : null,
      methods: each((s) => ({
        level: s.loggingLevel ?? "OFF",
        dataTrace: s.dataTraceEnabled ?? false,
        metrics: s.metricsEnabled ?? false,
      })),
    },
    tracing: stage.tracingEnabled ?? false,
  };
}
