/**
 * MSK cluster pairs on the emulator: primaries in us-east-1, standbys in eu-west-1 named otherwise.
 * One pair is identical in meaning (another name, subnets, KMS key ARN and log group); each other
 * pair has one planted difference; two primaries name a standby of another type (an MSK
 * configuration) and a cluster that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { mskCreationTimeRfc3339 } from "./harness/moto-workarounds.js";
import { drTags } from "./harness/worlds/common.js";
import { createMskCluster, MSK as SHAPE, type MskShape as Shape } from "./harness/worlds/msk-cluster.js";

const env = useEmulator();
const PRIMARY = "us-east-1";
const STANDBY = "eu-west-1";
const ACCOUNT = "123456789012";
let aws: AwsClients;
let result: ScanResult;
let calls: Set<string>;
let proxy: FaultProxy | undefined;

const cluster = (region: string, name: string, shape: Shape, standbyArn?: string) =>
  createMskCluster(
    aws,
    { account: ACCOUNT, region },
    name,
    shape,
    standbyArn ? drTags(standbyArn) : undefined,
  );

/** Each pair: its name, what differs on the standby, and the rule that must report it (none for "same"). */
const PAIRS: { name: string; standby?: Partial<Shape>; rule?: string }[] = [
  { name: "same" },
  { name: "version", standby: { version: "2.8.1" }, rule: "msk-cluster.kafka-version" },
  { name: "brokertype", standby: { brokerType: "kafka.t3.small" }, rule: "msk-cluster.broker-type" },
  { name: "brokers", standby: { brokers: 2 }, rule: "msk-cluster.broker-count" },
  { name: "storage", standby: { storage: 100 }, rule: "msk-cluster.storage" },
  { name: "zones", standby: { subnets: 2 }, rule: "msk-cluster.zones" },
  { name: "transit", standby: { clientBroker: "TLS_PLAINTEXT" }, rule: "msk-cluster.encryption" },
  { name: "auth", standby: { iam: false }, rule: "msk-cluster.authentication" },
  { name: "monitoring", standby: { monitoring: "DEFAULT" }, rule: "msk-cluster.monitoring" },
];

const pairOf = (name: string) => result.pairs.find((p) => p.name === `${name}-use1`);
const ruleIdsOf = (name: string) => pairOf(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

beforeAll(async () => {
  aws = await env.clients();
  for (const pair of PAIRS) {
    const standby = await cluster(STANDBY, `${pair.name}-euw1`, { ...SHAPE, ...pair.standby });
    await cluster(PRIMARY, `${pair.name}-use1`, SHAPE, standby);
  }
  await cluster(
    PRIMARY,
    "config-use1",
    SHAPE,
    `arn:aws:kafka:${STANDBY}:${ACCOUNT}:configuration/kafka-settings/0f0e0d0c-0000-4000-8000-000000000001-1`,
  );
  await cluster(
    PRIMARY,
    "ghost-use1",
    SHAPE,
    `arn:aws:kafka:${STANDBY}:${ACCOUNT}:cluster/ghost-euw1/0f0e0d0c-0000-4000-8000-000000000002-1`,
  );

  proxy = await FaultProxy.start(env.emulator.endpoint, { ...NO_FAULTS, rewrite: mskCreationTimeRfc3339 });
  const recording = recordAwsCalls();
  try {
    result = await runScan(await env.clients({ endpointUrl: proxy.endpoint }), {
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

afterAll(async () => {
  await proxy?.stop();
});

describe("MSK cluster pairs", () => {
  it("finds nothing on a pair identical in meaning (other name, subnets, region, KMS key and log group)", () => {
    expect(pairOf("same")?.secondaryArn).toMatch(/^arn:aws:kafka:eu-west-1:\d{12}:cluster\//);
    expect(pairOf("same")?.findings).toEqual([]);
    expect(pairOf("same")?.status).toBe("pass");
  });

  it("reports each planted difference once, under its own rule only", () => {
    for (const pair of PAIRS.filter((p) => p.rule))
      expect([pair.name, ruleIdsOf(pair.name)]).toEqual([pair.name, [pair.rule]]);
  });

  it("says both values in words", () => {
    const finding = (name: string) => pairOf(name)?.findings[0];
    expect(finding("version")?.message).toBe("the standby cluster runs Kafka 2.8.1, the primary 3.5.1");
    expect(finding("brokers")?.message).toBe("the standby cluster has 2 brokers, the primary 3");
    expect(finding("transit")?.message).toBe(
      "client-broker encryption is TLS_PLAINTEXT on the standby cluster, TLS on the primary",
    );
    expect(finding("auth")).toMatchObject({
      severity: "critical",
      message: "IAM access is off on the standby cluster, on on the primary",
    });
  });

  it("reports a standby ARN of another type and one that does not exist, and still scans the rest", () => {
    expect(pairOf("config")?.findings.map((f) => [f.ruleId, f.resourceType])).toEqual([
      ["pair.secondary-other-kind", "pair"],
    ]);
    expect(pairOf("ghost")?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual(
      [...PAIRS.map((p) => p.name), "config", "ghost"].map((name) => `${name}-use1`).sort(),
    );
  });

  it("makes only the calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("lists clusters region-wide: one listing per region, whatever the number of pairs", () => {
    const compared = PAIRS.length;
    const mskCalls = Object.entries(result.stats.calls).filter(
      ([op]) => op.startsWith("Kafka.") || op.startsWith("ResourceGroupsTaggingAPI."),
    );
    const total = mskCalls.reduce((sum, [, n]) => sum + n, 0);
    const perPairSide = total / (compared * 2);
    console.log(
      `MSK cluster scan: ${compared} pairs compared, ${total} Kafka and tagging calls (${perPairSide.toFixed(2)} per pair per side):`,
      Object.fromEntries(mskCalls),
    );
    expect(result.stats.calls["Kafka.ListClustersV2"]).toBe(2);
    expect(perPairSide).toBeLessThan(1);
  });
});
