import type { RuleCases } from "../../core/rule-cases.testing.js";
import type { QuotaReading } from "../../aws/service-quotas.js";
import type { QuotaUsage } from "../quota-check.js";
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

const ENI_QUOTA: QuotaReading = {
  service: "vpc",
  code: "L-DF5E4CA3",
  name: "Network interfaces per Region",
  value: 100,
  source: "applied",
};
const EIP_QUOTA: QuotaReading = {
  service: "ec2",
  code: "L-0263D0A3",
  name: "EC2-VPC Elastic IPs",
  value: 5,
  source: "default",
};
const usage = (inUse: number, quota: QuotaReading): QuotaUsage => ({
  region: "eu-west-1",
  inUse: { count: inUse },
  quota,
});

/** A primary VPC with `enis` network interfaces and `eips` Elastic IPs. */
const holding = (enis: number, eips: number): NormalizedVpc =>
  vpc({ footprint: { networkInterfaces: { count: enis }, elasticIps: { count: eips } } });

/** A standby VPC with its own interfaces and Elastic IPs, in a region using `enisInUse` and `eipsInUse` of them. */
const standbyIn = (enis: number, eips: number, enisInUse: number, eipsInUse: number): NormalizedVpc => ({
  ...holding(enis, eips),
  regionQuotas: { networkInterfaces: usage(enisInUse, ENI_QUOTA), elasticIps: usage(eipsInUse, EIP_QUOTA) },
});

export const cases: RuleCases<NormalizedVpc> = {
  "vpc.network-interface-quota": {
    // 90 in use + (40 - 30) = 100: just fits.
    pass: [holding(40, 0), standbyIn(30, 0, 90, 0)],
    // 95 in use + (40 - 30) = 105 > 100.
    fail: [holding(40, 0), standbyIn(30, 0, 95, 0)],
    paths: ["regionQuotas.networkInterfaces"],
  },
  "vpc.elastic-ip-quota": {
    // 2 in use + (3 - 0) = 5: just fits.
    pass: [holding(10, 3), standbyIn(10, 0, 10, 2)],
    // 4 in use + 3 = 7 > 5.
    fail: [holding(10, 3), standbyIn(10, 0, 10, 4)],
    paths: ["regionQuotas.elasticIps"],
  },
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
