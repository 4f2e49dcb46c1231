/**
 * DB instances as a readiness type against the emulator: primaries in us-east-1 tagged with their
 * standby in eu-west-1 (named differently: orders-db-use1 / orders-db-euw1), pairs RDS records
 * (a cross-region read replica and its source), pairs each with one planted difference, and bad
 * standby ARNs.
 */
import {
  CreateDBInstanceReadReplicaCommand,
  CreateDBParameterGroupCommand,
  CreateOptionGroupCommand,
  ModifyOptionGroupCommand,
  ModifyDBParameterGroupCommand,
  RDSClient,
  StopDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  type Tag,
} from "@aws-sdk/client-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { drTagList } from "./harness/worlds/common.js";
import { createDbInstance } from "./harness/worlds/rds-instance.js";

const env = useEmulator();
const P = "us-east-1";
const S = "eu-west-1";
const ACCOUNT = "123456789012";
const dbArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;
let aws: AwsClients;
let result: ScanResult;
let awsCalls: ReturnType<typeof recordAwsCalls> | undefined;

const primaryTags = (secondary: string): Tag[] => drTagList(secondary);

/** A DB instance like the builders' DB_INSTANCE, with the regional `orders-params` group, `over` changed. */
async function instance(region: string, id: string, over: Partial<CreateDBInstanceCommandInput> = {}) {
  return createDbInstance(aws, region, id, { DBParameterGroupName: "orders-params", ...over });
}

async function parameterGroup(region: string, name: string, maxConnections: string) {
  const rds = aws.get(RDSClient, region);
  await rds.send(
    new CreateDBParameterGroupCommand({
      DBParameterGroupName: name,
      DBParameterGroupFamily: "postgres15",
      Description: "orders",
    }),
  );
  await rds.send(
    new ModifyDBParameterGroupCommand({
      DBParameterGroupName: name,
      Parameters: [
        { ParameterName: "max_connections", ParameterValue: maxConnections, ApplyMethod: "pending-reboot" },
      ],
    }),
  );
}

/** A tagged primary in us-east-1 and its standby in eu-west-1 with `standby` changed. */
async function pair(stem: string, standby: Partial<CreateDBInstanceCommandInput>, primary = {}) {
  const standbyArn = await instance(S, `${stem}-euw1`, standby);
  await instance(P, `${stem}-use1`, { ...primary, Tags: primaryTags(standbyArn) });
}

/** The differences planted, each on a pair of its own: [primary's name, the one rule it breaks]. */
const PLANTED: [string, string][] = [
  ["engine-use1", "rds-instance.engine"],
  ["major-use1", "rds-instance.engine-version"],
  ["class-use1", "rds-instance.instance-class"],
  ["storage-type-use1", "rds-instance.storage-type"],
  ["smaller-use1", "rds-instance.allocated-storage"],
  ["multi-az-use1", "rds-instance.multi-az"],
  ["unencrypted-use1", "rds-instance.encryption"],
  ["no-backups-use1", "rds-instance.backup-retention"],
  ["deletion-use1", "rds-instance.deletion-protection"],
  ["iam-use1", "rds-instance.iam-auth"],
  ["params-use1", "rds-instance.parameters"],
  ["stopped-use1", "rds-instance.status"],
  ["options-use1", "rds-instance.options"],
  ["other-source-use1", "rds-instance.replica-source"],
];

