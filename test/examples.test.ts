import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  ListHostedZonesByNameCommand,
  ListHealthChecksCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { listRecordSets } from "../src/aws/route53.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";
import { recordReplicaLag, workaroundProxy } from "./harness/moto-workarounds.js";
import { subscribeQueue } from "./harness/topic-queue.js";

/** The example runbooks of examples/, each run with --execute on the emulator world and read back. */
const env = useEmulator();
let aws: AwsClients;
let world: World;
let proxy: FaultProxy;
let server: Server;
let base: string;
/** Whether the primary region's API answers (the outage the DNS failover is for). */
let primaryUp = false;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", proxy.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** Runs `argv`, approving `step` of the run once it waits for approval, as an operator would. */
async function runApproving(step: string, ...argv: string[]) {
  const running = drctl(...argv);
  const journalFile = join(process.env.DRCTL_HOME ?? "", "journal.sqlite");
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const journal = SqliteJournal.open(journalFile);
    const run = (await journal.runs())[0];
    const waiting =
      run && (await journal.steps(run.runId)).find((s) => s.stepId === step && s.status === "running");
    journal.close();
    if (run && waiting) {
      const ok = await drctl("runbook", "approve", run.runId, step, "--by", "oncall");
      expect(ok.code, ok.stderr).toBe(0);
      break;
    }
  }
  return running;
}

