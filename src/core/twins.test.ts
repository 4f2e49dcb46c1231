import { describe, expect, it } from "vitest";
import { matchTwins, type MatchSides, type TwinCandidate } from "./twins.js";

const sides = (primaryLb = "app-p", standbyLb = "app-s"): MatchSides => ({
  primary: { region: "us-east-1", ownName: primaryLb, otherName: standbyLb },
  standby: { region: "us-west-2", ownName: standbyLb, otherName: primaryLb },
});
const c = (id: string, name: string, shape?: string): TwinCandidate => ({
  id,
  name,
  ...(shape ? { shape } : {}),
});
const pairs = (r: ReturnType<typeof matchTwins>) =>
  r.links.map((l) => `${l.primary.id}=${l.standby.id}:${l.method}`).sort();

describe("twin matching", () => {
  it("matches through the pair first, whatever the names", () => {
    const r = matchTwins(
      [c("p1", "alpha"), c("p2", "beta")],
      [c("s1", "omega"), c("s2", "sigma")],
      [
        { primaryId: "p1", standbyId: "s2", via: "port 443 default action" },
        { primaryId: "p2", standbyId: "s1", via: "port 443 rule 10" },
      ],
      sides(),
    );
    expect(pairs(r)).toEqual(["p1=s2:pair", "p2=s1:pair"]);
    expect(r.links.find((l) => l.primary.id === "p1")?.via).toBe("port 443 default action");
  });

  it("does not follow evidence that contradicts the names of both ends", () => {
    // The standby's default action moved to the api group: app and api still pair by name.
    const r = matchTwins(
      [c("app-p", "app-p-app"), c("api-p", "app-p-api")],
      [c("app-s", "app-s-app"), c("api-s", "app-s-api")],
      [
        { primaryId: "app-p", standbyId: "api-s", via: "port 443 default action" },
        { primaryId: "api-p", standbyId: "api-s", via: "port 443 rule 10" },
      ],
      sides(),
    );
    expect(pairs(r)).toEqual(["api-p=api-s:pair", "app-p=app-s:normalized-name"]);
  });

  it("falls back to names, then names without region and role, then shape", () => {
    const r = matchTwins(
      [c("p1", "web"), c("p2", "api-use1"), c("p3", "x1", "HTTP:8080"), c("p4", "y1", "HTTP:9090")],
      [c("s1", "web"), c("s2", "api-usw2"), c("s3", "q7", "HTTP:8080"), c("s4", "z", "TCP:9090")],
      [],
      sides(),
    );
    expect(pairs(r)).toEqual(["p1=s1:name", "p2=s2:normalized-name", "p3=s3:shape"]);
    expect(r.unmatchedPrimary.map((x) => x.id)).toEqual(["p4"]);
    expect(r.unmatchedStandby.map((x) => x.id)).toEqual(["s4"]);
  });

  it("reports two candidates with the same key as ambiguous and never guesses", () => {
    const r = matchTwins(
      [c("p1", "orders")],
      [c("s1", "orders-blue"), c("s2", "orders-green")],
      [],
      sides("orders-lb", "dr-orders-lb"),
    );
    expect(r.links).toEqual([]);
    expect(r.ambiguous).toEqual([
      {
        key: "orders",
        primary: [{ id: "p1", name: "orders" }],
        standby: [
          { id: "s1", name: "orders-blue" },
          { id: "s2", name: "orders-green" },
        ],
      },
    ]);
  });

  it("leaves tied evidence the names cannot settle to the later steps", () => {
    const r = matchTwins(
      [c("p1", "k1", "A"), c("p2", "k2", "B")],
      [c("s1", "m1", "A"), c("s2", "m2", "B")],
      [
        { primaryId: "p1", standbyId: "s1", via: "a" },
        { primaryId: "p1", standbyId: "s2", via: "a" },
        { primaryId: "p2", standbyId: "s1", via: "a" },
        { primaryId: "p2", standbyId: "s2", via: "a" },
      ],
      sides(),
    );
    expect(pairs(r)).toEqual(["p1=s1:shape", "p2=s2:shape"]);
  });

  it("leaves shape alone when two candidates have it", () => {
    const r = matchTwins(
      [c("p1", "a", "HTTP:80")],
      [c("s1", "b", "HTTP:80"), c("s2", "d", "HTTP:80")],
      [],
      sides(),
    );
    expect(r.links).toEqual([]);
  });

  it("keeps, of tied evidence, what the names agree with", () => {
    // Two weighted targets of one forward action: each primary group is seen with both standby ones.
    const r = matchTwins(
      [c("p1", "web-blue-x"), c("p2", "web-green-y")],
      [c("s1", "web-blue-x"), c("s2", "web-green-y")],
      [
        { primaryId: "p1", standbyId: "s1", via: "a" },
        { primaryId: "p1", standbyId: "s2", via: "a" },
        { primaryId: "p2", standbyId: "s1", via: "a" },
        { primaryId: "p2", standbyId: "s2", via: "a" },
      ],
      sides(),
    );
    expect(pairs(r)).toEqual(["p1=s1:pair", "p2=s2:pair"]);
  });
});
