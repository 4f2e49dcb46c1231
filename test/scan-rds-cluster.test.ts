/**
 * Aurora DB clusters as a readiness type against the emulator: primaries in us-east-1 tagged with
 * their standby in eu-west-1 (orders-use1 / orders-euw1), a global database RDS records (writer
 * and secondary), pairs each with one planted difference, and bad standby ARNs.
 */
import {
  CreateDBClusterCommand,
  CreateDBClusterParameterGroupCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  ModifyDBClusterParameterGroupCommand,
  RDSClient,
  type CreateDBClusterCommandInput,
  type Tag,
} from "@aws-sdk/client-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const P = "us-east-1";
const S = "eu-west-1";
const ACCOUNT = "123456789012";
const clusterArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${id}`;
let aws: AwsClients;
let result: ScanResult;
let awsCalls: ReturnType<typeof recordAwsCalls> | undefined;

const primaryTags = (secondary: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: secondary },
];

const BASE = {
  Engine: "aurora-postgresql",
  EngineVersion: "15.4",
  StorageEncrypted: true,
  BackupRetentionPeriod: 7,
  DBClusterParameterGroupName: "orders-cluster-params",
} satisfies Partial<CreateDBClusterCommandInput>;

/** A cluster with `instances` members of the class given. */
async function cluster(
  region: string,
  id: string,
  over: Partial<CreateDBClusterCommandInput> = {},
  instances: string[] = ["db.r6g.large"],
) {
  const rds = aws.get(RDSClient, region);
  const primary = over.GlobalClusterIdentifier === undefined || region === P;
  await rds.send(
    new CreateDBClusterCommand({
      ...BASE,
      DBClusterIdentifier: id,
      ...(primary ? { MasterUsername: "orders", MasterUserPassword: "not-a-secret-1" } : {}),
      ...over,
    }),
  );
  for (const [i, cls] of instances.entries())
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${id}-${i + 1}`,
        DBClusterIdentifier: id,
        Engine: over.Engine ?? BASE.Engine,
        DBInstanceClass: cls,
      }),
    );
  return clusterArn(region, id);
}

async function parameterGroup(region: string, name: string, forceSsl: string) {
  const rds = aws.get(RDSClient, region);
  await rds.send(
    new CreateDBClusterParameterGroupCommand({
      DBClusterParameterGroupName: name,
      DBParameterGroupFamily: "aurora-postgresql15",
      Description: "orders",
    }),
  );
  await rds.send(
    new ModifyDBClusterParameterGroupCommand({
      DBClusterParameterGroupName: name,
      Parameters: [{ ParameterName: "rds.force_ssl", ParameterValue: forceSsl, ApplyMethod: "immediate" }],
    }),
  );
}

async function globalDatabase(id: string) {
  await aws.get(RDSClient, P).send(
    new CreateGlobalClusterCommand({
      GlobalClusterIdentifier: id,
      Engine: BASE.Engine,
      EngineVersion: "15.4",
    }),
  );
}

/** A tagged primary in us-east-1 and its standby in eu-west-1 with `standby` changed. */
async function pair(
  stem: string,
  standby: Partial<CreateDBClusterCommandInput>,
  primary = {},
  classes?: string[],
) {
  const standbyArn = await cluster(S, `${stem}-euw1`, standby, classes);
  await cluster(P, `${stem}-use1`, { ...primary, Tags: primaryTags(standbyArn) });
}

const PLANTED: [string, string][] = [
  ["major-use1", "rds-cluster.engine-version"],
  ["fewer-use1", "rds-cluster.members"],
  ["class-use1", "rds-cluster.instance-classes"],
  ["unencrypted-use1", "rds-cluster.encryption"],
  ["backups-use1", "rds-cluster.backup-retention"],
  ["deletion-use1", "rds-cluster.deletion-protection"],
  ["iam-use1", "rds-cluster.iam-auth"],
  ["params-use1", "rds-cluster.parameters"],
  ["detached-use1", "rds-cluster.global-membership"],
];

