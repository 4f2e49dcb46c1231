/**
 * drctl freshness without a drctl.yaml, on a world whose standby is eu-west-1: the standby region
 * is what AWS records (the replica's region, the global table's replica, the replication rule's
 * destination bucket), each store says which region was read for it, and a store with a copy is
 * never called unprotected. --standby-region adds a region to read; with none given and none
 * recorded, no store is called unprotected or clean.
 */
import { existsSync } from "node:fs";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateDBClusterCommand, CreateDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import { buildDataStores } from "../demo/world/data.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import type { FreshnessResult, StoreResult } from "../src/core/freshness-result.js";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "eu-west-1"];
let proxy: FaultProxy;

async function freshness(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    [
      "--endpoint-url",
      proxy.endpoint,
      "--json",
      "freshness",
      "--no-store",
      "--notify",
      "none",
      "--fail-on",
      "never",
      ...argv,
    ],
    { out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const row = (result: FreshnessResult, store: string, kind: string): StoreResult => {
  const found = result.stores.filter((s) => s.store === store && s.kind === kind);
  expect(
    found,
    `${store} ${kind} in ${result.stores.map((s) => `${s.store} ${s.kind}`).join(", ")}`,
  ).toHaveLength(1);
  return found[0] as StoreResult;
};

beforeAll(async () => {
  const aws: AwsClients = await env.clients();
  const behaviour = new AwsBehaviour(aws);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  const through = await env.clients({ endpointUrl: proxy.endpoint });
  const world = await buildWorld(through, { pairs: 1, primaryRegion: P, standbyRegion: S });
  await buildDataStores(through, behaviour, world.options);
});

describe("freshness without a drctl.yaml", () => {
  it("takes the standby region from what AWS records, names it per store, and calls the replicated database protected", async () => {
    expect(existsSync("drctl.yaml"), "this test needs no drctl.yaml where it runs").toBe(false);
    const r = await freshness();
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as FreshnessResult;

    const db = row(result, "app-db", "rds-read-replica");
    expect(db.status).not.toBe("unprotected");
    expect(db.standbyRegion).toBe(S);
    expect(db.standbyArn).toMatch(/^arn:aws:rds:eu-west-1:\d+:db:app-db-replica$/);
    expect(row(result, "orders", "dynamodb-global-table").standbyRegion).toBe(S);
    expect(row(result, "app-assets-use1", "s3-replication").standbyRegion).toBe(S);
    expect(result.stores.filter((s) => s.store === "app-db").map((s) => s.status)).not.toContain(
      "unprotected",
    );

    // Every store says where its copies were looked for: the standby AWS records, never a default.
    expect(result.standbyRegions?.map((x) => x.region)).toEqual([S]);
    expect(result.standbyRegions?.[0]?.via).toMatch(/replica|replication/);
    for (const s of result.stores) expect(s.checkedRegions, s.store).toEqual([S]);
    expect(r.stdout).not.toContain("us-west-2");
    expect(r.stderr).toMatch(/standby region eu-west-1: from /);

    // What has no copy is still unprotected, and says where it was looked for.
    const reporting = row(result, "reporting-db", "rds");
    expect(reporting.status).toBe("unprotected");
    expect(reporting.measuredBy).toBe("no replica, replication or copy found in eu-west-1");
  });

  it("--standby-region adds a region to read; a copy AWS records elsewhere is still a copy", async () => {
    const r = await freshness("--standby-region", "us-west-2");
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as FreshnessResult;
    expect(result.standbyRegions?.[0]).toEqual({ region: "us-west-2", via: "--standby-region" });
    expect(result.standbyRegions?.map((x) => x.region)).toEqual(["us-west-2", S]);
    expect(row(result, "app-db", "rds-read-replica").standbyRegion).toBe(S);
    expect(row(result, "reporting-db", "rds").measuredBy).toBe(
      "no replica, replication or copy found in us-west-2, eu-west-1",
    );

    const bad = await freshness("--standby-region", "us-east-1");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--standby-region: us-east-1 is a primary region/);
  });

  it("with no standby given and none recorded, calls no store unprotected or clean", async () => {
    const lonely = "ap-southeast-2";
    await (await env.clients()).get(DynamoDBClient, lonely).send(
      new CreateTableCommand({
        TableName: "lonely",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    const r = await freshness("--region", lonely);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as FreshnessResult;
    expect(result.standbyRegions).toEqual([]);
    const table = row(result, "lonely", "dynamodb");
    expect(table.status).toBe("unknown");
    expect(table.message).toMatch(/no standby region is known/);
    expect(r.stderr).toMatch(/drctl: no standby region known: none given \(--standby-region/);
  });

  it("measures an Aurora cluster as the cluster, never its member instances as databases of their own", async () => {
    const rds = (await env.clients()).get(RDSClient, P);
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: "ledger-primary",
        Engine: "aurora-postgresql",
        MasterUsername: "admin",
        MasterUserPassword: "not-a-secret-1",
      }),
    );
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "ledger-primary-1",
        DBClusterIdentifier: "ledger-primary",
        Engine: "aurora-postgresql",
        DBInstanceClass: "db.r6g.large",
      }),
    );
    const r = await freshness();
    const result = JSON.parse(r.stdout) as FreshnessResult;
    expect(result.stores.map((x) => x.store)).toContain("ledger-primary");
    expect(result.stores.filter((x) => x.store === "ledger-primary-1")).toEqual([]);
  });
});
