/**
 * Adapter tests for the step kinds whose APIs the emulator does not serve (Aurora global
 * switchover/failover, Global Accelerator, Lambda invoke without Docker): the SDK is stubbed with
 * aws-sdk-client-mock and answers with responses shaped like the AWS API reference.
 */
import { STEP_KINDS } from "../src/catalog.js";
import {
  DescribeAcceleratorCommand,
  GlobalAcceleratorClient,
  ListEndpointGroupsCommand,
  UpdateEndpointGroupCommand,
} from "@aws-sdk/client-global-accelerator";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { executeRunbook, planRunbook } from "../src/runbook/engine.js";
import { generateFailback } from "../src/runbook/failback.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { loadRunbook } from "../src/runbook/load.js";
import { mockedAws } from "./harness/mocked-aws.js";

const rds = mockClient(RDSClient);
const ga = mockClient(GlobalAcceleratorClient);
const lambda = mockClient(LambdaClient);
let aws: AwsClients;
let journal: SqliteJournal;

const EAST = "arn:aws:rds:us-east-1:123456789012:cluster:orders-east";
const WEST = "arn:aws:rds:us-west-2:123456789012:cluster:orders-west";

/** DescribeGlobalClusters' GlobalCluster, as the API reference shows it. */
function globalCluster(writer: string, failoverState?: GlobalCluster["FailoverState"]): GlobalCluster {
  return {
    GlobalClusterIdentifier: "orders",
    GlobalClusterResourceId: "cluster-0123456789abcdef",
    GlobalClusterArn: "arn:aws:rds::123456789012:global-cluster:orders",
    Status: failoverState ? "switching-over" : "available",
    Engine: "aurora-postgresql",
    EngineVersion: "16.4",
    StorageEncrypted: true,
    DeletionProtection: true,
    GlobalClusterMembers: [EAST, WEST].map((arn) => ({
      DBClusterArn: arn,
      IsWriter: arn === writer,
      Readers: arn === writer ? [EAST, WEST].filter((a) => a !== writer) : [],
      GlobalWriteForwardingStatus: "disabled",
      SynchronizationStatus: "connected",
    })),
    ...(failoverState ? { FailoverState: failoverState } : {}),
  };
}

function runbook(steps: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "runbook.yaml");
  writeFileSync(file, `version: 1\nname: adapters\napplication: orders\nregion: us-west-2\nsteps:\n${steps}`);
  return file;
}

beforeAll(async () => {
  aws = await mockedAws();
});

beforeEach(() => {
  journal = SqliteJournal.open(join(mkdtempSync(join(tmpdir(), "drctl-journal-")), "journal.sqlite"));
});

afterEach(() => {
  rds.reset();
  ga.reset();
  lambda.reset();
  journal.close();
});

describe("aurora.global-switchover (adapter)", () => {
  it("plans writer east -> west, switches over, waits, and its generated failback switches back", async () => {
    rds
      .on(DescribeGlobalClustersCommand)
      // The dry run reads it, then the run (its before-state, journaled); one poll finds the switchover under way.
      .resolvesOnce({ GlobalClusters: [globalCluster(EAST)] })
      .resolvesOnce({ GlobalClusters: [globalCluster(EAST)] })
      .resolvesOnce({
        GlobalClusters: [
          globalCluster(EAST, {
            Status: "pending",
            FromDbClusterArn: EAST,
            ToDbClusterArn: WEST,
            IsDataLossAllowed: false,
          }),
        ],
      })
      .resolves({ GlobalClusters: [globalCluster(WEST)] });
    rds.on(SwitchoverGlobalClusterCommand).resolves({ GlobalCluster: globalCluster(EAST) });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: writer-west
    kind: aurora.global-switchover
    params: { globalCluster: orders, targetCluster: orders-west }
`),
    );
    const plan = await planRunbook(aws, loaded);
    expect(plan[0]?.plan).toEqual({
      current: `orders: writer ${EAST}`,
      target: `orders: writer ${WEST} (switchover, no data loss)`,
      changes: true,
    });
    const { run, steps } = await executeRunbook(aws, journal, loaded);
    expect(run.status).toBe("succeeded");
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: "orders", TargetDbClusterIdentifier: WEST },
    ]);
    expect(steps[0]?.outputs).toEqual({ writer: WEST, previousWriter: EAST });
    const back = generateFailback(loaded, run, steps).runbook;
    expect(back.steps.map((s) => [s.id, s.kind, s.params])).toEqual([
      ["undo-writer-west", "aurora.global-switchover", { globalCluster: "orders", targetCluster: EAST }],
    ]);
  }, 30_000);

  it("is success without a call when the target already writes (a resumed run)", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(WEST)] });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: writer-west
    kind: aurora.global-switchover
    params: { globalCluster: orders, targetCluster: ${WEST} }
`),
    );
    const { run } = await executeRunbook(aws, journal, loaded);
    expect(run.status).toBe("succeeded");
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);
  });
});

