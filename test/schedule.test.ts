/**
 * Scheduled runbooks against the emulator: a schedule's firing (as its EventBridge rule delivers
 * it to the trigger function) starts the runbook once in the failover workflow, which runs it at
 * once; a failed run tells the topic, and keeps its application's lock, so the next firing is
 * not started (and says so) until a person resumes it. And `drctl schedule list`.
 */
import { DescribeImagesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchFromLatestImageParameter } from "../demo/world/compute.js";
import { buildWorld, type World } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { parseYamlWithSchema } from "../src/config/load.js";
import { configSchema } from "../src/config/schema.js";
import { advance, alarm, type AdvanceResult } from "../src/lambda/failover.js";
import type { Runtime } from "../src/lambda/runtime.js";
import { DynamoDbJournal } from "../src/runbook/journal-dynamodb.js";
import { DynamoDbHistory } from "../src/history/dynamodb.js";
import { failoverInputSchema, type FailoverInput } from "../src/trigger/start.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";
import { workaroundProxy, type MotoImages } from "./harness/moto-workarounds.js";
import { subscribeQueue } from "./harness/topic-queue.js";

const env = useEmulator();
const STORE = "dynamodb://drctl-history?region=us-east-1";
let aws: AwsClients;
let world: World;
let images: FaultProxy & { images: MotoImages };
/** In front of the workaround proxy: denies CopyImage while `denyCopy` is set (an IAM policy that lacks it). */
let gate: FaultProxy;
let denyCopy = false;
let stateMachineArn: string;

const CONFIG = (topic: string) => `schedules:
  - name: daily-images
    runbook: examples/images/daily.yaml
    cron: cron(0 2 * * ? *)
    set: { group: web }
    notifyTopicArn: ${topic}
`;

function runtime(): Runtime {
  return {
    log: () => undefined,
    config: parseYamlWithSchema(CONFIG(world.topicArn), "DRCTL_CONFIG", configSchema),
    aws,
    store: STORE,
    site: undefined,
    results: "s3://unused/work",
    runbookDir: process.cwd(),
    failoverStateMachine: stateMachineArn,
    region: "us-east-1",
  };
}

/** What the schedule's EventBridge rule sends the trigger function at a firing. */
const firing = (time: string, id = `evt-${time}`) => ({ "drctl-schedule": "daily-images", time, id });

const executions = async () =>
  (await aws.get(SFNClient, "us-east-1").send(new ListExecutionsCommand({ stateMachineArn }))).executions ??
  [];
async function inputOf(executionArn: string): Promise<FailoverInput> {
  const out = await aws.get(SFNClient, "us-east-1").send(new DescribeExecutionCommand({ executionArn }));
  return failoverInputSchema.parse(JSON.parse(out.input ?? "{}"));
}

/** The workflow: advance until the run ends (each turn to its end: nothing here waits long). */
async function workflow(rt: Runtime, input: FailoverInput): Promise<AdvanceResult[]> {
  const turns: AdvanceResult[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await advance(rt, input, new AbortController().signal);
    turns.push(r);
    if (r.status !== "running" && r.status !== "awaiting-approval") break;
  }
  return turns;
}

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

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
  images = await workaroundProxy(env.emulator.endpoint);
  gate = await FaultProxy.start(images.endpoint, {
    ...NO_FAULTS,
    fail: ({ body }) =>
      denyCopy && new URLSearchParams(body).get("Action") === "CopyImage"
        ? {
            status: 403,
            code: "UnauthorizedOperation",
            message: "You are not authorized to perform this operation.",
          }
        : undefined,
  });
  aws = await env.clients({ endpointUrl: gate.endpoint });
  await launchFromLatestImageParameter(
    aws.get(EC2Client, "us-west-2"),
    aws.get(SSMClient, "us-west-2"),
    world.images.standbyImageId,
  );
});

afterAll(async () => {
  await gate.stop();
  await images.stop();
});

