import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { parseYamlWithSchema } from "../src/config/load.js";
import { configSchema } from "../src/config/schema.js";
import { advance, alarm, type AdvanceResult } from "../src/lambda/failover.js";
import type { Runtime } from "../src/lambda/runtime.js";
import { START_GATE } from "../src/runbook/engine.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { acquireLock, processOwner } from "../src/runbook/journal.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { failoverInputSchema, type FailoverInput } from "../src/trigger/start.js";
import { useEmulator } from "./harness/emulator.js";
import type { FaultProxy } from "./harness/fault-proxy.js";
import { recordReplicaLag, workaroundProxy } from "./harness/moto-workarounds.js";
import { subscribeQueue } from "./harness/topic-queue.js";

const env = useEmulator();
const STORE = "dynamodb://drctl-history?region=us-east-1";
let aws: AwsClients;
let world: World;
let proxy: FaultProxy;
let stateMachineArn: string;

/** The function's runtime as runtimeFromEnv builds it, with the triggers of `triggersYaml`. */
function runtime(triggersYaml: string): Runtime {
  return {
    log: () => undefined,
    config: parseYamlWithSchema(triggersYaml, "DRCTL_CONFIG", configSchema),
    aws,
    store: STORE,
    site: undefined,
    results: "s3://unused/work",
    runbookDir: process.cwd(),
    failoverStateMachine: stateMachineArn,
    region: "us-east-1",
  };
}

/** The input the trigger gives a run, as the workflow passes it to each turn. */
const inputFor = (runId: string, runbook: string, rest: Partial<FailoverInput> = {}): FailoverInput => ({
  runId,
  runbook,
  set: {},
  policy: "execute",
  approvalTimeoutMinutes: 60,
  alarm: { name: "web-primary-unhealthy", reason: "Threshold Crossed", at: "2026-11-22T09:00:00Z" },
  ...rest,
});

/** A CloudWatch alarm action's SNS notification, as the Lambda receives it. */
const snsRecord = (name: string, state: "ALARM" | "OK", id = name) => ({
  EventSource: "aws:sns",
  Sns: {
    MessageId: `msg-${id}-${state}`,
    Message: JSON.stringify({
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
      AWSAccountId: "123456789012",
      NewStateValue: state,
      NewStateReason: "Threshold Crossed: 3 datapoints were greater than the threshold (5.0).",
      StateChangeTime: "2026-11-22T09:00:00.000+0000",
      Region: "US East (N. Virginia)",
      OldStateValue: state === "ALARM" ? "OK" : "ALARM",
    }),
  },
});

const executions = async () =>
  (await aws.get(SFNClient, "us-east-1").send(new ListExecutionsCommand({ stateMachineArn }))).executions ??
  [];

async function inputOf(executionArn: string): Promise<FailoverInput> {
  const out = await aws.get(SFNClient, "us-east-1").send(new DescribeExecutionCommand({ executionArn }));
  return failoverInputSchema.parse(JSON.parse(out.input ?? "{}"));
}

