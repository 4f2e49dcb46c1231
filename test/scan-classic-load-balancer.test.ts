/**
 * Classic load balancer pairs on the emulator: primaries in us-east-1, standbys in eu-west-1 named
 * otherwise. One pair is identical in meaning (another name, zones' letters and certificate ARN);
 * each other pair has one planted difference; two primaries name a standby of another type (an
 * application load balancer's ARN) and one that does not exist.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import {
  CLASSIC as SHAPE,
  classicArn,
  createClassicLoadBalancer,
  type ClassicShape as Shape,
} from "./harness/worlds/classic-load-balancer.js";
import { drTagList } from "./harness/worlds/common.js";

const env = useEmulator();
const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const ACCOUNT = "123456789012";
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;

const arnOf = (region: string, name: string) => classicArn({ account: ACCOUNT, region }, name);

/** A classic load balancer, tagged as the primary of `standbyArn` when given (IAM certificates, see the builder). */
async function classic(region: string, name: string, shape: Shape, standbyArn?: string) {
  await createClassicLoadBalancer(
    aws,
    { account: ACCOUNT, region },
    name,
    shape,
    standbyArn ? drTagList(standbyArn) : undefined,
  );
}

/** Each pair: its name, what differs on the standby, and the rule that must report it (none for "same"). */
const PAIRS: { name: string; standby?: Partial<Shape>; rule?: string }[] = [
  { name: "same" },
  { name: "scheme", standby: { scheme: "internal" }, rule: "classic-load-balancer.scheme" },
  {
    name: "listener",
    standby: { listeners: SHAPE.listeners.slice(0, 1) },
    rule: "classic-load-balancer.listeners",
  },
  {
    name: "health",
    standby: { healthCheck: { ...SHAPE.healthCheck, Target: "TCP:8080" } },
    rule: "classic-load-balancer.health-check",
  },
  { name: "zones", standby: { zones: ["a"] }, rule: "classic-load-balancer.zones" },
  {
    name: "crosszone",
    standby: { attributes: { ...SHAPE.attributes, CrossZoneLoadBalancing: { Enabled: false } } },
    rule: "classic-load-balancer.cross-zone",
  },
  {
    name: "draining",
    standby: { attributes: { ...SHAPE.attributes, ConnectionDraining: { Enabled: false } } },
    rule: "classic-load-balancer.connection-draining",
  },
  {
    name: "idle",
    standby: { attributes: { ...SHAPE.attributes, ConnectionSettings: { IdleTimeout: 30 } } },
    rule: "classic-load-balancer.idle-timeout",
  },
];

const pairOf = (name: string) => result.pairs.find((p) => p.name === `${name}-use1`);
const ruleIdsOf = (name: string) => pairOf(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

beforeAll(async () => {
  aws = await env.clients();
  for (const pair of PAIRS) {
    await classic(STANDBY, `${pair.name}-euw1`, { ...SHAPE, ...pair.standby });
    await classic(PRIMARY, `${pair.name}-use1`, SHAPE, arnOf(STANDBY, `${pair.name}-euw1`));
  }
  await classic(
    PRIMARY,
    "alb-use1",
    SHAPE,
    `arn:aws:elasticloadbalancing:${STANDBY}:${ACCOUNT}:loadbalancer/app/web-euw1/50dc6c495c0c9188`,
  );
  await classic(PRIMARY, "ghost-use1", SHAPE, arnOf(STANDBY, "ghost-euw1"));

  const recording = recordAwsCalls();
  try {
    result = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: [PRIMARY],
      configPairs: [],
      settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
      suppressions: [],
      concurrency: 4,
    });
  } finally {
    recording.stop();
  }
  calls = recording.calls;
});

describe("classic load balancer pairs", () => {
  it("finds nothing on a pair identical in meaning (other name, zones, region and certificate ARN)", () => {
    expect(pairOf("same")?.secondaryArn).toBe(arnOf(STANDBY, "same-euw1"));
    expect(pairOf("same")?.findings).toEqual([]);
    expect(pairOf("same")?.status).toBe("pass");
  });

  it("reports each planted difference once, under its own rule only", () => {
    for (const pair of PAIRS.filter((p) => p.rule))
      expect([pair.name, ruleIdsOf(pair.name)]).toEqual([pair.name, [pair.rule]]);
  });

  it("says both values in words", () => {
    const finding = (name: string) => pairOf(name)?.findings[0];
    expect(finding("scheme")?.message).toBe("the standby is internal, the primary internet-facing");
    expect(finding("listener")).toMatchObject({ path: "listeners.443", severity: "critical" });
    // The emulator keeps the listener's protocol as its instance protocol, whatever was asked.
    expect(finding("listener")?.message).toMatch(
      /^the standby has no listener on port 443, the primary's is HTTPS to instance HTTPS?:8080 with a certificate$/,
    );
    expect(finding("health")?.message).toBe(
      "the standby's health check target is TCP:8080, the primary's HTTP:8080/health",
    );
    expect(finding("draining")?.message).toBe("connection draining is off on the standby, on on the primary");
  });

  it("reports an application load balancer's ARN as another type, one that does not exist as not found", () => {
    expect(pairOf("alb")?.findings.map((f) => [f.ruleId, f.resourceType])).toEqual([
      ["pair.secondary-other-kind", "pair"],
    ]);
    expect(pairOf("ghost")?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [...PAIRS.map((p) => p.name), "alb", "ghost"].map((name) => `${name}-use1`).sort(),
    );
  });

  it("makes only the calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("lists load balancers region-wide and reads attributes once per side", () => {
    const compared = PAIRS.length;
    const elbCalls = Object.entries(result.stats.calls).filter(
      ([op]) => op.startsWith("ELB.") || op.startsWith("ResourceGroupsTaggingAPI."),
    );
    const total = elbCalls.reduce((sum, [, n]) => sum + n, 0);
    const perPairSide = total / (compared * 2);
    console.log(
      `Classic load balancer scan: ${compared} pairs compared, ${total} ELB and tagging calls (${perPairSide.toFixed(2)} per pair per side):`,
      Object.fromEntries(elbCalls),
    );
    expect(result.stats.calls["ELB.DescribeLoadBalancers"]).toBe(2);
    expect(result.stats.calls["ELB.DescribeLoadBalancerAttributes"]).toBe(compared * 2);
    expect(perPairSide).toBeLessThan(2);
  });
});
