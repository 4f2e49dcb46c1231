/**
 * The standby region's service quotas against what a failover adds there, on the emulator:
 * primaries in us-east-1, standbys in eu-west-1 named differently. VPC pairs (network interfaces,
 * Elastic IPs), DB instance pairs (storage, read replicas) and an Aurora cluster pair (members).
 * The main scan reads the quotas from a ServiceQuotasClient stubbed with the API reference's
 * shape (the emulator answers Service Quotas for vpc L-DF5E4CA3 only); a second scan with
 * the emulator's own Service Quotas shows a quota it cannot answer reported as a low finding,
 * and the network interface quota it does answer checked.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  type Tag,
} from "@aws-sdk/client-ec2";
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients, AwsClientsOptions } from "../src/aws/client-factory.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();
const P = "us-east-1";
const S = "eu-west-1";
const ACCOUNT = "123456789012";
const QUOTA_RULES = [
  "vpc.network-interface-quota",
  "vpc.elastic-ip-quota",
  "rds-instance.instance-quota",
  "rds-instance.storage-quota",
  "rds-cluster.instance-quota",
  "rds-cluster.storage-quota",
];

let aws: AwsClients;
let result: ScanResult;
let unquoted: ScanResult;
let calls: Set<string>;
const callsByRegion: Record<string, number> = {};
const used = { enis: 0, eips: 0, dbs: 0, storage: 0 };
const sq = mockClient(ServiceQuotasClient);
afterAll(() => sq.restore());

const drTags = (standbyArn: string): Tag[] => [
  { Key: "enable", Value: "true" },
  { Key: "isPrimary", Value: "true" },
  { Key: "secondaryARN", Value: standbyArn },
];

const id = (value: string | undefined) => {
  if (!value) throw new Error("the emulator returned no id");
  return value;
};

/** A VPC with one subnet, `enis` network interfaces in it and Elastic IPs on the first `eips`; its ARN. */
async function vpc(region: string, name: string, enis: number, eips: number, tags: Tag[] = []) {
  const ec2 = aws.get(EC2Client, region);
  const cidr = region === P ? "10.1" : "10.2";
  const vpcId = id(
    (
      await ec2.send(
        new CreateVpcCommand({
          CidrBlock: `${cidr}.0.0/16`,
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: name }, ...tags] }],
        }),
      )
    ).Vpc?.VpcId,
  );
  const subnet = id(
    (
      await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `${cidr}.1.0/24`,
          AvailabilityZone: `${region}a`,
        }),
      )
    ).Subnet?.SubnetId,
  );
  for (let i = 0; i < enis; i++) {
    const eni = id(
      (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface
        ?.NetworkInterfaceId,
    );
    if (i >= eips) continue;
    const allocation = id((await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId);
    await ec2.send(new AssociateAddressCommand({ AllocationId: allocation, NetworkInterfaceId: eni }));
  }
  return `arn:aws:ec2:${region}:${ACCOUNT}:vpc/${vpcId}`;
}

async function vpcPair(stem: string, primary: [number, number], standby: [number, number]) {
  const standbyArn = await vpc(S, `${stem}-euw1`, ...standby);
  await vpc(P, `${stem}-use1`, ...primary, drTags(standbyArn));
}

async function db(region: string, name: string, storage: number, tags: Tag[] = []) {
  await aws.get(RDSClient, region).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: name,
      Engine: "postgres",
      EngineVersion: "15.4",
      DBInstanceClass: "db.t3.medium",
      AllocatedStorage: storage,
      MasterUsername: "orders",
      MasterUserPassword: "not-a-secret-1",
      Tags: tags,
    }),
  );
  return `arn:aws:rds:${region}:${ACCOUNT}:db:${name}`;
}

async function dbPair(stem: string, primary: number, standby: number) {
  const standbyArn = await db(S, `${stem}-euw1`, standby);
  await db(P, `${stem}-use1`, primary, drTags(standbyArn));
}

