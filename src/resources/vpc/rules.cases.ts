import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { NormalizedVpc, Tier } from "./normalize.js";

const tier = (over: Partial<Tier> = {}): Tier => ({
  subnets: 2,
  zones: 2,
  addresses: 502,
  free: 480,
  withoutNat: 0,
  routeTargets: [],
  ...over,
});

const vpc = (over: Partial<NormalizedVpc> = {}): NormalizedVpc => ({
  prefixLength: 16,
  dnsSupport: true,
  dnsHostnames: true,
  internetGateway: true,
  tiers: { public: tier({ withoutNat: 2 }), private: tier() },
  endpoints: { s3: "Gateway", ssm: "Interface" },
  privateLinkEndpoints: 0,
  ...over,
});

const privateTier = (over: Partial<Tier>) => ({ public: tier({ withoutNat: 2 }), private: tier(over) });

export const cases: RuleCases<NormalizedVpc> = {
  "vpc.cidr-prefix": {
    pass: [vpc(), vpc()],
    fail: [vpc(), vpc({ prefixLength: 20 })],
    paths: ["prefixLength"],
  },
  "vpc.subnets": {
    pass: [vpc(), vpc()],
    fail: [
      vpc(),
      vpc({ tiers: { public: tier({ subnets: 3, withoutNat: 3 }), private: tier({ subnets: 1 }) } }),
    ],
    paths: ["tiers.public.subnets", "tiers.private.subnets"],
  },
  "vpc.zones": {
    pass: [vpc({ tiers: privateTier({ zones: 3 }) }), vpc({ tiers: privateTier({ zones: 3 }) })],
    fail: [vpc({ tiers: privateTier({ zones: 3 }) }), vpc()],
    paths: ["tiers.private.zones"],
  },
  "vpc.free-addresses": {
    // The primary uses 502 - 300 = 202 addresses of its private tier.
    pass: [
      vpc({ tiers: privateTier({ free: 300 }) }),
      vpc({ tiers: privateTier({ addresses: 220, free: 202 }) }),
    ],
    fail: [
      vpc({ tiers: privateTier({ free: 300 }) }),
      vpc({ tiers: privateTier({ addresses: 220, free: 201 }) }),
    ],
    paths: ["tiers.private.free"],
  },
  "vpc.nat": {
    pass: [vpc(), vpc()],
    fail: [vpc(), vpc({ tiers: privateTier({ withoutNat: 1 }) })],
    paths: ["tiers.private.nat"],
  },
  "vpc.internet-gateway": {
    pass: [vpc(), vpc()],
    fail: [vpc(), vpc({ internetGateway: false })],
    paths: ["internetGateway"],
  },
  "vpc.endpoints": {
    pass: [vpc(), vpc()],
    fail: [
      vpc({ endpoints: { s3: "Gateway", ssm: "Interface", logs: "Interface" }, privateLinkEndpoints: 1 }),
      vpc({ endpoints: { s3: "Interface", sts: "Interface" } }),
    ],
    paths: ["endpoints.s3", "endpoints.ssm", "endpoints.logs", "endpoints.sts", "privateLinkEndpoints"],
  },
  "vpc.dns": {
    pass: [vpc(), vpc()],
    fail: [vpc(), vpc({ dnsSupport: false, dnsHostnames: false })],
    paths: ["dnsSupport", "dnsHostnames"],
  },
  "vpc.route-targets": {
    pass: [
      vpc({ tiers: privateTier({ routeTargets: ["transit gateway"] }) }),
      vpc({ tiers: privateTier({ routeTargets: ["transit gateway"] }) }),
    ],
    fail: [
      vpc({ tiers: privateTier({ routeTargets: ["peering connection", "transit gateway"] }) }),
      vpc({ tiers: privateTier({ routeTargets: ["transit gateway", "virtual private gateway"] }) }),
    ],
    paths: [
      "tiers.private.routeTargets.peering connection",
      "tiers.private.routeTargets.virtual private gateway",
    ],
  },
};
