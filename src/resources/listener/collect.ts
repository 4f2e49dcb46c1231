import { ops } from "../../aws/services.js";
import {
  ElasticLoadBalancingV2Client,
  DescribeListenerCertificatesCommand,
  DescribeRulesCommand,
  paginateDescribeListeners,
  type Certificate,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../../aws/region-cache.js";
import { normalizeListener, type NormalizedListener } from "./normalize.js";

export const LISTENER_PERMISSIONS = ops(
  "ELBv2",
  "DescribeListeners",
  "DescribeRules",
  "DescribeListenerCertificates",
);

const SECURE = new Set(["HTTPS", "TLS"]);

/** Listeners, then per listener its rules and (for HTTPS/TLS) its certificates: no batch form exists. */
export async function collectListeners(
  cache: RegionCache,
  loadBalancerArn: string,
): Promise<NormalizedListener[]> {
  const elb = cache.client(ElasticLoadBalancingV2Client);
  const listeners = [];
  for await (const page of paginateDescribeListeners(
    { client: elb, pageSize: 400 },
    { LoadBalancerArn: loadBalancerArn },
  )) {
    listeners.push(...(page.Listeners ?? []));
  }
  return Promise.all(
    listeners.map(async (listener) => {
      const rules: Rule[] = [];
      if (
        listener.Protocol !== "TCP" &&
        listener.Protocol !== "TLS" &&
        listener.Protocol !== "UDP" &&
        listener.Protocol !== "TCP_UDP"
      ) {
        let marker: string | undefined;
        do {
          const page = await elb.send(
            new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, PageSize: 400, Marker: marker }),
          );
          rules.push(...(page.Rules ?? []));
          marker = page.NextMarker;
        } while (marker);
      }
      const certificates: Certificate[] = [];
      if (SECURE.has(listener.Protocol ?? "")) {
        let marker: string | undefined;
        do {
          const page = await elb.send(
            new DescribeListenerCertificatesCommand({
              ListenerArn: listener.ListenerArn,
              PageSize: 400,
              Marker: marker,
            }),
          );
          certificates.push(...(page.Certificates ?? []));
          marker = page.NextMarker;
        } while (marker);
      }
      return normalizeListener(listener, rules, certificates);
    }),
  );
}
