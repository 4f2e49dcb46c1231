import { describe, expect, it } from "vitest";
import { same } from "../../core/compare.js";
import { PairTwins } from "../../core/refs.js";
import { normalizeListener } from "./normalize.js";

const tg = (name: string, region: string) =>
  `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/${name}/${region.length}abc`;

describe("listener normalization", () => {
  it("writes forward targets as references that compare equal when they point at twins", () => {
    const pArn = tg("app-p-a", "us-east-1");
    const sArn = tg("app-s-a", "us-west-2");
    const other = tg("app-s-b", "us-west-2");
    const p = normalizeListener(
      { Port: 443, Protocol: "HTTPS", DefaultActions: [{ Type: "forward", TargetGroupArn: pArn }] },
      [],
      [],
    );
    const forwardTo = (arn: string) =>
      normalizeListener(
        {
          Port: 443,
          Protocol: "HTTPS",
          DefaultActions: [
            { Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }] } },
          ],
        },
        [],
        [],
      );
    const twins = new PairTwins();
    twins.record(
      "target-group",
      [{ primary: { id: pArn, name: "app-p-a" }, standby: { id: sArn, name: "app-s-a" }, method: "pair" }],
      { primary: [], standby: [{ id: other, name: "app-s-b" }] },
    );
    const resolved = (l: ReturnType<typeof forwardTo>, role: "primary" | "standby") =>
      twins.resolve(l.defaultActions, role);
    // Another name, another ARN, a lone target's weight written out: the same action.
    expect(same(resolved(p, "primary"), resolved(forwardTo(sArn), "standby"))).toBe(true);
    expect(same(resolved(p, "primary"), resolved(forwardTo(other), "standby"))).toBe(false);
    expect(p.targetGroupUses).toEqual([
      { key: "443/default/0/w1", arn: pArn, via: "port 443 default action" },
    ]);
  });

  it("compares weighted targets as a set", () => {
    const weighted = (order: [string, number][]) =>
      normalizeListener(
        {
          Port: 80,
          Protocol: "HTTP",
          DefaultActions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: order.map(([n, w]) => ({ TargetGroupArn: tg(n, "us-east-1"), Weight: w })),
              },
            },
          ],
        },
        [],
        [],
      ).defaultActions;
    expect(
      same(
        weighted([
          ["blue", 80],
          ["green", 20],
        ]),
        weighted([
          ["green", 20],
          ["blue", 80],
        ]),
      ),
    ).toBe(true);
    expect(
      same(
        weighted([
          ["blue", 80],
          ["green", 20],
        ]),
        weighted([
          ["blue", 20],
          ["green", 80],
        ]),
      ),
    ).toBe(false);
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