describe("aurora.global-failover (adapter)", () => {
  it("needs allowDataLoss: true, then fails over with AllowDataLoss", async () => {
    // Refused when the runbook is loaded, at its parameters' line, before any plan.
    expect(() =>
      loadRunbook(
        STEP_KINDS,
        runbook(`  - id: writer-west
    kind: aurora.global-failover
    params: { globalCluster: orders, targetCluster: orders-west }
`),
      ),
    ).toThrow(/:8:13: steps\[0\]\.params\.allowDataLoss: expected allowDataLoss: true/);
    rds
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [globalCluster(EAST)] })
      .resolves({ GlobalClusters: [globalCluster(WEST)] });
    rds.on(FailoverGlobalClusterCommand).resolves({ GlobalCluster: globalCluster(EAST) });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: writer-west
    kind: aurora.global-failover
    params: { globalCluster: orders, targetCluster: orders-west, allowDataLoss: true }
`),
    );
    const { run } = await executeRunbook(aws, journal, loaded);
    expect(run.status).toBe("succeeded");
    expect(rds.commandCalls(FailoverGlobalClusterCommand)[0]?.args[0].input).toEqual({
      GlobalClusterIdentifier: "orders",
      TargetDbClusterIdentifier: WEST,
      AllowDataLoss: true,
    });
  });

  it("names the members when the target is not one of them", async () => {
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(EAST)] });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: writer-west
    kind: aurora.global-failover
    params: { globalCluster: orders, targetCluster: orders-eu, allowDataLoss: true }
`),
    );
    const { run, steps } = await executeRunbook(aws, journal, loaded);
    expect(run.status).toBe("failed");
    expect(steps[0]?.error).toBe(
      `orders-eu is not a member of global cluster orders (members: ${EAST}, ${WEST})`,
    );
  });
});

