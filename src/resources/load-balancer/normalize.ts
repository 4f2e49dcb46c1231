import type { LoadBalancer, LoadBalancerAttribute } from "@aws-sdk/client-elastic-load-balancing-v2";

export interface NormalizedLoadBalancer {
  type: string;
  scheme: string;
  ipAddressType: string;
  zones: number;
  attributes: Record<string, string>;
}

/**
 * Attributes whose values are regional or named after the load balancer by nature (each region
 * logs to its own bucket, often under the load balancer's own name): compared by whether they are
 * set, not by their text.
 */
export function isRegionalAttribute(key: string): boolean {
  return key.endsWith(".s3.bucket") || key.endsWith(".s3.prefix");
}

export function normalizeLoadBalancer(
  lb: LoadBalancer,
  attributes: LoadBalancerAttribute[],
): NormalizedLoadBalancer {
  const attrs: Record<string, string> = {};
  for (const { Key, Value } of attributes) {
    if (!Key) continue;
    attrs[Key] = isRegionalAttribute(Key) ? (Value ? "(set)" : "(not set)") : (Value ?? "");
  }
  return {
    type: lb.Type ?? "",
    scheme: lb.Scheme ?? "",
    ipAddressType: lb.IpAddressType ?? "",
    zones: lb.AvailabilityZones?.length ?? 0,
    attributes: attrs,
  };
}