beforeAll(async () => {
  aws = await env.clients();
  // Parameter groups are regional; the emulator's cross-region replica keeps its source's group name.
  await parameterGroup(P, "orders-params", "200");
  await parameterGroup(S, "orders-params", "200");
  await parameterGroup(S, "orders-params-small", "100");

  // (a) The same in meaning: a cross-region read replica of its tagged primary.
  const orders = await instance(P, "orders-db-use1");
  const replica = await aws.get(RDSClient, S).send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: "orders-db-euw1",
      SourceDBInstanceIdentifier: orders,
      DBInstanceClass: "db.t3.micro",
    }),
  );
  const { AddTagsToResourceCommand } = await import("@aws-sdk/client-rds");
  await aws.get(RDSClient, P).send(
    new AddTagsToResourceCommand({
      ResourceName: orders,
      Tags: primaryTags(replica.DBInstance?.DBInstanceArn ?? ""),
    }),
  );
  // Untagged, paired by what RDS records: the replica names its source.
  const billing = await instance(P, "billing-db-use1");
  await aws.get(RDSClient, S).send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: "billing-db-euw1",
      SourceDBInstanceIdentifier: billing,
      DBInstanceClass: "db.t3.micro",
    }),
  );

  // (b) One difference each.
  await pair("engine", { Engine: "mysql", EngineVersion: "8.0.35", DBParameterGroupName: undefined });
  await pair(
    "major",
    { EngineVersion: "14.9", DBParameterGroupName: undefined },
    { DBParameterGroupName: undefined },
  );
  await pair("class", { DBInstanceClass: "db.t3.small" });
  await pair("storage-type", { StorageType: "gp2" });
  await pair("smaller", { AllocatedStorage: 10 }, { AllocatedStorage: 20 });
  await pair("multi-az", { MultiAZ: false }, { MultiAZ: true });
  await pair("unencrypted", { StorageEncrypted: false });
  await pair("no-backups", { BackupRetentionPeriod: 0 });
  await pair("deletion", { DeletionProtection: false }, { DeletionProtection: true });
  await pair("iam", { EnableIAMDatabaseAuthentication: false }, { EnableIAMDatabaseAuthentication: true });
  // Performance Insights is not planted: the emulator ignores EnablePerformanceInsights (rules.cases cover it).
  await pair("params", { DBParameterGroupName: "orders-params-small" });
  await pair("stopped", {});
  await aws.get(RDSClient, P).send(
    new CreateOptionGroupCommand({
      OptionGroupName: "orders-options",
      EngineName: "mysql",
      MajorEngineVersion: "8.0",
      OptionGroupDescription: "orders",
    }),
  );
  await aws.get(RDSClient, P).send(
    new ModifyOptionGroupCommand({
      OptionGroupName: "orders-options",
      OptionsToInclude: [
        {
          OptionName: "MARIADB_AUDIT_PLUGIN",
          OptionSettings: [{ Name: "SERVER_AUDIT_EVENTS", Value: "CONNECT" }],
        },
      ],
      ApplyImmediately: true,
    }),
  );
  const mysql = { Engine: "mysql", EngineVersion: "8.0.35", DBParameterGroupName: undefined };
  await pair("options", mysql, { ...mysql, OptionGroupName: "orders-options" });
  await aws.get(RDSClient, S).send(new StopDBInstanceCommand({ DBInstanceIdentifier: "stopped-euw1" }));
  // A standby that replicates another database of its own region, not this primary.
  await instance(S, "reports-euw1");
  const wrongReplica = await aws.get(RDSClient, S).send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: "other-source-euw1",
      SourceDBInstanceIdentifier: "reports-euw1",
      DBInstanceClass: "db.t3.micro",
    }),
  );
  await instance(P, "other-source-use1", { Tags: primaryTags(wrongReplica.DBInstance?.DBInstanceArn ?? "") });

  // (c) Bad standby ARNs: a resource of another type, and an instance that does not exist.
  await instance(P, "wrong-type-use1", {
    Tags: primaryTags(`arn:aws:sns:${S}:${ACCOUNT}:orders-topic-euw1`),
  });
  await instance(P, "ghost-use1", { Tags: primaryTags(dbArn(S, "ghost-euw1")) });

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

describe("drctl scan: DB instances", () => {
  it("(a) finds nothing on a tagged primary and its cross-region read replica, named differently", () => {
    const orders = pairNamed("orders-db-use1");
    expect(orders?.secondaryArn).toBe(dbArn(S, "orders-db-euw1"));
    expect(orders?.findings).toEqual([]);
    expect(orders?.status).toBe("pass");
  });

  it("(a) pairs an untagged source with the cross-region read replica RDS records for it", () => {
    const billing = pairNamed("billing-db-use1");
    expect(billing?.secondaryArn).toBe(dbArn(S, "billing-db-euw1"));
    expect(billing?.findings).toEqual([]);
  });

  it.each(PLANTED)("(b) %s: found once, under %s", (name, ruleId) => {
    // A smaller standby grows on failover, and the emulator answers no RDS quota to check that
    // against: the storage quota is a low finding saying so (test/scan-quotas.test.ts checks it).
    const quota = name === "smaller-use1" ? ["rds-instance.storage-quota"] : [];
    expect(rulesOf(name)).toEqual([ruleId, ...quota]);
  });

  it("(b) says what differs in words", () => {
    const message = (name: string) => pairNamed(name)?.findings[0]?.message;
    expect(message("params-use1")).toBe(
      "parameter max_connections is 100 on the standby, 200 on the primary",
    );
    expect(message("smaller-use1")).toBe("the standby has 10 GiB of storage, the primary 20 GiB");
    expect(message("major-use1")).toBe(
      "the standby runs postgres 14.9, the primary 15.4 (another major version)",
    );
    expect(pairNamed("no-backups-use1")?.findings[0]?.severity).toBe("high");
  });

  it("(c) reports a standby of another type and one that does not exist, and scans the rest", () => {
    expect(rulesOf("wrong-type-use1")).toEqual(["pair.secondary-other-kind"]);
    expect(pairNamed("wrong-type-use1")?.findings[0]?.message).toMatch(/is an SNS topic/);
    expect(rulesOf("ghost-use1")).toEqual(["pair.standby-not-found"]);
    expect(pairNamed("ghost-use1")?.findings[0]?.message).toMatch(/does not exist in eu-west-1/);
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
    expect(calls["RDS.DescribeDBInstances"]).toBeLessThanOrEqual(2);
    expect(calls["RDS.DescribeOptionGroups"]).toBe(1); // one custom option group; defaults are not read
    expect(perSide).toBeLessThan(1);
  });
});
