/**
 * drctl init on a two-region world whose standby is not us-west-2 (us-east-1 -> eu-west-1) and
 * whose names differ per region: the file it writes loads as drctl.yaml, and scan and freshness
 * run with it find the world's pairs and stores, no store with a copy called unprotected. Bad
 * input: a region not enabled, two candidate twins, near-miss DR tags, the tagging API denied, an
 * existing file.
 */
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import { buildDataStores, type DataStores } from "../demo/world/data.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { ruleIds } from "../src/catalog.js";
import { runCli } from "../src/cli/program.js";
import { loadConfig } from "../src/config/load.js";
import type { FreshnessResult } from "../src/core/freshness-result.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "eu-west-1"];
const NOT_ENABLED = "ap-east-1"; // not opted in, as the emulator's account has it
let aws: AwsClients;
let endpoint: string;
let world: World;
let stores: DataStores;
let dir: string;
const arns: Record<string, string> = {};

async function cli(args: string[], at = endpoint) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", at, ...args], {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function queue(name: string, region: string, tags: Record<string, string>) {
  const q = await aws.get(SQSClient, region).send(new CreateQueueCommand({ QueueName: name, tags }));
  arns[`${region}:${name}`] = `arn:aws:sqs:${region}:123456789012:${name}`;
  return q;
}

