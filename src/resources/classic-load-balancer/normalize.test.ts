import { describe, expect, it } from "vitest";
import { normalizeClassicLoadBalancer } from "./normalize.js";

describe("normalizeClassicLoadBalancer", () => {
  it("keys listeners by port and keeps whether a certificate is named, never its ARN", () => {
    const n = normalizeClassicLoadBalancer(
      {
        ListenerDescriptions: [
          {
            Listener: {
              Protocol: "https",
              LoadBalancerPort: 443,
              InstancePort: 8080,
              InstanceProtocol: "http",
              SSLCertificateId: "arn:aws:acm:us-east-1:123456789012:certificate/1",
            },
          },
          { Listener: { Protocol: "TCP", LoadBalancerPort: 22, InstancePort: 22 } },
        ],
        AvailabilityZones: ["us-east-1a", "us-east-1b"],
      },
      {},
    );
    expect(n.listeners).toEqual({
      "443": { protocol: "HTTPS", instanceProtocol: "HTTP", instancePort: 8080, certificate: true },
      "22": { protocol: "TCP", instanceProtocol: "TCP", instancePort: 22, certificate: false },
    });
    expect(JSON.stringify(n)).not.toContain("arn:");
    expect(n.zones).toBe(2);
  });

  it("ignores the draining timeout while draining is off, and takes AWS's 60 s idle timeout when absent", () => {
    const n = normalizeClassicLoadBalancer({}, { ConnectionDraining: { Enabled: false, Timeout: 300 } });
    expect(n.connectionDraining).toEqual({ enabled: false, timeoutSeconds: null });
    expect(n.idleTimeoutSeconds).toBe(60);
  });
});