/** A turn's deadline: aborts once the journal shows `step` of the run `running` (never, without a step). */
function turnEndsWhen(runId: string, step?: string): AbortSignal {
  const end = new AbortController();
  if (!step) return end.signal;
  const journal = new DynamoDbJournal(aws, "drctl-history", "us-east-1");
  const poll = async () => {
    while (!end.signal.aborted) {
      const s = (await journal.steps(runId)).find((x) => x.stepId === step);
      if (s?.status === "running") return end.abort(new Error(`turn ended at ${step}`));
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  void poll();
  return end.signal;
}

/**
 * What the workflow does: advance, and while the run is not over, (wait and) advance again. Each
 * turn ends when `endsAt(turn)` is seen running (the end of a Lambda's time, at a known point), or
 * when the run stops by itself.
 */
async function workflow(
  rt: Runtime,
  input: FailoverInput,
  endsAt: (turn: number) => string | undefined,
  maxTurns = 60,
) {
  const turns: AdvanceResult[] = [];
  for (let i = 0; i < maxTurns; i++) {
    const result = await advance(rt, input, turnEndsWhen(input.runId, endsAt(i)));
    turns.push(result);
    if (result.status !== "running" && result.status !== "awaiting-approval") return turns;
  }
  return turns;
}

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, "--store", STORE, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const standbyCapacity = async () => {
  const g = (
    await aws
      .get(AutoScalingClient, "us-west-2")
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
  ).AutoScalingGroups?.[0];
  return [g?.MinSize, g?.DesiredCapacity, g?.MaxSize];
};

beforeAll(async () => {
  const direct = await env.clients();
  world = await buildWorld(direct, { pairs: 1 });
  await DynamoDbHistory.createTable(direct, "drctl-history", "us-east-1");
  const created = await direct.get(SFNClient, "us-east-1").send(
    new CreateStateMachineCommand({
      name: "drctl-failover",
      definition: JSON.stringify({ StartAt: "Advance", States: { Advance: { Type: "Pass", End: true } } }),
      roleArn: "arn:aws:iam::123456789012:role/drctl-failover",
    }),
  );
  stateMachineArn = created.stateMachineArn ?? "";
  // moto mislabels a promoted replica; the harness's proxy corrects it (see moto-workarounds.ts).
  proxy = await workaroundProxy(env.emulator.endpoint);
  aws = await env.clients({ endpointUrl: proxy.endpoint });
  // The emulator keeps no RDS metrics: record the replica's lag as CloudWatch would.
  await recordReplicaLag(aws, "us-west-2", "app-db-replica", 4);
});

afterAll(async () => {
  await proxy.stop();
});

describe("alarm-triggered failover", () => {
  it("starts one run for duplicate alarms within the window, and ignores what is not a configured alarm in ALARM", async () => {
    const rt = runtime(`triggers:
  - alarms: ["api-primary-*"]
    runbook: examples/dns-failover/failover.yaml
    policy: execute
    windowMinutes: 30
`);
    const first = await alarm(rt, {
      Records: [
        snsRecord("api-primary-5xx", "ALARM", "a"),
        snsRecord("api-primary-5xx", "ALARM", "b"),
        snsRecord("api-primary-latency", "OK"),
        snsRecord("billing-alarm", "ALARM"),
        { EventSource: "aws:sns", Sns: { MessageId: "m-5", Message: "not json" } },
      ],
    });
    expect(first.outcomes.map((o) => [o.alarm, o.action])).toEqual([
      ["api-primary-5xx", "started"],
      ["api-primary-5xx", "duplicate"],
      ["api-primary-latency", "ignored"],
      ["billing-alarm", "ignored"],
    ]);
    expect(first.outcomes[1]?.detail).toMatch(
      /run run-\S+ was started for api by alarm api-primary-5xx at \S+; alarms until \S+ start no other run/,
    );
    expect(first.problems).toEqual([
      'Records[4] (SNS message m-5): expected the JSON of a CloudWatch alarm notification, got text starting "not json"',
    ]);
    // SNS delivers again, and two deliveries race: still one run.
    const again = await Promise.all([
      alarm(rt, { Records: [snsRecord("api-primary-5xx", "ALARM", "c")] }),
      alarm(rt, {
        "detail-type": "CloudWatch Alarm State Change",
        id: "evt-1",
        region: "us-east-1",
        account: "123456789012",
        detail: {
          alarmName: "api-primary-5xx",
          state: { value: "ALARM", reason: "threshold", timestamp: "x" },
        },
      }),
    ]);
    expect(again.flatMap((r) => r.outcomes.map((o) => o.action))).toEqual(["duplicate", "duplicate"]);
    const started = await executions();
    expect(started).toHaveLength(1);
    const input = await inputOf(started[0]?.executionArn ?? "");
    expect(input).toMatchObject({
      runId: first.outcomes[0]?.runId,
      runbook: "examples/dns-failover/failover.yaml",
      policy: "execute",
      alarm: { name: "api-primary-5xx" },
    });
    expect(started[0]?.name).toBe(input.runId);

    // After the window, the alarm starts a new run.
    const later = await alarm(
      rt,
      { Records: [snsRecord("api-primary-5xx", "ALARM", "d")] },
      () => new Date(Date.now() + 31 * 60_000),
    );
    expect(later.outcomes.map((o) => o.action)).toEqual(["started"]);
    expect(await executions()).toHaveLength(2);
  });

  it("starts a claimed run that never started when the alarm is delivered again", async () => {
    const rt = runtime(`triggers:
  - alarms: [web-db-down]
    runbook: examples/warm-standby/failover.yaml
`);
    const { TriggerWindows } = await import("../src/trigger/window.js");
    const windows = new TriggerWindows(aws, "drctl-history", "us-east-1");
    const input = inputFor("run-20261122T090000Z-dead", "examples/warm-standby/failover.yaml", {
      policy: "approve",
      alarm: { name: "web-db-down", reason: "r", at: "2026-11-22T09:00:00Z" },
    });
    // As if the function stopped between claiming the window and starting the execution.
    await windows.claim(
      "web",
      {
        runId: input.runId,
        alarm: "web-db-down",
        claimedAt: new Date().toISOString(),
        until: new Date(Date.now() + 3_600_000).toISOString(),
        input: JSON.stringify(input),
      },
      new Date(),
    );
    const before = (await executions()).length;
    const r = await alarm(rt, { Records: [snsRecord("web-db-down", "ALARM")] });
    expect(r.outcomes.map((o) => [o.action, o.runId])).toEqual([["started", input.runId]]);
    expect(await executions()).toHaveLength(before + 1);
    const r2 = await alarm(rt, { Records: [snsRecord("web-db-down", "ALARM", "again")] });
    expect(r2.outcomes.map((o) => [o.action, o.runId])).toEqual([["duplicate", input.runId]]);
  });

  it("runs the warm-standby failover across turns of the workflow once an operator approves its start", async () => {
    const queue = await subscribeQueue(aws, world.topicArn, "dr-oncall-trigger");
    const rt = runtime(`triggers:
  - alarms: [web-primary-unhealthy]
    runbook: examples/warm-standby/failover.yaml
    policy: approve
    approvalTimeoutMinutes: 60
    notifyTopicArn: ${world.topicArn}
`);
    // Later than the window the previous test's alarm holds for the same application.
    const started = await alarm(
      rt,
      { Records: [snsRecord("web-primary-unhealthy", "ALARM")] },
      () => new Date(Date.now() + 2 * 3_600_000),
    );
    expect(started.outcomes.map((o) => o.action)).toEqual(["started"]);
    const input = await inputOf(started.outcomes[0]?.executionArn ?? "");

    // Turns before the approval change nothing: each ends while the gate waits.
    const waiting = await workflow(rt, input, () => START_GATE, 2);
    expect(waiting.map((t) => t.status)).toEqual(["awaiting-approval", "awaiting-approval"]);
    expect(waiting[0]?.summary).toBe(
      `run ${input.runId} waits for approval: drctl --store '${STORE}' runbook approve ${input.runId} approve-start`,
    );
    expect(await standbyCapacity()).toEqual([0, 0, 4]);

    // A second alarm-started run of the same application is refused while this one holds the lock.
    const other = await advance(
      rt,
      { ...input, runId: "run-20261122T100000Z-beef" },
      AbortSignal.timeout(5_000),
    );
    expect(other.status).toBe("refused");
    expect(other.summary).toMatch(
      new RegExp(`another run holds the lock for application "web": run ${input.runId} by pid \\d+`),
    );

    // The operator approves from a laptop, through the same DynamoDB journal.
    const approved = await drctl("runbook", "approve", input.runId, "approve-start", "--by", "alice");
    expect(approved.code, approved.stderr).toBe(0);
    // The first turn ends while the 1 s settle step waits: the next turn goes on from the journal.
    const turns = await workflow(rt, input, (turn) => (turn === 0 ? "settle" : undefined));
    expect(turns.at(-1)?.status, turns.at(-1)?.summary).toBe("succeeded");
    expect(turns.length).toBeGreaterThan(1);
    expect(await standbyCapacity()).toEqual([2, 2, 4]);
    const role = await aws
      .get(SSMClient, "us-west-2")
      .send(new GetParameterCommand({ Name: "/app/region/role" }));
    expect(role.Parameter?.Value).toBe("primary");

    // Every step once, the gate first; the timeline counts the wait for approval.
    const journal = new DynamoDbJournal(aws, "drctl-history", "us-east-1");
    const steps = await journal.steps(input.runId);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([
      ["approve-start", "succeeded"],
      ["promote-database", "succeeded"],
      ["scale-standby", "succeeded"],
      ["mark-active", "succeeded"],
      ["wait-healthy", "succeeded"],
      ["move-traffic", "succeeded"],
      ["fence-old-primary", "succeeded"],
      ["settle", "succeeded"],
    ]);
    expect(steps.find((s) => s.stepId === "approve-start")?.outputs.approvedBy).toBe("alice");
    // The 1 s settle step spanned two turns: one attempt, counted from its first start.
    const settle = steps.find((s) => s.stepId === "settle");
    expect(settle?.attempts).toBe(1);
    expect(Date.parse(settle?.finishedAt ?? "") - Date.parse(settle?.startedAt ?? "")).toBeGreaterThanOrEqual(
      1000,
    );
    const status = await drctl("runbook", "status", input.runId);
    expect(status.code).toBe(0);
    // The RTO counts from the alarm (the test's alarm is days old: missed), waits and turns included.
    expect(status.stdout).toMatch(
      /elapsed \d+ h \d+ min from the alarm to the end \(waits, approvals and resumes included\); RTO target 30 min: MISSED\ncritical path \(the steps alone\): approve-start -> (promote-database|scale-standby) -> .* -> settle = /,
    );

    const told = await queue.read();
    expect(told.map((m) => m.subject)).toEqual([
      "warm-standby failover: started by alarm web-primary-unhealthy",
      "warm-standby failover: not started",
      "warm-standby failover: succeeded",
    ]);
    expect(told[0]?.message).toMatch(
      /Nothing changes until it is approved, within 60 minutes: drctl --store/,
    );
    expect(told[1]?.message).toMatch(/was not started: another run holds the lock/);
    expect(told[2]?.message).toMatch(/warm-standby failover run run-\S+: succeeded\n\s+STEP/);
  });

  it("ends a run whose start was not approved in time, having changed nothing, and frees the application", async () => {
    const rt = runtime("triggers: []\n");
    const input = inputFor("run-20261122T110000Z-0a0a", "examples/dns-failover/failover.yaml", {
      policy: "approve",
      approvalTimeoutMinutes: 0.002,
    });
    const turns = await workflow(rt, input, () => undefined);
    expect(turns.map((t) => t.status)).toEqual(["failed"]);
    expect(turns[0]?.steps.map((s) => s.status)).toEqual(["failed", ...Array<string>(6).fill("pending")]);
    const journal = new DynamoDbJournal(aws, "drctl-history", "us-east-1");
    expect((await journal.steps(input.runId))[0]?.error).toMatch(/not approved before the step's timeout/);
    // Nothing ran, so the lock is free for the next run.
    expect(await journal.lockOf("api")).toBeUndefined();
    await acquireLock(journal, {
      application: "api",
      runId: "run-next",
      owner: processOwner(),
      leaseMs: 1000,
    });
    await journal.unlock("api", "run-next");
  });

  it("leaves a failed run resumable from a laptop, with a local copy of its runbook checked against the journal", async () => {
    const text = `version: 1
name: partial
application: cloud-partial
region: us-west-2
steps:
  - id: write
    kind: ssm.put-parameters
    params: { parameters: { /app/cloud/first: "1" } }
  - id: scale
    kind: autoscaling.set-capacity
    after: [write]
    params: { group: cloud-later, min: 0, desired: 0, max: 1 }
`;
    // The function's bundle, gone once the run failed (a laptop does not have /var/task).
    const bundle = mkdtempSync(join(tmpdir(), "drctl-bundle-"));
    mkdirSync(join(bundle, "runbooks"));
    writeFileSync(join(bundle, "runbooks", "partial.yaml"), text);
    const rt = { ...runtime("triggers: []\n"), runbookDir: bundle };
    const input = inputFor("run-20261122T130000Z-0c0c", "runbooks/partial.yaml");
    const turns = await workflow(rt, input, () => undefined);
    expect(turns.map((t) => t.status)).toEqual(["failed"]);
    expect(turns[0]?.summary).toMatch(/scale\s+failed .*Auto Scaling group cloud-later not found/);
    rmSync(bundle, { recursive: true });

    await aws.get(AutoScalingClient, "us-west-2").send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "cloud-later",
        LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" },
        MinSize: 0,
        MaxSize: 1,
        AvailabilityZones: ["us-west-2a"],
      }),
    );
    const missing = await drctl("runbook", "resume", input.runId, "--execute");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read runbook .*runbooks\/partial.yaml/);
    const local = join(mkdtempSync(join(tmpdir(), "drctl-laptop-")), "partial.yaml");
    // A copy whose step that acted (write) differs is refused: the journal has it step by step.
    writeFileSync(local, text.replace('first: "1"', 'first: "2"'));
    const edited = await drctl("runbook", "resume", input.runId, "--runbook", local, "--execute");
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(
      /changed since run run-20261122T130000Z-0c0c began .*: step "write" changed, and it has already acted/,
    );
    writeFileSync(local, text);
    const resumed = await drctl("runbook", "resume", input.runId, "--runbook", local, "--execute");
    expect(resumed.code, resumed.stderr).toBe(0);
    const steps = await new DynamoDbJournal(aws, "drctl-history", "us-east-1").steps(input.runId);
    expect(steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ["write", "succeeded", 1],
      ["scale", "succeeded", 2],
    ]);
  });

  it("refuses, without a crash, a run whose runbook is not in the bundle", async () => {
    const rt = runtime("triggers: []\n");
    const result = await advance(
      rt,
      inputFor("run-20261122T120000Z-0b0b", "runbooks/missing.yaml"),
      AbortSignal.timeout(5_000),
    );
    expect(result.status).toBe("refused");
    expect(result.summary).toMatch(/cannot read runbook .*runbooks\/missing.yaml/);
  });
});
