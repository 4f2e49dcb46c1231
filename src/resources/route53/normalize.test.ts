import { describe, expect, it } from "vitest";
import { normalizeDnsName, regionNeutralName, toRecordRef } from "./normalize.js";

describe("Route 53 normalization", () => {
  it("reads alias names as AWS returns them", () => {
    expect(normalizeDnsName("dualstack.Web-1.us-east-1.elb.amazonaws.com.")).toBe(
      "web-1.us-east-1.elb.amazonaws.com",
    );
  });

  it("writes the region of a record name as {region}", () => {
    expect(regionNeutralName("web.use1.example.com", "us-east-1")).toBe("web.{region}.example.com");
    expect(regionNeutralName("web-us-west-2.example.com", "us-west-2")).toBe("web-{region}.example.com");
    expect(regionNeutralName("web.uswest2.example.com", "us-west-2")).toBe("web.{region}.example.com");
    // only whole tokens: "house1" contains "use1" but is not a region
    expect(regionNeutralName("house1.example.com", "us-east-1")).toBe("house1.example.com");
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
