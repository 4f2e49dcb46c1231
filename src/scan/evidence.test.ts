import { describe, expect, it } from "vitest";
import { fingerprintOf, referencedIds, resourceKeys } from "./evidence.js";

describe("the keys a change is mapped to pairs by", () => {
  it("finds a load balancer inside its listener's and rule's ARNs", () => {
    const lb = resourceKeys(
      "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/Shop-LB/50dc6c495c0c9188",
    );
    const rule = resourceKeys(
      "arn:aws:elasticloadbalancing:eu-west-1:1:listener-rule/app/shop-lb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
    );
    expect(lb.filter((k) => rule.includes(k))).toEqual(["app/shop-lb/50dc6c495c0c9188"]);
  });

  it("names a resource by id, by ARN resource part, by name after its type word, and a queue by its URL", () => {
    expect(resourceKeys("arn:aws:ec2:eu-west-1:1:security-group/sg-0abc")).toContain("sg-0abc");
    expect(resourceKeys("arn:aws:lambda:eu-west-1:1:function:Orders")).toContain("orders");
    expect(resourceKeys("https://sqs.eu-west-1.amazonaws.com/1/orders-queue")).toContain("orders-queue");
    expect(resourceKeys("arn:aws:sqs:eu-west-1:1:orders-queue")).toContain("orders-queue");
    expect(resourceKeys("/hostedzone/Z0123")).toContain("z0123");
    expect(resourceKeys("shop.example.com. A")).toContain("shop.example.com");
    expect(resourceKeys("shop.example.com.")).toContain("shop.example.com");
    expect(resourceKeys("  ")).toEqual([]);
  });
});

describe("what a pair's read names and its fingerprint", () => {
  it("collects the ids of references however deep", () => {
    const found = new Set<string>();
    referencedIds(
      { a: [{ b: { $ref: "target-group", id: "tg-1", name: "x" } }], c: { $ref: "sg", id: "sg-1" } },
      found,
    );
    expect([...found].sort()).toEqual(["sg-1", "tg-1"]);
  });

  it("is the same for the same data and differs for other data", () => {
    expect(fingerprintOf({ a: 1, b: [1, 2] })).toBe(fingerprintOf({ a: 1, b: [1, 2] }));
    expect(fingerprintOf({ a: 1, b: [2, 1] })).not.toBe(fingerprintOf({ a: 1, b: [1, 2] }));
  });
});
