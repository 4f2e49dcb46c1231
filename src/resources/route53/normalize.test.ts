import { describe, expect, it } from "vitest";
import { loadBalancerRegion, normalizeDnsName, toRecordRef } from "./normalize.js";

describe("Route 53 normalization", () => {
  it("reads alias names as AWS returns them", () => {
    expect(normalizeDnsName("dualstack.Web-1.us-east-1.elb.amazonaws.com.")).toBe(
      "web-1.us-east-1.elb.amazonaws.com",
    );
  });

  it("reads the region of an application or network load balancer's DNS name", () => {
    expect(loadBalancerRegion("web-1.us-west-2.elb.amazonaws.com")).toBe("us-west-2");
    expect(loadBalancerRegion("dualstack.Web-1234.eu-central-1.elb.amazonaws.com.")).toBe("eu-central-1");
    expect(loadBalancerRegion("net-5a6b.elb.ap-southeast-2.amazonaws.com")).toBe("ap-southeast-2");
    expect(loadBalancerRegion("d111111abcdef8.cloudfront.net")).toBeUndefined();
  });

  it("keeps CNAME and alias records, drops others", () => {
    expect(
      toRecordRef({ Name: "a.example.com.", Type: "CNAME", ResourceRecords: [{ Value: "lb.example.org" }] })
        ?.target,
    ).toBe("lb.example.org");
    expect(
      toRecordRef({
        Name: "\\052.example.com.",
        Type: "A",
        AliasTarget: { DNSName: "x.", HostedZoneId: "Z", EvaluateTargetHealth: false },
      })?.name,
    ).toBe("*.example.com");
    expect(
      toRecordRef({ Name: "a.example.com.", Type: "A", ResourceRecords: [{ Value: "192.0.2.1" }] }),
    ).toBeUndefined();
  });
});
