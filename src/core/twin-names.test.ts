import { describe, expect, it } from "vitest";
import { nameKey, regionSpellings, type NameSide } from "./twin-names.js";

const side = (region: string, ownName: string, otherName: string): NameSide => ({
  region,
  ownName,
  otherName,
});
const east = (own: string, other: string) => side("us-east-1", own, other);
const west = (own: string, other: string) => side("us-west-2", own, other);

describe("twin name keys", () => {
  it("spells a region every way names use it", () => {
    expect(regionSpellings("us-east-1")).toEqual(
      expect.arrayContaining(["us-east-1", "useast1", "use1", "us-e1", "iad"]),
    );
  });

  it("takes out role suffixes and the parts that tell the pair's load balancers apart", () => {
    expect(nameKey("app-p-a", east("app-p", "app-s"))).toBe(nameKey("app-s-a", west("app-s", "app-p")));
    expect(nameKey("app-p-a", east("app-p", "app-s"))).toBe("app-a");
    expect(nameKey("checkout-web", east("checkout", "zeta9"))).toBe("web");
    expect(nameKey("zeta9-web", west("zeta9", "checkout"))).toBe("web");
  });

  it("takes out region codes written in several styles, as whole words only", () => {
    const p = east("shop-use1-alb", "shop-usw2-alb");
    const s = west("shop-usw2-alb", "shop-use1-alb");
    expect(nameKey("shop-use1-web", p)).toBe("shop-web");
    expect(nameKey("shop-usw2-web", s)).toBe("shop-web");
    expect(nameKey("api_us-east-1_tg", p)).toBe(nameKey("api-us-west-2-tg", s));
    expect(nameKey("web-iad", p)).toBe(nameKey("web-pdx", s));
    expect(nameKey("web-east", p)).toBe(nameKey("web-west", s));
    expect(nameKey("house1-use1x", p)).toBe("house1-use1x");
  });

  it("takes out role and colour words and a dr- prefix", () => {
    expect(nameKey("dr-orders", west("dr-orders-lb", "orders-lb"))).toBe("orders");
    expect(nameKey("orders", east("orders-lb", "dr-orders-lb"))).toBe("orders");
    expect(nameKey("web-blue", east("web-blue", "web-green"))).toBe(
      nameKey("web-green", west("web-green", "web-blue")),
    );
    expect(nameKey("Payments-PRIMARY", east("x", "y"))).toBe("payments");
  });

  it("keeps unicode and very long names whole", () => {
    const long = `svc-${"x".repeat(250)}`;
    expect(nameKey(long, east("a", "b"))).toBe(long);
    expect(nameKey("café-web", east("a", "b"))).toBe("café-web");
  });
});
