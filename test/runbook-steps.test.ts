import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { subscribeQueue } from "./harness/topic-queue.js";

const env = useEmulator();
let aws: AwsClients;
let server: Server;
let base: string;
/** What the local HTTP server was asked, and how /flaky answers: 503 twice, then 200. */
const seen: { path: string; body: string; key: string }[] = [];
let flaky = 0;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

function runbook(steps: string, extra = ""): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-rb-")), "runbook.yaml");
  writeFileSync(
    file,
    `version: 1\nname: steps under test\napplication: steps\nregion: us-east-1\n${extra}steps:\n${steps}`,
  );
  return file;
}

const lastRun = async () => {
  const journal = SqliteJournal.open(join(process.env.DRCTL_HOME ?? "", "journal.sqlite"));
  try {
    const run = (await journal.runs())[0];
    return { run, steps: run ? await journal.steps(run.runId) : [] };
  } finally {
    journal.close();
  }
};

beforeAll(async () => {
  aws = await env.clients();
  await buildWorld(aws, { pairs: 1 });
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", body, key: String(req.headers["idempotency-key"] ?? "") });
      if (req.url === "/flaky") {
        flaky++;
        res.writeHead(flaky <= 2 ? 503 : 200).end(flaky <= 2 ? "starting" : "status: healthy");
      } else res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

// Every call the runbooks this file runs make (after the world is built), for the last test.
let recorder: ReturnType<typeof recordAwsCalls>;
beforeAll(() => {
  recorder = recordAwsCalls();
});
afterAll(() => recorder.stop());

beforeEach(() => {
  process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-home-"));
});

describe("http.check", () => {
  it("repeats until the URL answers as expected several times in a row", async () => {
    flaky = 0;
    const file = runbook(
      `  - id: api-up
    kind: http.check
    params: { url: "\${config.url}", expectBody: healthy, consecutive: 2, intervalSeconds: 0 }
`,
      `config: { url: "${base}/nothing-here" }\n`,
    );
    const r = await drctl("failover", "run", "--runbook", file, "--set", `url=${base}/flaky`, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { steps } = await lastRun();
    // 503, 503, then 200 twice: four requests (the plan's own probe is the first 503).
    expect(steps[0]?.outputs).toEqual({ status: "200", requests: "3" });
    expect(flaky).toBe(4);
  });
});

describe("elbv2.wait-healthy", () => {
  it("reads the target group's health and passes with enough healthy targets", async () => {
    const file = runbook(`  - id: targets
    kind: elbv2.wait-healthy
    params: { targetGroup: web-001-app, minHealthy: 1 }
`);
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await lastRun()).steps[0]?.plan).toMatch(/web-001-app: \d+ of \d+ targets healthy/);
    expect(Number((await lastRun()).steps[0]?.outputs.healthy)).toBeGreaterThanOrEqual(1);
  });
});

describe("notify", () => {
  it("publishes to SNS (read back from a subscribed queue) and posts to a webhook kept in SSM; the failback says so again without copying the URL", async () => {
    const topic =
      (await aws.get(SNSClient, "us-east-1").send(new CreateTopicCommand({ Name: "dr-events" }))).TopicArn ??
      "";
    const queue = await subscribeQueue(aws, topic, "dr-events");
    // The webhook's URL is a credential: a SecureString the runbook refers to.
    await aws
      .get(SSMClient, "us-east-1")
      .send(
        new PutParameterCommand({ Name: "/app/hooks/oncall", Value: `${base}/hook`, Type: "SecureString" }),
      );
    const file = runbook(`  - id: tell
    kind: notify
    params: { message: "failover of web started", topicArn: "${topic}", webhookUrl: "\${ssm:/app/hooks/oncall}" }
`);
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runId = (await lastRun()).run?.runId ?? "";
    const back = await drctl("failback", "run", "--from", runId, "--execute");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const messages = (await queue.read()).map((m) => m.message);
    expect(messages.sort()).toEqual(["failback: failover of web started", "failover of web started"]);
    const hooks = seen.filter((s) => s.path === "/hook");
    expect(hooks.map((s) => JSON.parse(s.body) as unknown)).toEqual([
      { text: "drctl runbook: failover of web started" },
      { text: "drctl runbook: failback: failover of web started" },
    ]);
    // Each with its step's idempotency key, for a receiver that drops repeats.
    expect(hooks.map((s) => s.key)).toEqual([`${runId}/tell`, expect.stringMatching(/^run-\S+\/undo-tell$/)]);
    const failback = readFileSync(
      join(process.env.DRCTL_HOME ?? "", "runbooks", `failback-${runId}.yaml`),
      "utf8",
    );
    expect(failback).toContain("webhookUrl: ${ssm:/app/hooks/oncall}");
    expect(failback + r.stdout + r.stderr + back.stdout + back.stderr).not.toContain(`${base}/hook`);
  });

  it("is not sent twice after a crash: a step in doubt waits for a person's decision", async () => {
    const topic =
      (await aws.get(SNSClient, "us-east-1").send(new CreateTopicCommand({ Name: "dr-doubt" }))).TopicArn ??
      "";
    const queue = await subscribeQueue(aws, topic, "dr-doubt");
    const file = runbook(`  - id: tell
    kind: notify
    params: { message: "failing over", topicArn: "${topic}" }
`);
    // The runner is killed after the publish returned, before its journal says so.
    const killed = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "--endpoint-url",
        env.emulator.endpoint,
        "failover",
        "run",
        "--runbook",
        file,
        "--execute",
      ],
      { env: { ...process.env, DRCTL_CRASH_AT: "tell:after-call" }, encoding: "utf8" },
    );
    expect(killed.signal).toBe("SIGKILL");
    const first = await lastRun();
    expect(first.steps[0]?.status).toBe("running");
    expect(first.steps[0]?.intent?.plan).toMatch(/failing over/);
    expect(first.steps[0]?.intent?.appliedAt).toBeUndefined();
    expect((await queue.read()).length).toBe(1);
    const resumed = await drctl("runbook", "resume", first.run?.runId ?? "", "--execute");
    expect(resumed.code).toBe(3);
    expect(resumed.stdout).toMatch(
      new RegExp(
        `tell\\s+in-doubt .* in doubt: the message may or may not have gone out; drctl cannot ask the channels\\. Decide: drctl runbook approve ${first.run?.runId ?? ""} tell \\(run it again\\) or drctl runbook approve ${first.run?.runId ?? ""} tell --done`,
      ),
    );
    expect((await lastRun()).steps[0]?.status).toBe("in-doubt");
    expect(await queue.read()).toEqual([]);
    // A person saw the message arrive: counted as done, not sent again.
    const decided = await drctl(
      "runbook",
      "approve",
      first.run?.runId ?? "",
      "tell",
      "--done",
      "--by",
      "oncall",
    );
    expect(decided.code, decided.stderr).toBe(0);
    const done = await drctl("runbook", "resume", first.run?.runId ?? "", "--execute");
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(await queue.read()).toEqual([]);
    expect((await lastRun()).steps[0]?.status).toBe("succeeded");
    const status = await drctl("runbook", "status", first.run?.runId ?? "");
    expect(status.stdout).toMatch(/tell was in doubt: counted as done by oncall/);
  });
});

