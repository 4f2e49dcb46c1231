/**
 * The write canary measures replication lag instead of inferring it: against a harness that makes
 * each marker visible in the standby after a known delay (and records when it really did), the
 * measured lag is within one poll interval of that ground truth; a marker that never arrives is
 * "at least the timeout". Nothing is written without --execute, and the markers are removed.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { configSchema } from "../src/config/schema.js";
import { canary } from "../src/freshness/canary.js";
import { runFreshness } from "../src/freshness/engine.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";
import { STORE_TYPES } from "../src/catalog.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
const POLL = 0.5;
const TIMEOUT = 8;
/** The write's and the last read's round trips, which the lag includes and the harness's record does not (generous for a loaded machine). */
const ROUND_TRIPS = 1;
let aws: AwsClients;
let through: AwsClients;
let behaviour: AwsBehaviour;
let proxy: FaultProxy;

const yaml = `regions: { primary: ${P}, standby: ${S} }
rpo: 15m
freshness:
  canary:
    table: { name: canary-table, region: ${P} }
    bucket: { name: canary-bucket, region: ${P}, prefix: drctl-canary/ }
    poll: ${POLL}s
    timeout: ${TIMEOUT}s
`;
const config = configSchema.parse(parseYaml(yaml));

/** One freshness run measuring with the canary; the row of `store`, and what the harness saw. */
async function measure(store: string, delayMs: number) {
  const replicator = behaviour.replicateCanary({
    delayMs,
    table: { name: "canary-table", region: P, replicaRegion: S },
    bucket: {
      name: "canary-bucket",
      region: P,
      destination: "canary-bucket-usw2",
      destinationRegion: S,
      prefix: "drctl-canary/",
    },
  });
  const c = canary(
    through,
    config.freshness.canary ?? { poll: POLL, timeout: TIMEOUT },
    `t${Date.now()}`,
    true,
  );
  const result = await runFreshness(through, {
    types: STORE_TYPES,
    primaryRegions: [P],
    standbyRegions: [S],
    config,
    now: new Date(),
    canary: (p) => (p.primary.name === store ? c.measure(p) : undefined),
  });
  const row = result.stores.find((s) => s.store === store);
  if (!row) throw new Error(`no row for ${store}`);
  return { row, truth: [...replicator.visible.values()][0] };
}

beforeAll(async () => {
  aws = await env.clients();
  behaviour = new AwsBehaviour(aws);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  through = await env.clients({ endpointUrl: proxy.endpoint });
  await aws.get(DynamoDBClient, P).send(
    new CreateTableCommand({
      TableName: "canary-table",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await behaviour.replicate("canary-table", P, S);
  for (const [name, region] of [
    ["canary-bucket", P],
    ["canary-bucket-usw2", S],
  ] as const) {
    await aws.get(S3Client, region).send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as "us-west-2" } }),
      }),
    );
    await aws
      .get(S3Client, region)
      .send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }));
  }
  await through.get(S3Client, P).send(
    new PutBucketReplicationCommand({
      Bucket: "canary-bucket",
      ReplicationConfiguration: {
        Role: "arn:aws:iam::123456789012:role/s3-replication",
        Rules: [
          {
            ID: "all",
            Status: "Enabled",
            Priority: 1,
            Filter: { Prefix: "" },
            DeleteMarkerReplication: { Status: "Enabled" },
            Destination: { Bucket: "arn:aws:s3:::canary-bucket-usw2" },
          },
        ],
      },
    }),
  ); // From here on, these clients make the canaries' calls alone.
  through.counter.reset();
});

describe("the write canary", () => {
  for (const delayMs of [0, 2500, 5000])
    it(`measures a lag of ${delayMs / 1000} s within one poll interval of when the marker really arrived`, async () => {
      const { row, truth } = await measure("canary-table", delayMs);
      expect(truth).toBeDefined();
      const actual = ((truth?.visible ?? 0) - (truth?.written ?? 0)) / 1000;
      expect(row.measuredBy).toMatch(
        /^a canary: a marker written to canary-table in us-east-1, read from canary-table in us-west-2 every 0\.5 s$/,
      );
      expect(row.resolutionSeconds).toBe(POLL);
      expect(row.exposureAtLeast).toBeUndefined();
      // Seen no earlier than it was there, and no later than one poll after (plus the write's and the read's round trips).
      expect(row.exposureSeconds ?? -1).toBeGreaterThanOrEqual(actual - 0.25);
      expect(row.exposureSeconds ?? Infinity).toBeLessThanOrEqual(actual + POLL + ROUND_TRIPS);
      expect(row.status).toBe("ok");
    });

  it("reports a marker that never arrives as at least the timeout, never as a number it did not see", async () => {
    const { row } = await measure("canary-table", Infinity);
    expect(row).toMatchObject({ exposureSeconds: TIMEOUT, exposureAtLeast: true, status: "unknown" });
    expect(row.message).toMatch(/canary-table \(dynamodb-global-table to us-west-2\): exposure unknown/);
  });

  it("measures S3 replication the same way, and removes every version of its markers", async () => {
    const { row, truth } = await measure("canary-bucket", 1000);
    const actual = ((truth?.visible ?? 0) - (truth?.written ?? 0)) / 1000;
    expect(row.kind).toBe("s3-replication");
    expect(row.exposureSeconds ?? -1).toBeGreaterThanOrEqual(actual - 0.25);
    expect(row.exposureSeconds ?? Infinity).toBeLessThanOrEqual(actual + POLL + ROUND_TRIPS);
    for (const [bucket, region] of [
      ["canary-bucket", P],
      ["canary-bucket-usw2", S],
    ] as const) {
      const left = await aws
        .get(S3Client, region)
        .send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "drctl-canary/" }));
      expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])], bucket).toEqual([]);
    }
  });

  it("writes nothing without --execute: the command says what it would write", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-canary-")), "drctl.yaml");
    writeFileSync(file, yaml);
    process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-canary-home-"));
    const before = (await aws.get(DynamoDBClient, P).send(new ScanCommand({ TableName: "canary-table" })))
      .Count;
    const err: string[] = [];
    const code = await runCli(
      ["--config", file, "--endpoint-url", proxy.endpoint, "freshness", "--canary", "--no-store"],
      {
        out: () => undefined,
        err: (t) => err.push(t),
      },
    );
    expect(err.join("\n")).toMatch(
      /canary \(dry run, nothing written\): would write item pk=drctl-canary#\S+ in canary-table \(us-east-1\)/,
    );
    expect(
      (await aws.get(DynamoDBClient, P).send(new ScanCommand({ TableName: "canary-table" }))).Count,
    ).toBe(before);
    // No metric data and no canary: the lag cannot be told, and a run that told
    // nothing of any store is never clean.
    expect(code).toBe(1);
    const refused = await runCli(["--config", file, "freshness", "--execute"], {
      out: () => undefined,
      err: (t) => err.push(t),
    });
    expect(refused).toBe(2);
    expect(err.at(-1)).toMatch(/--execute writes canary markers: it goes with --canary/);
  });
});

describe("the operations the canary declares", () => {
  it("include every AWS operation the canaries above called (the README and the deployment policy come from these)", () => {
    const calls = Object.keys(through.counter.byOperation);
    expect(calls.length).toBeGreaterThan(5);
    expect(undeclaredBy(calls, "freshness", "freshness --canary --execute (in addition)")).toEqual([]);
  });
});