const capacity = async (region: string) => {
  const g = (
    await aws
      .get(AutoScalingClient, region)
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
  ).AutoScalingGroups?.[0];
  return [g?.MinSize, g?.DesiredCapacity, g?.MaxSize];
};
const parameter = async (region: string, name: string) =>
  (await aws.get(SSMClient, region).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
const database = async (region: string, id: string) =>
  (await aws.get(RDSClient, region).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
    .DBInstances?.[0];
async function appRecord() {
  const r53 = aws.get(Route53Client, "us-east-1");
  const zone =
    (await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.com" }))).HostedZones?.[0]?.Id ?? "";
  const found = [];
  for await (const rec of listRecordSets(r53, zone))
    if (rec.Name === "app.example.com.") found.push(rec.ResourceRecords?.map((r) => r.Value));
  return found;
}
/** Whether the primary's health check (the one checking web-001 in us-east-1) is inverted. */
async function primaryCheckInverted(): Promise<boolean | undefined> {
  const checks = await aws.get(Route53Client, "us-east-1").send(new ListHealthChecksCommand({}));
  return checks.HealthChecks?.find(
    (h) => h.HealthCheckConfig?.FullyQualifiedDomainName === "web-001-1.us-east-1.elb.amazonaws.com",
  )?.HealthCheckConfig?.Inverted;
}

beforeAll(async () => {
  world = await buildWorld(await env.clients(), { pairs: 1 });
  // moto mislabels a promoted replica; the harness's proxy corrects it (see moto-workarounds.ts),
  // for drctl and for the test's own reads.
  proxy = await workaroundProxy(env.emulator.endpoint);
  aws = await env.clients({ endpointUrl: proxy.endpoint });
  // The two regions' health endpoints and the service name, as DNS failover records resolve it:
  // to the standby once the primary's health check is inverted, to the primary otherwise.
  server = createServer((req, res) => {
    const answer = (up: boolean) =>
      void res.writeHead(up ? 200 : 503).end(up ? '{"status":"healthy"}' : "down");
    if (req.url === "/primary/health") return answer(primaryUp);
    if (req.url === "/standby/health") return answer(true);
    void primaryCheckInverted().then((inverted) => answer(inverted === true || primaryUp));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await proxy.stop();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-home-"));
});

describe("examples/warm-standby", () => {
  it("fails over, then the hand-written failback brings the application home and rebuilds replication towards the standby", async () => {
    await recordReplicaLag(aws, "us-west-2", "app-db-replica", 2);
    const over = await drctl(
      "failover",
      "run",
      "--runbook",
      "examples/warm-standby/failover.yaml",
      "--execute",
    );
    expect(over.code, over.stdout + over.stderr).toBe(0);
    expect(await capacity("us-east-1")).toEqual([0, 0, 0]);
    expect(await appRecord()).toEqual([["web-001-1.us-west-2.elb.amazonaws.com"]]);

    await recordReplicaLag(aws, "us-east-1", "app-db-failback", 1);
    const plan = await drctl("failback", "plan", "--runbook", "examples/warm-standby/failback.yaml");
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /replicate-back \[rds.create-read-replica in us-east-1\] \(after confirm-primary-healthy\)\n\s+app-db-failback does not exist\n\s+-> app-db-failback replicates arn:aws:rds:us-west-2:123456789012:db:app-db-replica/,
    );
    const back = await runApproving(
      "confirm-primary-healthy",
      "failback",
      "run",
      "--runbook",
      "examples/warm-standby/failback.yaml",
      "--execute",
    );
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await capacity("us-east-1")).toEqual([2, 2, 4]);
    expect(await capacity("us-west-2")).toEqual([0, 0, 4]);
    expect(await appRecord()).toEqual([["web-001-1.us-east-1.elb.amazonaws.com"]]);
    const home = await database("us-east-1", "app-db-failback");
    expect(home?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(await parameter("us-east-1", "/app/db/endpoint")).toBe(home?.Endpoint?.Address);
    expect(await parameter("us-west-2", "/app/region/role")).toBe("standby");
    const next = await database("us-west-2", "app-db-replica-2");
    expect(next?.ReadReplicaSourceDBInstanceIdentifier).toBe(home?.DBInstanceArn);
  });
});

describe("examples/dns-failover", () => {
  /** Each runbook's own config keys: a key it does not have is refused (a typo would be ignored otherwise). */
  const values = (runbook: "failover" | "failback") => [
    "--set",
    runbook === "failover"
      ? `standbyHealthUrl=${base}/standby/health`
      : `primaryHealthUrl=${base}/primary/health`,
    "--set",
    `serviceUrl=${base}/service/health`,
    "--set",
    `topicArn=${world.topicArn}`,
    "--set",
    "dnsSettleSeconds=0",
    "--set",
    "checkIntervalSeconds=0.05",
  ];

  it("moves the API to the standby by inverting the primary's health check, verifies it, and fails back", async () => {
    const told = await subscribeQueue(aws, world.topicArn, "dr-oncall-dns");
    primaryUp = false;
    const over = await drctl(
      "failover",
      "run",
      "--runbook",
      "examples/dns-failover/failover.yaml",
      "--execute",
      ...values("failover"),
    );
    expect(over.code, over.stdout + over.stderr).toBe(0);
    expect(await primaryCheckInverted()).toBe(true);
    expect(over.stdout).toMatch(/verify-service\s+succeeded/);

    primaryUp = true;
    const back = await runApproving(
      "confirm",
      "failback",
      "run",
      "--runbook",
      "examples/dns-failover/failback.yaml",
      "--execute",
      ...values("failback"),
    );
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await primaryCheckInverted()).toBe(false);
    expect((await told.read()).map((m) => m.subject).sort()).toEqual([
      "DNS failback of api done",
      "DNS failover of api done",
      "DNS failover of api started",
    ]);
  });

  it("plans with what the standby answers now, and changes nothing", async () => {
    primaryUp = false;
    // Pointed at an endpoint that is down, the plan says so before anything would change.
    const bad = values("failover").map((v) =>
      v.startsWith("standbyHealthUrl=") ? `standbyHealthUrl=${base}/primary/health` : v,
    );
    const before = await primaryCheckInverted();
    const r = await drctl("failover", "plan", "--runbook", "examples/dns-failover/failover.yaml", ...bad);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/check-standby \[http.check in us-west-2\]\n\s+.*503/);
    expect(await primaryCheckInverted()).toBe(before);
  });
});