describe("fence-primary", () => {
  it("scales the old primary to 0 and revokes its HTTPS ingress; the generated failback puts both back", async () => {
    const ec2 = aws.get(EC2Client, "us-east-1");
    const group = async () =>
      (
        await ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["web-001-lb"] }] }),
        )
      ).SecurityGroups?.[0];
    const capacity = async () => {
      const g = (
        await aws
          .get(AutoScalingClient, "us-east-1")
          .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
      ).AutoScalingGroups?.[0];
      return [g?.MinSize, g?.DesiredCapacity, g?.MaxSize];
    };
    const rules = (g: Awaited<ReturnType<typeof group>>) =>
      (g?.IpPermissions ?? [])
        .flatMap((p) => [
          ...(p.IpRanges ?? []).map((r) => `${p.FromPort} ${r.CidrIp}`),
          ...(p.Ipv6Ranges ?? []).map((r) => `${p.FromPort} ${r.CidrIpv6}`),
        ])
        .sort();
    const before = { capacity: await capacity(), rules: rules(await group()) };
    expect(before.rules).toContain("443 0.0.0.0/0");
    const file = runbook(`  - id: fence
    kind: fence-primary
    params:
      autoScalingGroup: web
      securityGroup: { groupId: "${(await group())?.GroupId ?? ""}", ports: [443] }
`);
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await capacity()).toEqual([0, 0, 0]);
    expect(rules(await group())).toEqual(before.rules.filter((x) => !x.startsWith("443 ")));

    const back = await drctl("failback", "run", "--from", (await lastRun()).run?.runId ?? "", "--execute");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await capacity()).toEqual(before.capacity);
    expect(rules(await group())).toEqual(before.rules);
  });
});

describe("the operations the step kinds declare", () => {
  it("include every AWS operation the runbooks above called (the README and the deployment policy come from these)", () => {
    expect(recorder.calls.size).toBeGreaterThan(3);
    expect(undeclaredBy(recorder.calls, "failover, failback, runbook resume")).toEqual([]);
  });
});