describe("globalaccelerator.traffic-dial (adapter)", () => {
  const LISTENER =
    "arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh/listener/0123vxyz";
  const group = (region: string, dial: number) => ({
    EndpointGroupArn: `${LISTENER}/endpoint-group/${region === "us-east-1" ? "098765zyxwvu" : "112233aabbcc"}`,
    EndpointGroupRegion: region,
    EndpointDescriptions: [
      {
        EndpointId: `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/web/abc`,
        Weight: 128,
        HealthState: "HEALTHY" as const,
        ClientIPPreservationEnabled: true,
      },
    ],
    TrafficDialPercentage: dial,
    HealthCheckPort: 443,
    HealthCheckProtocol: "TCP" as const,
    HealthCheckIntervalSeconds: 30,
    ThresholdCount: 3,
  });

  it("moves the dials, waits for DEPLOYED, and the generated failback restores the previous dials", async () => {
    ga.on(ListEndpointGroupsCommand).resolves({
      EndpointGroups: [group("us-east-1", 100), group("us-west-2", 0)],
    });
    ga.on(UpdateEndpointGroupCommand).resolves({});
    ga.on(DescribeAcceleratorCommand)
      .resolvesOnce({
        Accelerator: {
          AcceleratorArn: LISTENER.replace(/\/listener\/.*/, ""),
          Name: "web",
          Enabled: true,
          IpAddressType: "IPV4",
          Status: "IN_PROGRESS",
        },
      })
      .resolves({
        Accelerator: {
          AcceleratorArn: LISTENER.replace(/\/listener\/.*/, ""),
          Name: "web",
          Enabled: true,
          IpAddressType: "IPV4",
          Status: "DEPLOYED",
        },
      });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: move-traffic
    kind: globalaccelerator.traffic-dial
    params: { listenerArn: "${LISTENER}", dials: { us-east-1: 0, us-west-2: 100 } }
    timeoutSeconds: 30
`),
    );
    expect((await planRunbook(aws, loaded))[0]?.plan).toEqual({
      current: "us-east-1 100%, us-west-2 0%",
      target: "us-east-1 0%, us-west-2 100%",
      changes: true,
    });
    const { run, steps } = await executeRunbook(aws, journal, loaded);
    expect(run.status, steps[0]?.error ?? "").toBe("succeeded");
    expect(ga.commandCalls(UpdateEndpointGroupCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointGroupArn: group("us-east-1", 0).EndpointGroupArn, TrafficDialPercentage: 0 },
      { EndpointGroupArn: group("us-west-2", 0).EndpointGroupArn, TrafficDialPercentage: 100 },
    ]);
    expect(ga.commandCalls(DescribeAcceleratorCommand)).toHaveLength(2);
    expect(generateFailback(loaded, run, steps).runbook.steps[0]?.params).toEqual({
      listenerArn: LISTENER,
      dials: { "us-east-1": 100, "us-west-2": 0 },
    });
  }, 30_000);

  it("says which regions the listener has when a dial names another", async () => {
    ga.on(ListEndpointGroupsCommand).resolves({ EndpointGroups: [group("us-east-1", 100)] });
    const loaded = loadRunbook(
      STEP_KINDS,
      runbook(`  - id: move-traffic
    kind: globalaccelerator.traffic-dial
    params: { listenerArn: "${LISTENER}", dials: { eu-west-1: 100 } }
`),
    );
    expect((await planRunbook(aws, loaded))[0]?.plan).toEqual({
      error: "the listener has no endpoint group in eu-west-1 (it has: us-east-1)",
      notFound: true,
    });
  });
});

describe("lambda.invoke (adapter)", () => {
  it("passes the payload, turns the JSON result's fields into outputs, and fails on a function error", async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({
        StatusCode: 200,
        ExecutedVersion: "$LATEST",
        Payload: new TextEncoder().encode('{"drained":true,"queue":"orders"}') as never,
      })
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: "Unhandled",
        Payload: new TextEncoder().encode('{"errorMessage":"queue busy","errorType":"Error"}') as never,
      });
    const file = runbook(`  - id: drain
    kind: lambda.invoke
    params: { function: drain-queue, payload: { queue: orders }, undo: { function: refill-queue } }
`);
    const first = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    expect(first.steps[0]?.outputs).toEqual({
      drained: "true",
      queue: "orders",
      result: '{"drained":true,"queue":"orders"}',
    });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({ queue: "orders" });
    // The step's idempotency key goes with every invocation, the same on a repeat of the step.
    expect(JSON.parse(Buffer.from(input?.ClientContext ?? "", "base64").toString())).toEqual({
      custom: { "drctl-idempotency-key": `${first.run.runId}/drain` },
    });
    expect(
      generateFailback(loadRunbook(STEP_KINDS, file), first.run, first.steps).runbook.steps[0],
    ).toMatchObject({
      kind: "lambda.invoke",
      params: { function: "refill-queue", payload: {} },
    });
    const second = await executeRunbook(aws, journal, loadRunbook(STEP_KINDS, file));
    expect(second.steps[0]?.error).toBe(
      'drain-queue failed (Unhandled): {"errorMessage":"queue busy","errorType":"Error"}',
    );
  });
});