async function topic(name: string, region: string, tags: Record<string, string>) {
  const t = await aws.get(SNSClient, region).send(
    new CreateTopicCommand({
      Name: name,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  arns[`${region}:${name}`] = t.TopicArn ?? "";
}

async function table(name: string, tags: Record<string, string>) {
  await aws.get(DynamoDBClient, P).send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

beforeAll(async () => {
  aws = await env.clients();
  const behaviour = new AwsBehaviour(aws);
  const proxy = await behaviour.proxy(env.emulator.endpoint);
  endpoint = proxy.endpoint;
  const through = await env.clients({ endpointUrl: endpoint });
  world = await buildWorld(aws, { pairs: 3, primaryRegion: P, standbyRegion: S, styledSides: "both" });
  stores = await buildDataStores(through, behaviour, { primaryRegion: P, standbyRegion: S });

  // Twins by name only: a queue each side, nothing pairs them.
  await queue("jobs-use1", P, { service: "jobs" });
  await queue("jobs-euw1", S, { service: "jobs" });
  // Two candidate twins in the standby region for one topic: neither may be chosen.
  await topic("alerts", P, { service: "alerts" });
  await topic("alerts-dr", S, { service: "alerts" });
  await topic("alerts-euw1", S, { service: "alerts" });
  // Near-miss DR tags, one of each kind, on resources with no twin.
  await queue("billing-in", P, {
    Enable: "true",
    isPrimary: "true",
    secondaryARN: `arn:aws:sqs:${S}:123456789012:x`,
  });
  await table("ledger", {
    enable: "yes",
    isPrimary: "true",
    secondaryARN: `arn:aws:dynamodb:${S}:123456789012:table/ledger`,
  });
  await topic("payments-events", P, { "isPrimary ": "true", enable: "true" });
  await queue("refunds-in", P, {
    enable: "true",
    isPrimary: "true",
    SecondaryArn: ` arn:aws:sqs:${S}:123456789012:refunds-in-dr `,
  });
  dir = mkdtempSync(join(tmpdir(), "drctl-init-"));
}, 600_000);

describe("drctl init on a us-east-1 -> eu-west-1 world", () => {
  let file: string;
  let text: string;
  let calls: Set<string>;

  beforeAll(async () => {
    file = join(dir, "drctl.yaml");
    const recording = recordAwsCalls();
    const r = await cli(["init", "--regions", `${P},${S},${NOT_ENABLED}`, "--out", file]);
    recording.stop();
    calls = recording.calls;
    expect(r.code, r.err).toBe(0);
    text = readFileSync(file, "utf8");
    console.log(text);
  }, 300_000);

  it("writes a file that loads as drctl.yaml, with the world's regions", () => {
    const { config } = loadConfig(file, { ruleIds: ruleIds() });
    expect(config.regions).toEqual({ primary: P, standby: S });
  });

  it("infers pilot light from the standby's Auto Scaling group at 0 while its primary runs, and says so", () => {
    const { config } = loadConfig(file, { ruleIds: ruleIds() });
    expect(config.strategy).toBe("pilot-light");
    expect(text).toMatch(
      /# Inferred: the standby's Auto Scaling groups run nothing until failover \(desired capacity: \S+ at 0, its primary \S+ at 2\)\.\nstrategy: pilot-light\n/,
    );
    expect(calls).toContain("AutoScaling.DescribeAutoScalingGroups");
  });

  it("makes only the AWS calls the permission table declares for init", () => {
    expect([...calls].sort()).toContain("EC2.DescribeRegions");
    expect(undeclaredBy(calls, "init")).toEqual([]);
  });

  it("lists the region that is not enabled as skipped, with the reason", () => {
    expect(text).toMatch(
      new RegExp(`# Skipped ${NOT_ENABLED}: not enabled in this account \\(not-opted-in\\)`),
    );
  });

  it("gives every proposal its reason, and proposes what AWS records and the twins by name", () => {
    const lines = text.split("\n");
    const entries = lines.flatMap((l, i) => (/^\s*(# )?- primary:/.test(l) ? [i] : []));
    expect(entries.length).toBeGreaterThan(0);
    for (const i of entries) {
      const above = lines.slice(Math.max(0, i - 2), i).join("\n");
      expect(above, lines[i]).toMatch(/# proposed: \S/);
    }
    const { config } = loadConfig(file, { ruleIds: ruleIds() });
    const pairs = new Map(config.pairs.map((p) => [p.primary, p.secondary]));
    expect(pairs.get(world.database.primaryArn)).toBe(world.database.replicaArn);
    expect(pairs.get(arns[`${P}:jobs-use1`] ?? "")).toBe(arns[`${S}:jobs-euw1`]);
    expect(pairs.get(`arn:aws:s3:::${stores.replicatedBucket}`)).toBe(`arn:aws:s3:::${stores.standbyBucket}`);
    expect([...pairs.keys()].some((k) => k.endsWith(`:table/${stores.replicatedTable}`))).toBe(true);
    expect(text).toMatch(/proposed: app-db: AWS records it as the read replica's source/);
    expect(text).toMatch(/proposed: jobs-use1 \(us-east-1\) and jobs-euw1 \(eu-west-1\) are twins by name/);
    // Tagged pairs are said, not repeated as entries.
    for (const p of world.pairs) expect(pairs.has(p.primaryArn)).toBe(false);
    for (const p of world.pairs) expect(text).toContain(`#   ${p.name} (${P}) -> ${p.standbyArn}`);
  });

  it("lists both candidate twins of the topic and chooses neither", () => {
    expect(text).toMatch(
      /# alerts \(arn:aws:sns:us-east-1:\d+:alerts\) has 2 candidate twins, neither chosen:/,
    );
    expect(text).toContain(`#   alerts-dr: ${arns[`${S}:alerts-dr`]}`);
    expect(text).toContain(`#   alerts-euw1: ${arns[`${S}:alerts-euw1`]}`);
    const { config } = loadConfig(file, { ruleIds: ruleIds() });
    expect(config.pairs.some((p) => p.primary === arns[`${P}:alerts`])).toBe(false);
  });

  it("groups applications by the tag in use and prints the choice", () => {
    const { config } = loadConfig(file, { ruleIds: ruleIds() });
    expect(text).toMatch(/# Applications: grouped by the `app` tag/);
    // Each load-balancer pair carries its own app tag in the world.
    expect(config.applications.map((a) => a.tags)).toEqual(
      expect.arrayContaining(world.pairs.map((p) => ({ app: p.name }))),
    );
  });

  it("lists stores without a copy and the near-miss tags with their fixes", () => {
    expect(text).toMatch(/# {3}audit-log \(dynamodb\)/);
    expect(text).toMatch(/# {3}reporting-db \(rds\)/);
    expect(text).toContain("tag key `Enable` should be `enable`");
    expect(text).toContain("tag value `yes` of `enable` should be `true`");
    expect(text).toContain("tag key `isPrimary ` should be `isPrimary`");
    expect(text).toContain("tag key `SecondaryArn` should be `secondaryARN`");
    expect(text).toMatch(
      /# {5}fix: aws resourcegroupstaggingapi tag-resources --region us-east-1 --resource-arn-list \S+ --tags/,
    );
  });

  it("scan with the file: the world's pairs and the proposals, and each near-miss a finding with its fix", async () => {
    const r = await cli(["--config", file, "scan", "--json", "--no-store"]);
    expect([0, 1], r.err).toContain(r.code);
    const result = JSON.parse(r.out) as ScanResult;
    const names = result.pairs.map((p) => p.name);
    for (const p of world.pairs) expect(names).toContain(p.name);
    expect(names).toEqual(expect.arrayContaining(["app-db", "jobs-use1"]));
    const nearMiss = result.pairs.flatMap((p) => p.findings).filter((f) => f.ruleId === "pair.near-miss-tag");
    expect(nearMiss.map((f) => `${f.pair} ${f.path}`).sort()).toEqual([
      "billing-in tags[Enable]",
      "ledger tags[enable]",
      "payments-events tags[isPrimary ]",
      "refunds-in tags[SecondaryArn]",
    ]);
    for (const f of nearMiss)
      expect(f.message).toMatch(/should be `[^`]+`: aws resourcegroupstaggingapi tag-resources /);
  }, 300_000);

  it("freshness with the file: no store with a copy is called unprotected", async () => {
    const r = await cli(["--config", file, "freshness", "--json", "--no-store"]);
    expect([0, 1], r.err).toContain(r.code);
    const result = JSON.parse(r.out) as FreshnessResult;
    expect((result.standbyRegions ?? []).map((s) => s.region)).toContain(S);
    const unprotected = result.stores.filter((s) => s.status === "unprotected").map((s) => s.store);
    for (const copied of ["app-db", stores.replicatedTable, stores.replicatedBucket]) {
      expect(result.stores.some((s) => s.store === copied)).toBe(true);
      expect(unprotected).not.toContain(copied);
    }
    expect(unprotected).toEqual(expect.arrayContaining(["audit-log", "reporting-db"]));
  }, 300_000);
});

describe("drctl init: bad input", () => {
  it("never overwrites without --force; --dry-run prints the file and the changes against it", async () => {
    const file = join(dir, "existing.yaml");
    writeFileSync(file, "version: 1\nrpo: 1h\n");
    const refused = await cli(["init", "--regions", `${P},${S}`, "--out", file]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/exists: drctl init never overwrites without --force/);
    expect(readFileSync(file, "utf8")).toBe("version: 1\nrpo: 1h\n");

    const dry = await cli(["init", "--regions", `${P},${S}`, "--out", file, "--dry-run"]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/^# drctl.yaml written by drctl init/);
    expect(dry.out).toContain(`# --- changes against ${file} ---`);
    expect(dry.out).toMatch(/^- rpo: 1h$/m);
    expect(readFileSync(file, "utf8")).toBe("version: 1\nrpo: 1h\n");
    console.log(dry.out.split("\n").slice(0, 60).join("\n"));

    const forced = await cli(["init", "--regions", `${P},${S}`, "--out", file, "--force"]);
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(
      /^regions:\n {2}primary: "us-east-1"\n {2}standby: "eu-west-1"$/m,
    );
    expect(existsSync(`${file}.tmp`)).toBe(false);
  }, 300_000);

  it("with the tagging API denied, lists per service instead and says so", async () => {
    const denied = await FaultProxy.start(endpoint, {
      ...NO_FAULTS,
      deny: (r) => r.target.startsWith("ResourceGroupsTaggingAPI"),
    });
    try {
      const file = join(dir, "denied.yaml");
      const r = await cli(["init", "--regions", `${P},${S}`, "--out", file], denied.endpoint);
      expect(r.code, r.err).toBe(0);
      const text = readFileSync(file, "utf8");
      expect(text).toMatch(
        /# Note: us-east-1: the Resource Groups Tagging API was denied \(.*\); load balancers and data stores were listed per service instead/,
      );
      const { config } = loadConfig(file, { ruleIds: ruleIds() });
      expect(config.regions).toEqual({ primary: P, standby: S });
      // What AWS records still pairs; load balancers are listed (their twins by name proposed).
      expect(config.pairs.some((p) => p.primary === world.database.primaryArn)).toBe(true);
      const second = world.pairs.find((p) => p.index === 2);
      expect(config.pairs.find((p) => p.primary === second?.primaryArn)?.secondary).toBe(second?.standbyArn);
    } finally {
      await denied.stop();
    }
  }, 300_000);

  it("a region that is not enabled is listed as skipped; none left to read is bad input", async () => {
    const r = await cli(["init", "--regions", NOT_ENABLED, "--out", join(dir, "none.yaml")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no region left to read: ap-east-1 \(not enabled in this account/);
  }, 60_000);
});
