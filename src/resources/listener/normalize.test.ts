import { describe, expect, it } from "vitest";
import { normalizeListener } from "./normalize.js";

const tg = (name: string, region: string) =>
  `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/${name}/${region.length}abc`;

describe("listener normalization", () => {
  it("compares forward targets by name and ignores a lone target's weight", () => {
    const p = normalizeListener(
      {
        Port: 443,
        Protocol: "HTTPS",
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg("app", "us-east-1") }],
      },
      [],
      [],
    );
    const s = normalizeListener(
      {
        Port: 443,
        Protocol: "HTTPS",
        DefaultActions: [
          {
            Type: "forward",
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg("app", "eu-west-1"), Weight: 1 }] },
          },
        ],
      },
      [],
      [],
    );
    expect(s.defaultActions).toEqual(p.defaultActions);
    expect(p.targetGroupUses).toEqual([{ key: "443/default/0/0", arn: tg("app", "us-east-1") }]);
  });

  it("fills redirect defaults and sorts condition values", () => {
    const l = normalizeListener(
      {
        Port: 80,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", StatusCode: "HTTP_301" } }],
      },
      [
        {
          Priority: "5",
          Conditions: [
            { Field: "host-header", HostHeaderConfig: { Values: ["b.example.com", "a.example.com"] } },
          ],
          Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
        },
        { Priority: "default", IsDefault: true },
      ],
      [],
    );
    expect(l.defaultActions[0]).toEqual({
      type: "redirect",
      redirect: {
        Protocol: "HTTPS",
        Port: "#{port}",
        Host: "#{host}",
        Path: "/#{path}",
        Query: "#{query}",
        StatusCode: "HTTP_301",
      },
    });
    expect(Object.keys(l.rules)).toEqual(["5"]);
    expect(l.rules["5"]?.conditions).toEqual([
      { field: "host-header", values: ["a.example.com", "b.example.com"] },
    ]);
  });

  it("takes SNI certificates from DescribeListenerCertificates, the default one apart", () => {
    const l = normalizeListener(
      { Port: 443, Protocol: "HTTPS", Certificates: [{ CertificateArn: "d" }] },
      [],
      [{ CertificateArn: "d", IsDefault: true }, { CertificateArn: "s2" }, { CertificateArn: "s1" }],
    );
    expect(l.certificates).toEqual({ defaultArn: "d", sniArns: ["s1", "s2"] });
  });
});