beforeAll(async () => {
  aws = await env.clients();
  await parameterGroup(P, "orders-cluster-params", "1");
  await parameterGroup(S, "orders-cluster-params", "1");
  await parameterGroup(S, "orders-cluster-params-lax", "0");

  // (a) The same in meaning: the writer and the secondary of one global database.
  await globalDatabase("orders-global");
  const ordersStandby = await cluster(S, "orders-euw1", { GlobalClusterIdentifier: "orders-global" });
  await cluster(P, "orders-use1", {
    GlobalClusterIdentifier: "orders-global",
    Tags: primaryTags(ordersStandby),
  });
  // Untagged, paired by what RDS records: the global database's writer and its secondary.
  await globalDatabase("billing-global");
  await cluster(P, "billing-use1", { GlobalClusterIdentifier: "billing-global" });
  await cluster(S, "billing-euw1", { GlobalClusterIdentifier: "billing-global" });

  // (b) One difference each.
  await pair(
    "major",
    { EngineVersion: "14.9", DBClusterParameterGroupName: undefined },
    { DBClusterParameterGroupName: undefined },
  );
  await pair("fewer", {}, {}, []);
  await pair("class", {}, {}, ["db.r6g.medium"]);
  await pair("unencrypted", { StorageEncrypted: false });
  await pair("backups", { BackupRetentionPeriod: 1 });
  await pair("deletion", { DeletionProtection: false }, { DeletionProtection: true });
  await pair("iam", { EnableIAMDatabaseAuthentication: false }, { EnableIAMDatabaseAuthentication: true });
  await pair("params", { DBClusterParameterGroupName: "orders-cluster-params-lax" });
  // The primary writes a global database; its standby is a cluster of its own, in none.
  await globalDatabase("detached-global");
  await pair("detached", {}, { GlobalClusterIdentifier: "detached-global" });

  // (c) Bad standby ARNs: a DB instance (another type), and a cluster that does not exist.
  const rds = aws.get(RDSClient, S);
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: "lonely-db-euw1",
      Engine: "postgres",
      DBInstanceClass: "db.t3.micro",
      AllocatedStorage: 20,
      MasterUsername: "orders",
      MasterUserPassword: "not-a-secret-1",
    }),
  );
  await cluster(P, "wrong-type-use1", { Tags: primaryTags(`arn:aws:rds:${S}:${ACCOUNT}:db:lonely-db-euw1`) });
  await cluster(P, "ghost-use1", { Tags: primaryTags(clusterArn(S, "ghost-euw1")) });

  awsCalls = recordAwsCalls();
  result = await runScan(await env.clients(), {
    types: RESOURCE_TYPES,
    primaryRegions: [P],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });
});
afterAll(() => awsCalls?.stop());

const pairNamed = (name: string) => result.pairs.find((p) => p.name === name);
const rulesOf = (name: string) => pairNamed(name)?.findings.map((f) => f.ruleId) ?? ["(pair absent)"];

describe("drctl scan: Aurora DB clusters", () => {
  it("(a) finds nothing on a tagged writer and the secondary of its global database, named differently", () => {
    expect(pairNamed("orders-use1")?.secondaryArn).toBe(clusterArn(S, "orders-euw1"));
    expect(pairNamed("orders-use1")?.findings).toEqual([]);
  });

  it("(a) pairs an untagged writer with the secondary its global database records", () => {
    expect(pairNamed("billing-use1")?.secondaryArn).toBe(clusterArn(S, "billing-euw1"));
    expect(pairNamed("billing-use1")?.findings).toEqual([]);
  });

  it.each(PLANTED)("(b) %s: found once, under %s", (name, ruleId) => {
    // A standby with fewer members gains some on failover, and the emulator answers no RDS quota
    // to check that against: the instance quota is a low finding saying so (see scan-quotas.test.ts).
    const quota = name === "fewer-use1" ? ["rds-cluster.instance-quota"] : [];
    expect(rulesOf(name)).toEqual([ruleId, ...quota]);
  });

  it("(b) says what differs in words", () => {
    const message = (name: string) => pairNamed(name)?.findings[0]?.message;
    expect(message("params-use1")).toBe("parameter rds.force_ssl is 0 on the standby, 1 on the primary");
    expect(message("fewer-use1")).toBe("the standby cluster has 0 instances, the primary 1");
    expect(message("detached-use1")).toBe(
      "the primary writes the global database detached-global, but the standby is in no global database (detached or never added), not a secondary of it",
    );
  });

  it("(c) reports a standby of another type and one that does not exist, and scans the rest", () => {
    expect(rulesOf("wrong-type-use1")).toEqual(["pair.secondary-other-kind"]);
    expect(pairNamed("wrong-type-use1")?.findings[0]?.message).toMatch(/is a DB instance/);
    expect(rulesOf("ghost-use1")).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.filter((p) => p.findings.every((f) => f.resourceType !== "pair"))).toHaveLength(
      PLANTED.length + 2,
    );
  });

  it("(d) makes only the AWS calls its modules declare", () => {
    expect(undeclaredBy(awsCalls?.calls ?? [], "scan")).toEqual([]);
  });

  it("(e) reads a handful of RDS calls per pair and side, region-wide lists read once per region", () => {
    const calls = result.stats.calls;
    const rds = Object.entries(calls).filter(([op]) => op.startsWith("RDS."));
    const total = rds.reduce((sum, [, n]) => sum + n, 0);
    const compared = result.pairs.filter((p) => p.findings.every((f) => f.resourceType !== "pair")).length;
    const perSide = total / (compared * 2);
    console.log(
      `RDS calls: ${JSON.stringify(Object.fromEntries(rds))}; ${total} for ${compared} pairs: ${perSide.toFixed(2)} per pair per side`,
    );
    expect(calls["RDS.DescribeDBClusters"]).toBeLessThanOrEqual(2);
    expect(perSide).toBeLessThan(1);
  });
});