/** An Aurora cluster with `members` instances; its ARN. */
async function cluster(region: string, name: string, members: number, tags: Tag[] = []) {
  const rds = aws.get(RDSClient, region);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: name,
      Engine: "aurora-postgresql",
      EngineVersion: "15.4",
      MasterUsername: "orders",
      MasterUserPassword: "not-a-secret-1",
      Tags: tags,
    }),
  );
  for (let i = 1; i <= members; i++)
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${name}-${i}`,
        DBClusterIdentifier: name,
        Engine: "aurora-postgresql",
        DBInstanceClass: "db.r6g.large",
      }),
    );
  return `arn:aws:rds:${region}:${ACCOUNT}:cluster:${name}`;
}

/** What the standby region uses now, as the scan will count it. */
async function usedInStandby() {
  const ec2 = aws.get(EC2Client, S);
  used.enis = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces?.length ?? 0;
  used.eips = (await ec2.send(new DescribeAddressesCommand({}))).Addresses?.length ?? 0;
  const dbs = (await aws.get(RDSClient, S).send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
  used.dbs = dbs.length;
  used.storage = dbs
    .filter((d) => !(d.Engine ?? "").startsWith("aurora"))
    .reduce((sum, d) => sum + (d.AllocatedStorage ?? 0), 0);
}

/** GetServiceQuota's answer for one quota, shaped as the Service Quotas API reference has it. */
function stubQuota(service: string, code: string, name: string, value: number) {
  sq.on(GetServiceQuotaCommand, { ServiceCode: service, QuotaCode: code }).resolves({
    Quota: {
      ServiceCode: service,
      QuotaArn: `arn:aws:servicequotas:${S}:${ACCOUNT}:${service}/${code}`,
      QuotaCode: code,
      QuotaName: name,
      Value: value,
      Unit: "None",
      Adjustable: true,
      GlobalQuota: false,
    },
  });
}

const scan = async (onCall?: AwsClientsOptions["onCall"]) =>
  runScan(await env.clients(onCall ? { onCall } : {}), {
    types: RESOURCE_TYPES,
    primaryRegions: [P],
    configPairs: [],
    settings: { strategy: "warm-standby", certificateExpiryDays: 30, now: new Date() },
    suppressions: [],
    concurrency: 4,
  });

beforeAll(async () => {
  aws = await env.clients();
  await vpcPair("net-same", [1, 0], [1, 0]);
  await vpcPair("net-enis", [4, 0], [1, 0]); // a failover adds 3 network interfaces
  await vpcPair("net-eips", [2, 2], [2, 0]); // ... and 2 Elastic IPs
  await aws.get(EC2Client, S).send(new AllocateAddressCommand({ Domain: "vpc" })); // held, unassociated

  await dbPair("db-same", 100, 100);
  await dbPair("db-bigger", 300, 100); // 200 GiB more
  await dbPair("db-replica", 100, 100);
  await aws.get(RDSClient, P).send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: "db-replica-reader-use1",
      SourceDBInstanceIdentifier: "db-replica-use1",
      // A replica gets its source's tags unless given its own: this one is no primary.
      Tags: [{ Key: "isPrimary", Value: "false" }],
    }),
  ); // one DB instance and 100 GiB more
  const standbyCluster = await cluster(S, "ledger-euw1", 1);
  await cluster(P, "ledger-use1", 2, drTags(standbyCluster)); // one DB instance more

  // Bad input: a standby ARN naming an RDS instance for a VPC, and one naming no VPC.
  await vpc(P, "net-wrong-use1", 1, 0, drTags(`arn:aws:rds:${S}:${ACCOUNT}:db:db-same-euw1`));
  await vpc(P, "net-ghost-use1", 1, 0, drTags(`arn:aws:ec2:${S}:${ACCOUNT}:vpc/vpc-0000000000000000a`));

  await usedInStandby();
  // Room for 2 more network interfaces (net-enis adds 3), 1 more Elastic IP (net-eips adds 2),
  // no more DB instance (db-replica and ledger add 1) and 150 GiB (db-bigger adds 200, db-replica 100).
  stubQuota("vpc", "L-DF5E4CA3", "Network interfaces per Region", used.enis + 2);
  stubQuota("ec2", "L-0263D0A3", "EC2-VPC Elastic IPs", used.eips + 1);
  stubQuota("rds", "L-7B6409FD", "DB instances", used.dbs);
  stubQuota("rds", "L-7ADDB58A", "Total storage for all DB instances", used.storage + 150);

  const recorder = recordAwsCalls();
  try {
    result = await scan((call) => {
      if (call.attempt === 1) callsByRegion[call.region] = (callsByRegion[call.region] ?? 0) + 1;
    });
  } finally {
    recorder.stop();
  }
  calls = recorder.calls;
  sq.restore();
  unquoted = await scan();
}, 240_000);

const pairNamed = (r: ScanResult, name: string) => r.pairs.find((p) => p.name === name);
const quotaFindings = (r: ScanResult, name: string) =>
  (pairNamed(r, name)?.findings ?? []).filter((f) => QUOTA_RULES.includes(f.ruleId));

describe("the standby region's quotas against what a failover adds", () => {
  it.each(["net-same-use1", "db-same-use1"])("%s: identical twins need nothing more: no findings", (name) => {
    expect(pairNamed(result, name)?.findings).toEqual([]);
  });

  it.each([
    [
      "net-enis-use1",
      "vpc.network-interface-quota",
      () =>
        `a failover needs ${used.enis + 3} network interfaces in eu-west-1 (${used.enis} in use there now, plus 3: the primary's VPC has 3 more network interfaces than the standby's), but the applied quota L-DF5E4CA3 (Network interfaces per Region) there is ${used.enis + 2}: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-DF5E4CA3 --desired-value ${used.enis + 3} --region eu-west-1`,
    ],
    [
      "net-eips-use1",
      "vpc.elastic-ip-quota",
      () =>
        `a failover needs ${used.eips + 2} Elastic IPs in eu-west-1 (${used.eips} in use there now, plus 2: the primary's VPC has 2 more Elastic IPs than the standby's), but the applied quota L-0263D0A3 (EC2-VPC Elastic IPs) there is ${used.eips + 1}: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value ${used.eips + 2} --region eu-west-1`,
    ],
    [
      "db-bigger-use1",
      "rds-instance.storage-quota",
      () =>
        `a failover needs ${used.storage + 200} GiB of DB instance storage in eu-west-1 (${used.storage} in use there now, plus 200: the primary's DB instance and its read replicas in its region take 300, the standby's 100), but the applied quota L-7ADDB58A (Total storage for all DB instances) there is ${used.storage + 150}: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7ADDB58A --desired-value ${used.storage + 200} --region eu-west-1`,
    ],
    [
      "db-replica-use1",
      "rds-instance.instance-quota",
      () =>
        `a failover needs ${used.dbs + 1} DB instances in eu-west-1 (${used.dbs} in use there now, plus 1: the primary's DB instance and its read replicas in its region take 2, the standby's 1), but the applied quota L-7B6409FD (DB instances) there is ${used.dbs}: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7B6409FD --desired-value ${used.dbs + 1} --region eu-west-1`,
    ],
    [
      "ledger-use1",
      "rds-cluster.instance-quota",
      () =>
        `a failover needs ${used.dbs + 1} DB instances in eu-west-1 (${used.dbs} in use there now, plus 1: the primary's cluster's members take 2, the standby's 1), but the applied quota L-7B6409FD (DB instances) there is ${used.dbs}: aws service-quotas request-service-quota-increase --service-code rds --quota-code L-7B6409FD --desired-value ${used.dbs + 1} --region eu-west-1`,
    ],
  ])(
    "%s: the standby region cannot hold it: once, under %s, with the increase to request",
    (name, ruleId, message) => {
      const found = quotaFindings(result, name);
      expect(found.map((f) => [f.ruleId, f.severity])).toEqual([[ruleId, "high"]]);
      expect(found[0]?.message).toBe(message());
    },
  );

  it("a failover that fits within the quota is no finding (db-replica's 100 GiB within 150)", () => {
    expect(quotaFindings(result, "db-replica-use1").map((f) => f.ruleId)).toEqual([
      "rds-instance.instance-quota",
    ]);
  });

  it("a standby ARN of another type, and one naming no VPC, are pair findings; the rest is scanned", () => {
    const ruleIds = (name: string) => pairNamed(result, name)?.findings.map((f) => f.ruleId);
    expect(ruleIds("net-wrong-use1")).toEqual(["pair.secondary-other-kind"]);
    expect(ruleIds("net-ghost-use1")).toEqual(["pair.standby-not-found"]);
    expect(result.pairs.map((p) => p.name).sort()).toEqual([
      "db-bigger-use1",
      "db-replica-use1",
      "db-same-use1",
      "ledger-use1",
      "net-eips-use1",
      "net-enis-use1",
      "net-ghost-use1",
      "net-same-use1",
      "net-wrong-use1",
    ]);
  });

  it("makes only the AWS calls its modules declare", () => {
    expect(undeclaredBy(calls, "scan")).toEqual([]);
  });

  it("reads each quota once per region, and a bounded number of calls per pair and side", () => {
    const compared = result.pairs.filter((p) => p.findings.every((f) => f.resourceType !== "pair")).length;
    const quotaReads = sq.commandCalls(GetServiceQuotaCommand).length;
    const perPair = (region: string) => ((callsByRegion[region] ?? 0) / compared).toFixed(2);
    console.log(
      `${compared} pairs compared; calls: ${JSON.stringify(result.stats.calls)}; ` +
        `per pair and side (discovery included): primary ${perPair(P)}, standby ${perPair(S)}; ` +
        `Service Quotas GetServiceQuota (stubbed, so not in the scan's count) ${quotaReads}`,
    );
    expect(quotaReads).toBe(4); // one standby region, four quota codes, each read once
    // Counted, not timed: the region-wide reads are shared, so each side stays within 4 calls a pair.
    expect(callsByRegion[P] ?? 0).toBeLessThanOrEqual(4 * compared);
    expect((callsByRegion[S] ?? 0) + quotaReads).toBeLessThanOrEqual(4 * compared);
  });
});