describe("a scheduled runbook in the cloud workflow", () => {
  it("starts once per firing (redelivered, racing), runs at once to its end, and tells no one of a success", async () => {
    const queue = await subscribeQueue(aws, world.topicArn, "schedule-success");
    const rt = runtime();
    const at = "2026-12-02T02:00:00Z";
    const [a, b] = await Promise.all([alarm(rt, firing(at)), alarm(rt, firing(at))]);
    const again = await alarm(rt, firing(at));
    // Racing deliveries may both start it (the second, of the claim it lost, under the same name):
    // one run, one execution. A later redelivery finds it started.
    const all = [...a.outcomes, ...b.outcomes, ...again.outcomes];
    expect(new Set(all.map((o) => o.runId)).size).toBe(1);
    expect(again.outcomes.map((o) => o.action)).toEqual(["duplicate"]);
    const started = await executions();
    expect(started).toHaveLength(1);
    const input = await inputOf(started[0]?.executionArn ?? "");
    expect(input).toMatchObject({
      runbook: "examples/images/daily.yaml",
      set: { group: "web" },
      policy: "execute",
      schedule: { name: "daily-images", at },
      notifyTopicArn: world.topicArn,
    });
    expect(input.alarm).toBeUndefined();

    const turns = await workflow(rt, input);
    expect(turns.at(-1)?.status, turns.at(-1)?.summary).toBe("succeeded");
    const steps = await new DynamoDbJournal(aws, "drctl-history", "us-east-1").steps(input.runId);
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([
      ["create-image", "succeeded"],
      ["copy-to-standby", "succeeded"],
      ["point-parameter", "succeeded"],
      ["prune-standby", "succeeded"],
      ["prune-primary", "succeeded"],
    ]);
    const copy = steps.find((s) => s.stepId === "copy-to-standby")?.outputs.imageId ?? "";
    const param = await aws
      .get(SSMClient, "us-west-2")
      .send(new GetParameterCommand({ Name: "/app/latest-ami-id" }));
    expect(param.Parameter?.Value).toBe(copy);
    const described = await aws
      .get(EC2Client, "us-west-2")
      .send(new DescribeImagesCommand({ ImageIds: [copy] }));
    expect(described.Images?.[0]?.State).toBe("available");
    expect(await queue.read()).toEqual([]);

    // A firing of a schedule drctl.yaml does not have starts nothing.
    const unknown = await alarm(rt, { "drctl-schedule": "hourly-nothing", time: at, id: "x" });
    expect(unknown.outcomes.map((o) => [o.action, o.detail])).toEqual([
      ["ignored", "no schedule hourly-nothing in the configuration"],
    ]);
    expect(await executions()).toHaveLength(1);
  });

  it("tells the topic of a failed run, which keeps the application: the next firing is not started, and says so, until a person resumes the run", async () => {
    const queue = await subscribeQueue(aws, world.topicArn, "schedule-failure");
    const rt = runtime();
    denyCopy = true;
    const first = await alarm(rt, firing("2026-12-03T02:00:00Z"));
    const failedInput = await inputOf(first.outcomes[0]?.executionArn ?? "");
    const turns = await workflow(rt, failedInput);
    expect(turns.at(-1)?.status).toBe("failed");
    expect(turns.at(-1)?.summary).toMatch(/copy-to-standby\s+failed .*not authorized/);
    const told = await queue.read();
    expect(told.map((m) => m.subject)).toEqual(["daily images: failed"]);
    expect(told[0]?.message).toMatch(/daily images run run-\S+: failed\n\s+STEP/);

    denyCopy = false;
    const next = await alarm(rt, firing("2026-12-04T02:00:00Z"));
    expect(next.outcomes.map((o) => o.action)).toEqual(["started"]);
    const refused = await workflow(rt, await inputOf(next.outcomes[0]?.executionArn ?? ""));
    expect(refused.map((t) => t.status)).toEqual(["refused"]);
    expect(refused[0]?.summary).toMatch(
      new RegExp(`another run holds the lock for application "web-images": run ${failedInput.runId}`),
    );
    expect((await queue.read()).map((m) => [m.subject, m.message.slice(0, 40)])).toEqual([
      ["daily images: not started", `Run ${next.outcomes[0]?.runId ?? ""} was not started: `.slice(0, 40)],
    ]);

    // A person resumes the failed run from a laptop, through the same journal: it ends, and frees the application.
    const resumed = await drctl(
      "--endpoint-url",
      gate.endpoint,
      "--store",
      STORE,
      "runbook",
      "resume",
      failedInput.runId,
      "--execute",
    );
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await new DynamoDbJournal(aws, "drctl-history", "us-east-1").lockOf("web-images")).toBeUndefined();

    // From a laptop: a run of the schedule that fails keeps the application; a new one takes it over with --force.
    const dir = mkdtempSync(join(tmpdir(), "drctl-laptop-"));
    mkdirSync(join(dir, "runbooks"));
    copyFileSync("examples/images/daily.yaml", join(dir, "runbooks", "daily.yaml"));
    writeFileSync(join(dir, "drctl.yaml"), CONFIG(world.topicArn).replace("examples/images/", "runbooks/"));
    const laptop = ["--endpoint-url", gate.endpoint, "--store", STORE, "--config", join(dir, "drctl.yaml")];
    denyCopy = true;
    const failing = await drctl(...laptop, "schedule", "run", "daily-images", "--execute");
    expect(failing.code).toBe(3);
    expect(failing.stderr).toMatch(/AWS calls: \d+ \(.*EC2\.CopyImage 1/);
    denyCopy = false;
    const held = await drctl(...laptop, "schedule", "run", "daily-images", "--execute");
    expect(held.code).toBe(3);
    expect(held.stderr).toMatch(/another run holds the lock for application "web-images"/);
    const forced = await drctl(
      ...laptop,
      "schedule",
      "run",
      "daily-images",
      "--execute",
      "--force",
      "the copy was denied; fixed",
    );
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    const runId = /daily images run (run-\S+): succeeded/.exec(forced.stdout)?.[1] ?? "";
    const status = await drctl(...laptop, "runbook", "status", runId);
    expect(status.stdout).toMatch(/forced by \S+: the copy was denied; fixed \(from run run-\S+/);
  });
});

describe("drctl schedule list", () => {
  it("shows each schedule as the deployment makes it: cron, next times, runbook, its application and values, the topic told", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-schedules-"));
    mkdirSync(join(dir, "runbooks"));
    copyFileSync("examples/images/daily.yaml", join(dir, "runbooks", "daily.yaml"));
    writeFileSync(
      join(dir, "drctl.yaml"),
      `triggers:
  - alarms: [web-primary-*]
    runbook: runbooks/daily.yaml
    notifyTopicArn: arn:aws:sns:us-west-2:123456789012:dr-oncall
schedules:
  - name: daily-images
    runbook: runbooks/daily.yaml
    cron: cron(0 2 * * ? *)
    set: { group: web, keep: 5 }
  - name: weekly-images
    runbook: runbooks/daily.yaml
    cron: cron(30 3 ? * SUN *)
    notifyTopicArn: arn:aws:sns:us-west-2:123456789012:images
`,
    );
    const text = await drctl("--config", join(dir, "drctl.yaml"), "schedule", "list");
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[1]).toMatch(
      /^SCHEDULE\s+CRON\s+NEXT \(UTC\)\s+RUNBOOK\s+APPLICATION\s+SET\s+TOLD ON FAILURE$/,
    );
    expect(lines[2]).toMatch(
      /^daily-images\s+cron\(0 2 \* \* \? \*\)\s+\d{4}-\d\d-\d\dT02:00:00Z\s+runbooks\/daily.yaml \(daily images\)\s+web-images\s+group=web keep=5\s+arn:aws:sns:us-west-2:123456789012:dr-oncall$/,
    );
    expect(lines[3]).toMatch(
      /^weekly-images\s+cron\(30 3 \? \* SUN \*\)\s+\S+T03:30:00Z\s+.*\s+-\s+arn:aws:sns:us-west-2:123456789012:images$/,
    );
    const json = await drctl("--config", join(dir, "drctl.yaml"), "--json", "schedule", "list");
    const parsed = JSON.parse(json.stdout) as { schedules: { name: string; next: string[] }[] };
    const weekly = parsed.schedules.find((s) => s.name === "weekly-images");
    expect(weekly?.next).toHaveLength(3);
    // Sundays, a week apart.
    expect(weekly?.next.map((t) => new Date(t).getUTCDay())).toEqual([0, 0, 0]);
    expect(Date.parse(weekly?.next[1] ?? "") - Date.parse(weekly?.next[0] ?? "")).toBe(7 * 86_400_000);

    // A cron in the wrong syntax: where, what was expected, and what it would be.
    writeFileSync(
      join(dir, "bad.yaml"),
      "schedules:\n  - name: daily-images\n    runbook: runbooks/daily.yaml\n    cron: 0 2 * * *\n",
    );
    const bad = await drctl("--config", join(dir, "bad.yaml"), "schedule", "list");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `drctl: ${join(dir, "bad.yaml")}:4:11: schedules.0.cron: expected an EventBridge cron expression cron(minutes hours day-of-month month day-of-week year) in UTC, such as cron(0 2 * * ? *) (every day at 02:00); "0 2 * * *" is a Unix cron line; in EventBridge syntax it is cron(0 2 * * ? *)`,
    );
    const unknown = await drctl("--config", join(dir, "drctl.yaml"), "schedule", "run", "daily-image");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no schedule "daily-image" in .*drctl.yaml \(its schedules: daily-images, weekly-images; did you mean daily-images\?\)/,
    );
  });
});