describe("quotas the emulator's Service Quotas cannot answer", () => {
  it("are a low finding naming the quota, on the pairs whose failover adds to it; never a pass", () => {
    const found = (name: string) => quotaFindings(unquoted, name).map((f) => [f.ruleId, f.severity]);
    expect(found("net-eips-use1")).toEqual([["vpc.elastic-ip-quota", "low"]]);
    expect(found("db-bigger-use1")).toEqual([["rds-instance.storage-quota", "low"]]);
    expect(found("db-replica-use1")).toEqual([
      ["rds-instance.instance-quota", "low"],
      ["rds-instance.storage-quota", "low"],
    ]);
    expect(found("ledger-use1")).toEqual([["rds-cluster.instance-quota", "low"]]);
    expect(pairNamed(unquoted, "net-eips-use1")?.status).not.toBe("pass");
    expect(quotaFindings(unquoted, "net-eips-use1")[0]?.message).toMatch(
      /the standby region's quota L-0263D0A3 \(EC2-VPC Elastic IPs\) could not be checked in eu-west-1: it could not be read \(.+\); read it with aws service-quotas get-service-quota --service-code ec2 --quota-code L-0263D0A3 --region eu-west-1/,
    );
  });

  it("the network interface quota it answers (5000) is checked: net-enis fits", () => {
    expect(quotaFindings(unquoted, "net-enis-use1")).toEqual([]);
  });

  it.each(["net-same-use1", "db-same-use1"])("%s still has no findings", (name) => {
    expect(pairNamed(unquoted, name)?.findings).toEqual([]);
  });
});
