/**
 * The fault step kinds of drills, each against the emulator over HTTP (the real SDK), run through
 * the runbook engine as an operator runs a runbook (drctl failover run / runbook resume / failback
 * run), on a small world of their own:
 *   plan        the dry run says what would change, from the live state; nothing changes
 *   in doubt    the runner SIGKILLed after the fault's AWS call returned, before the journal says
 *               so (DRCTL_CRASH_AT=fault:after-call, a real child process): the resume reconciles
 *               the step as done from the live state and does not call AWS again
 *   idempotent  a second run with the fault in place plans "already so" and makes no mutating call
 *   inverse     the failback generated from the journal restores the world exactly as it was (read
 *               back); run again, it changes nothing
 * What reached AWS is counted by a recording proxy in front of the emulator, across processes.
 * fault.command runs real shell commands (files in a temporary directory) and their undo.
 *
 * moto 5.2 serves every call these kinds make (UpdateHealthCheck Inverted/Disabled,
 * UpdateAutoScalingGroup, StopInstances/StartInstances, Revoke/AuthorizeSecurityGroupIngress,
 * ModifyTargetGroup HealthCheckPath); it never raises HealthCheckVersion, which only the wording of
 * a health check's reconcile reads, so no workaround is needed here.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RegisterImageCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateHealthCheckCommand, GetHealthCheckCommand, Route53Client } from "@aws-sdk/client-route-53";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { bundleCli } from "./harness/cli-bundle.js";
import { drctlProcess } from "./harness/drctl-process.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { RecordingProxy, type RecordedCall } from "./harness/recording-proxy.js";

const env = useEmulator();
const REGION = "us-east-1";
let aws: AwsClients;
let proxy: RecordingProxy;
let drctl: string[];
let home: string;

/** drctl in this process, through the recording proxy. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", proxy.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join(""), all: out.join("") + err.join("") };
}

function runbookFile(application: string, kind: string, params: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drctl-fault-")), "fault.yaml");
  writeFileSync(
    file,
    `version: 1\nname: ${kind} under test\napplication: ${application}\nregion: ${REGION}\nsteps:\n  - id: fault\n    kind: ${kind}\n    params: ${params}\n`,
  );
  return file;
}

function journal(): SqliteJournal {
  return SqliteJournal.open(join(home, "journal.sqlite"));
}

async function runOf(runId: string) {
  const j = journal();
  try {
    return { run: await j.run(runId), steps: await j.steps(runId), events: await j.events(runId) };
  } finally {
    j.close();
  }
}

async function latestRunId(): Promise<string> {
  const j = journal();
  try {
    return (await j.runs())[0]?.runId ?? "";
  } finally {
    j.close();
  }
}

interface FaultCase {
  kind: string;
  title: string;
  params: () => string;
  /** The world the fault acts on, read back through the emulator. */
  read: () => Promise<unknown>;
  /** What the world must be with the fault in place, from what it was. */
  faulted: (before: unknown) => unknown;
  /** The plan's "current -> target" as the dry run prints it. */
  plan: RegExp;
  /** The fault's own mutating calls, and its undo's. */
  faultCall: (c: RecordedCall) => boolean;
  undoCall: (c: RecordedCall) => boolean;
}

const mutating = (c: RecordedCall) =>
  /\.(Update|Stop|Start|Revoke|Authorize|Modify|Put|Create|Delete|Change|Terminate)/.test(c.operation);

/**
 * The whole life of one fault: plan, apply killed after its call and resumed (in doubt,
 * reconciled), applied again (idempotent), failed back (restored), failed back again (nothing).
 */
async function lifeOfAFault(c: FaultCase, application: string): Promise<void> {
  home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
  process.env.DRCTL_HOME = home;
  const file = runbookFile(application, c.kind, c.params());
  const before = await c.read();
  const count = (from: number, which: (call: RecordedCall) => boolean) =>
    proxy.since(from).filter(which).length;

  // The dry run: what would change, from the live state; nothing changed.
  let mark = proxy.calls.length;
  const plan = await cli("failover", "run", "--runbook", file);
  expect(plan.code, plan.all).toBe(0);
  expect(plan.stdout).toMatch(c.plan);
  expect(count(mark, mutating), "mutating calls of the dry run").toBe(0);
  expect(await c.read()).toEqual(before);

  // Applied, the runner killed after the call returned and before the journal says so.
  mark = proxy.calls.length;
  const killed = await drctlProcess(
    drctl,
    ["--endpoint-url", proxy.endpoint, "failover", "run", "--runbook", file, "--execute"],
    {
      DRCTL_HOME: home,
      DRCTL_CRASH_AT: "fault:after-call",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: REGION,
    },
  ).exited;
  expect(killed.signal, killed.stdout + killed.stderr).toBe("SIGKILL");
  expect(killed.stderr).toContain("drctl: crash point fault:after-call");
  const faultCalls = count(mark, c.faultCall);
  expect(faultCalls, "the fault's calls reached AWS").toBeGreaterThan(0);
  const faulted = c.faulted(before);
  expect(await c.read()).toEqual(faulted);
  const runId = await latestRunId();
  const crashed = await runOf(runId);
  expect(crashed.steps[0]?.status).toBe("running");
  expect(crashed.steps[0]?.intent?.plan).toBeTruthy();
  expect(crashed.steps[0]?.intent?.appliedAt).toBeUndefined();

  // Resumed: in doubt, reconciled from the live state as done, not applied twice.
  mark = proxy.calls.length;
  const resumed = await cli("runbook", "resume", runId, "--execute");
  expect(resumed.code, resumed.all).toBe(0);
  expect(count(mark, c.faultCall), "fault calls made again on resume").toBe(0);
  const done = await runOf(runId);
  expect(done.run?.status).toBe("succeeded");
  expect(done.steps[0]?.attempts).toBe(1);
  expect(done.events.map((e) => e.what).join("\n")).toMatch(/fault was in doubt: reconciled: /);
  expect(await c.read()).toEqual(faulted);

  // Applied again with the fault in place: nothing to do, no mutating call.
  mark = proxy.calls.length;
  const replan = await cli("failover", "run", "--runbook", file);
  expect(replan.stdout).toMatch(/already so; nothing to do/);
  const again = await cli("failover", "run", "--runbook", file, "--execute");
  expect(again.code, again.all).toBe(0);
  expect(count(mark, mutating), "mutating calls of a second run").toBe(0);
  expect(await c.read()).toEqual(faulted);

  // The inverse, generated from the first run's journal: the world as it was.
  mark = proxy.calls.length;
  const back = await cli("failback", "run", "--from", runId, "--execute");
  expect(back.code, back.all).toBe(0);
  expect(count(mark, c.undoCall), "the undo's calls").toBeGreaterThan(0);
  expect(await c.read()).toEqual(before);

  // And again: the world already is as it was; nothing changes.
  mark = proxy.calls.length;
  const twice = await cli("failback", "run", "--from", runId, "--execute");
  expect(twice.code, twice.all).toBe(0);
  expect(count(mark, mutating), "mutating calls of a second failback").toBe(0);
  expect(await c.read()).toEqual(before);
}

const childEnv = (crashAt: string) => ({
  DRCTL_HOME: home,
  DRCTL_CRASH_AT: crashAt,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: REGION,
});

/**
 * The other two boundaries: the fault killed before its call (in doubt, found not applied:
 * applied once), and its undo killed after its call (in doubt, found done: not undone twice).
 */
async function killedAtTheOtherBoundaries(c: FaultCase, application: string): Promise<void> {
  home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
  process.env.DRCTL_HOME = home;
  const file = runbookFile(application, c.kind, c.params());
  const before = await c.read();
  let mark = proxy.calls.length;
  const killed = await drctlProcess(
    drctl,
    ["--endpoint-url", proxy.endpoint, "failover", "run", "--runbook", file, "--execute"],
    childEnv("fault:before-call"),
  ).exited;
  expect(killed.signal, killed.stdout + killed.stderr).toBe("SIGKILL");
  expect(proxy.since(mark).filter(c.faultCall)).toEqual([]);
  expect(await c.read()).toEqual(before);
  const runId = await latestRunId();
  const resumed = await cli("runbook", "resume", runId, "--execute");
  expect(resumed.code, resumed.all).toBe(0);
  expect(proxy.since(mark).filter(c.faultCall).length, "the fault's calls").toBe(1);
  expect((await runOf(runId)).events.map((e) => e.what).join("\n")).toMatch(
    /fault was in doubt: reconciled: .*(not applied yet|still there)/,
  );
  expect(await c.read()).toEqual(c.faulted(before));

  mark = proxy.calls.length;
  const undoKilled = await drctlProcess(
    drctl,
    ["--endpoint-url", proxy.endpoint, "failback", "run", "--from", runId, "--execute"],
    childEnv("undo-fault:after-call"),
  ).exited;
  expect(undoKilled.signal, undoKilled.stdout + undoKilled.stderr).toBe("SIGKILL");
  const undoCalls = proxy.since(mark).filter(c.undoCall).length;
  expect(undoCalls).toBeGreaterThan(0);
  expect(await c.read()).toEqual(before);
  const backId = await latestRunId();
  expect(backId).not.toBe(runId);
  const backResumed = await cli("runbook", "resume", backId, "--execute");
  expect(backResumed.code, backResumed.all).toBe(0);
  expect(proxy.since(mark).filter(c.undoCall).length, "the undo's calls").toBe(undoCalls);
  expect((await runOf(backId)).events.map((e) => e.what).join("\n")).toMatch(
    /undo-fault was in doubt: reconciled: /,
  );
  expect(await c.read()).toEqual(before);
}

// The world the faults act on.
let healthChecks: { invert: string; disable: string };
let groupId: string;
let targetGroupArn: string;
const instances: { web: string[]; stoppedWeb: string; other: string } = {
  web: [],
  stoppedWeb: "",
  other: "",
};

beforeAll(async () => {
  aws = await env.clients();
  proxy = await RecordingProxy.start(env.emulator.endpoint);
  drctl = bundleCli();
  const r53 = aws.get(Route53Client, REGION);
  const check = async (ref: string) =>
    (
      await r53.send(
        new CreateHealthCheckCommand({
          CallerReference: ref,
          HealthCheckConfig: {
            Type: "HTTP",
            IPAddress: "192.0.2.10",
            Port: 80,
            ResourcePath: "/health",
            RequestInterval: 10,
            FailureThreshold: 3,
          },
        }),
      )
    ).HealthCheck?.Id ?? "";
  healthChecks = { invert: await check("fault-invert"), disable: await check("fault-disable") };

  const ec2 = aws.get(EC2Client, REGION);
  const vpcId = (
    await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))
  ).Vpcs?.[0]?.VpcId as string;
  const subnetId = (
    await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))
  ).Subnets?.[0]?.SubnetId as string;
  const peer = (
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "fault-peer", Description: "peer", VpcId: vpcId }),
    )
  ).GroupId as string;
  groupId = (
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "fault-web", Description: "web", VpcId: vpcId }),
    )
  ).GroupId as string;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "public https" }],
          Ipv6Ranges: [{ CidrIpv6: "::/0" }],
        },
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        {
          IpProtocol: "tcp",
          FromPort: 22,
          ToPort: 22,
          UserIdGroupPairs: [{ GroupId: peer, Description: "bastion" }],
        },
      ],
    }),
  );

  const image = (
    await ec2.send(
      new RegisterImageCommand({
        Name: "fault-base",
        Architecture: "x86_64",
        RootDeviceName: "/dev/xvda",
        VirtualizationType: "hvm",
        BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8 } }],
      }),
    )
  ).ImageId as string;
  const run = async (n: number, role: string) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: image,
          MinCount: n,
          MaxCount: n,
          InstanceType: "t3.micro",
          SubnetId: subnetId,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "role", Value: role }] }],
        }),
      )
    ).Instances?.map((i) => i.InstanceId as string) ?? [];
  instances.web = await run(2, "drill-web");
  instances.stoppedWeb = (await run(1, "drill-web"))[0] as string;
  instances.other = (await run(1, "other"))[0] as string;
  await ec2.send(new StopInstancesCommand({ InstanceIds: [instances.stoppedWeb] }));

  const template = (
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "fault-asg",
        LaunchTemplateData: { ImageId: image, InstanceType: "t3.micro" },
      }),
    )
  ).LaunchTemplate?.LaunchTemplateId as string;
  await aws.get(AutoScalingClient, REGION).send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: "fault-asg",
      LaunchTemplate: { LaunchTemplateId: template, Version: "$Latest" },
      MinSize: 2,
      DesiredCapacity: 3,
      MaxSize: 5,
      VPCZoneIdentifier: subnetId,
    }),
  );

  targetGroupArn = (
    await aws.get(ElasticLoadBalancingV2Client, REGION).send(
      new CreateTargetGroupCommand({
        Name: "fault-tg",
        Protocol: "HTTP",
        Port: 8080,
        VpcId: vpcId,
        TargetType: "instance",
        HealthCheckProtocol: "HTTP",
        HealthCheckPath: "/health",
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: "200" },
      }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn as string;
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
});

// Every call the runbooks this file runs make (after the world is built), for the last test.
let awsCalls: ReturnType<typeof recordAwsCalls>;
beforeAll(() => {
  awsCalls = recordAwsCalls();
});
afterAll(() => awsCalls.stop());

const healthCheck = (id: string) => async () => {
  const c = (await aws.get(Route53Client, REGION).send(new GetHealthCheckCommand({ HealthCheckId: id })))
    .HealthCheck?.HealthCheckConfig;
  return {
    inverted: c?.Inverted ?? false,
    disabled: c?.Disabled ?? false,
    address: c?.IPAddress,
    path: c?.ResourcePath,
    threshold: c?.FailureThreshold,
  };
};

async function ingress() {
  const g = (
    await aws.get(EC2Client, REGION).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))
  ).SecurityGroups?.[0];
  return (g?.IpPermissions ?? [])
    .flatMap((p) => [
      ...(p.IpRanges ?? []).map(
        (r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.CidrIp} ${r.Description ?? ""}`,
      ),
      ...(p.Ipv6Ranges ?? []).map(
        (r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.CidrIpv6} ${r.Description ?? ""}`,
      ),
      ...(p.UserIdGroupPairs ?? []).map(
        (r) => `${p.IpProtocol} ${p.FromPort}-${p.ToPort} ${r.GroupId} ${r.Description ?? ""}`,
      ),
    ])
    .map((s) => s.trim())
    .sort();
}

async function instanceStates() {
  const out = await aws.get(EC2Client, REGION).send(
    new DescribeInstancesCommand({
      InstanceIds: [...instances.web, instances.stoppedWeb, instances.other],
    }),
  );
  return Object.fromEntries(
    (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => [i.InstanceId, i.State?.Name])),
  ) as Record<string, string>;
}

async function capacity() {
  const g = (
    await aws
      .get(AutoScalingClient, REGION)
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["fault-asg"] }))
  ).AutoScalingGroups?.[0];
  return { min: g?.MinSize, desired: g?.DesiredCapacity, max: g?.MaxSize, instances: g?.Instances?.length };
}

async function targetGroupHealthCheck() {
  const g = (
    await aws
      .get(ElasticLoadBalancingV2Client, REGION)
      .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }))
  ).TargetGroups?.[0];
  return {
    path: g?.HealthCheckPath,
    protocol: g?.HealthCheckProtocol,
    interval: g?.HealthCheckIntervalSeconds,
    healthy: g?.HealthyThresholdCount,
    unhealthy: g?.UnhealthyThresholdCount,
    matcher: g?.Matcher?.HttpCode,
  };
}

const op = (name: string) => (c: RecordedCall) => c.operation === name;

const CASES: FaultCase[] = [
  {
    kind: "fault.route53-health-check",
    title: "invert: the health check reads unhealthy whatever the endpoint answers",
    params: () => `{ healthCheck: ${healthChecks.invert}, action: invert }`,
    read: () => healthCheck(healthChecks.invert)(),
    faulted: (b) => ({ ...(b as object), inverted: true }),
    plan: /health check [0-9a-f-]+: not inverted, enabled\n\s+-> health check [0-9a-f-]+: inverted, enabled/,
    faultCall: (c) =>
      c.operation === "Route53.UpdateHealthCheck" && c.body.includes("<Inverted>true</Inverted>"),
    undoCall: (c) =>
      c.operation === "Route53.UpdateHealthCheck" && c.body.includes("<Inverted>false</Inverted>"),
  },
  {
    kind: "fault.route53-health-check",
    title: "disable: the health check reads healthy whatever the endpoint answers",
    params: () => `{ healthCheck: ${healthChecks.disable}, action: disable }`,
    read: () => healthCheck(healthChecks.disable)(),
    faulted: (b) => ({ ...(b as object), disabled: true }),
    plan: /health check [0-9a-f-]+: not inverted, enabled\n\s+-> health check [0-9a-f-]+: not inverted, disabled/,
    faultCall: (c) =>
      c.operation === "Route53.UpdateHealthCheck" && c.body.includes("<Disabled>true</Disabled>"),
    undoCall: (c) =>
      c.operation === "Route53.UpdateHealthCheck" && c.body.includes("<Disabled>false</Disabled>"),
  },
  {
    kind: "fault.autoscaling-zero",
    title: "the group at min 0 desired 0, its max kept; the undo puts min, desired and max back",
    params: () => "{ group: fault-asg }",
    read: capacity,
    faulted: (b) => ({ ...(b as object), min: 0, desired: 0, instances: 0 }),
    plan: /fault-asg min 2 desired 3 max 5\n\s+-> fault-asg min 0 desired 0 max 5/,
    faultCall: op("AutoScaling.UpdateAutoScalingGroup"),
    undoCall: op("AutoScaling.UpdateAutoScalingGroup"),
  },
  {
    kind: "fault.ec2-stop",
    title:
      "by tags: the running instances stopped, the one already stopped and the untagged one untouched; the undo starts only those it stopped",
    params: () => "{ tags: { role: drill-web } }",
    read: instanceStates,
    faulted: (b) => ({
      ...(b as object),
      ...Object.fromEntries(instances.web.map((id) => [id, "stopped"])),
    }),
    plan: /running.*\n\s+-> i-[0-9a-f]+, i-[0-9a-f]+ stopped/,
    faultCall: op("EC2.StopInstances"),
    undoCall: op("EC2.StartInstances"),
  },
  {
    kind: "fault.security-group-deny",
    title:
      "ports [443]: the IPv4 and IPv6 HTTPS rules revoked, the others kept; the undo gives them back with their descriptions",
    params: () => `{ groupId: ${groupId}, ports: [443] }`,
    read: ingress,
    faulted: (b) => (b as string[]).filter((r) => !r.startsWith("tcp 443-443")),
    plan: /sg-[0-9a-f]+: 2 ingress rules \(tcp 443-443 0\.0\.0\.0\/0, tcp 443-443 ::\/0\)\n\s+-> sg-[0-9a-f]+: 2 revoked \(ports 443\)/,
    faultCall: op("EC2.RevokeSecurityGroupIngress"),
    undoCall: op("EC2.AuthorizeSecurityGroupIngress"),
  },
  {
    kind: "fault.target-group-health-path",
    title: "the health check on a missing path, every other setting kept; the undo puts the path back",
    params: () => "{ targetGroup: fault-tg }",
    read: targetGroupHealthCheck,
    faulted: (b) => ({ ...(b as object), path: "/drctl-drill-missing" }),
    plan: /fault-tg: health check GET \/health\n\s+-> fault-tg: health check GET \/drctl-drill-missing/,
    faultCall: (c) => c.operation === "ELBv2.ModifyTargetGroup" && c.body.includes("drctl-drill-missing"),
    undoCall: (c) =>
      c.operation === "ELBv2.ModifyTargetGroup" && c.body.includes("HealthCheckPath=%2Fhealth"),
  },
];

describe("fault step kinds against the emulator", () => {
  CASES.forEach((c, i) =>
    it(`${c.kind}, ${c.title}: planned without a change, killed after its call and reconciled as done, idempotent, undone to the world it found`, async () => {
      await lifeOfAFault(c, `faults-${i}`);
    }, 120_000),
  );
});

describe("fault step kinds killed at the other boundaries", () => {
  CASES.forEach((c, i) =>
    it(`${c.kind} (${c.title.split(":")[0]}): killed before its call, applied once on resume; its undo killed after its call, not undone twice`, async () => {
      await killedAtTheOtherBoundaries(c, `faults-b-${i}`);
    }, 120_000),
  );
});

describe("fault.command", () => {
  let dir: string;
  const lines = () =>
    existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").trim().split("\n") : [];
  const params = (check: boolean) =>
    `{ run: "echo run >> ${dir}/log && touch ${dir}/fault", revert: "echo revert >> ${dir}/log && rm ${dir}/fault"${check ? `, check: "test -f ${dir}/fault"` : ""} }`;
  const kill = (file: string) =>
    drctlProcess(drctl, ["failover", "run", "--runbook", file, "--execute"], {
      DRCTL_HOME: home,
      DRCTL_CRASH_AT: "fault:after-call",
    }).exited;

  it("runs a real command, killed after it ran: its check tells it is in place (not run again); its undo, killed after the revert ran, is not run twice", async () => {
    dir = mkdtempSync(join(tmpdir(), "drctl-fault-cmd-"));
    home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
    process.env.DRCTL_HOME = home;
    const file = runbookFile("faults-command", "fault.command", params(true));
    const plan = await cli("failover", "run", "--runbook", file);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain(`-> run: echo run >> ${dir}/log && touch ${dir}/fault`);
    expect(lines()).toEqual([]);

    const killed = await kill(file);
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    expect(existsSync(join(dir, "fault"))).toBe(true);
    const runId = await latestRunId();
    const resumed = await cli("runbook", "resume", runId, "--execute");
    expect(resumed.code, resumed.all).toBe(0);
    expect((await runOf(runId)).events.map((e) => e.what).join("\n")).toMatch(
      /fault was in doubt: reconciled: the check says the fault is in place/,
    );
    expect(lines()).toEqual(["run"]);

    // The undo killed after its revert ran: its notCheck (the fault's check) says nothing is left.
    const undoKilled = await drctlProcess(drctl, ["failback", "run", "--from", runId, "--execute"], {
      DRCTL_HOME: home,
      DRCTL_CRASH_AT: "undo-fault:after-call",
    }).exited;
    expect(undoKilled.signal, undoKilled.stderr).toBe("SIGKILL");
    expect(existsSync(join(dir, "fault"))).toBe(false);
    const backId = await latestRunId();
    const back = await cli("runbook", "resume", backId, "--execute");
    expect(back.code, back.all).toBe(0);
    expect((await runOf(backId)).events.map((e) => e.what).join("\n")).toMatch(
      /undo-fault was in doubt: reconciled: the check says there is nothing left to undo/,
    );
    expect(lines()).toEqual(["run", "revert"]);
  }, 60_000);

  /** A fault.command runbook with `params` written as a YAML block (lines under params:). */
  function commandRunbook(application: string, params: string): string {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-fault-")), "fault.yaml");
    writeFileSync(
      file,
      `version: 1\nname: command under test\napplication: ${application}\nregion: ${REGION}\nsteps:\n  - id: fault\n    kind: fault.command\n    params:\n${params}`,
    );
    return file;
  }
  const putParameter = (Name: string, Value: string, Type: "String" | "SecureString") =>
    aws.get(SSMClient, REGION).send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));

  it("gives a parameter's value to the command as data: a reference inside a shell script is refused at its line; as an argument or through env: it arrives verbatim and runs nothing", async () => {
    dir = mkdtempSync(join(tmpdir(), "drctl-fault-cmd-"));
    home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
    process.env.DRCTL_HOME = home;
    const marker = join(dir, "PWNED");
    const value = `web-1; touch ${marker}`;
    await putParameter("/faults/web-host", value, "String");

    // The value inside sh -c, as a runbook could write it: refused before anything runs.
    const inline = commandRunbook(
      "faults-command-inline",
      `      run: "echo \${ssm:/faults/web-host} >> ${dir}/log"\n      revert: "true"\n`,
    );
    for (const argv of [
      ["failover", "run", "--execute"],
      ["failover", "plan"],
    ]) {
      const refused = await cli(...argv, "--runbook", inline);
      expect(existsSync(marker)).toBe(false);
      expect(refused.code, refused.all).toBe(2);
      expect(refused.stderr).toContain(
        `${inline}:9:12: steps[0].params.run: \${ssm:/faults/web-host} inside a shell script is refused: its value would run as shell code. Give it to the script as an environment variable: env: { WEB_HOST: "\${ssm:/faults/web-host}" }, and "$WEB_HOST" in the script`,
      );
    }
    expect(existsSync(marker)).toBe(false);
    expect(lines()).toEqual([]);

    // As an argument of a program (no shell) and as an environment variable of a script: data.
    const record = join(dir, "record.sh");
    writeFileSync(record, `#!/bin/sh\nprintf '%s\\n' "$1" >> ${dir}/log\n`);
    chmodSync(record, 0o755);
    const file = commandRunbook(
      "faults-command-data",
      `      run: ["${record}", "\${ssm:/faults/web-host}"]\n      revert: 'printf "%s\\n" "$HOST" >> ${dir}/log'\n      env: { HOST: "\${ssm:/faults/web-host}" }\n`,
    );
    const plan = await cli("failover", "plan", "--runbook", file);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain(`-> run: ${record} 'web-1; touch ${marker}'`);
    const ran = await cli("failover", "run", "--runbook", file, "--execute");
    expect(ran.code, ran.all).toBe(0);
    const back = await cli("failback", "run", "--from", await latestRunId(), "--execute");
    expect(back.code, back.all).toBe(0);
    expect(lines()).toEqual([value, value]);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it("never puts a SecureString in a process's command line (/proc/PID/cmdline): in a script or as an argument it is refused, through env: the command gets it", async () => {
    dir = mkdtempSync(join(tmpdir(), "drctl-fault-cmd-"));
    home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
    process.env.DRCTL_HOME = home;
    const token = "tok-9d1e-never-in-argv";
    await putParameter("/faults/api-token", token, "SecureString");
    const cmdline = join(dir, "cmdline");
    // The shell's own command line, as any user of the machine can read it while it runs.
    const readOwn = `cat /proc/$$/cmdline > ${cmdline}`;

    const inline = commandRunbook(
      "faults-command-secret-inline",
      `      run: "${readOwn}; test \${ssm:/faults/api-token} = x"\n      revert: "true"\n`,
    );
    const refused = await cli("failover", "run", "--runbook", inline, "--execute");
    expect(existsSync(cmdline) ? readFileSync(cmdline, "utf8") : "").not.toContain(token);
    expect(refused.code, refused.all).toBe(2);
    expect(refused.stderr).toMatch(
      /steps\[0\]\.params\.run: \$\{ssm:\/faults\/api-token\} inside a shell script is refused/,
    );

    const argv = commandRunbook(
      "faults-command-secret-argv",
      `      run: ["sh", "-c", "${readOwn}", "sh", "\${ssm:/faults/api-token}"]\n      revert: "true"\n`,
    );
    const asArgument = await cli("failover", "run", "--runbook", argv, "--execute");
    expect(asArgument.code, asArgument.all).toBe(2);
    expect(asArgument.stderr).toContain(
      `params.run[4]: \${ssm:/faults/api-token} is a SecureString, and a process's arguments can be read by any user of the machine (ps, /proc/PID/cmdline); pass it as an environment variable: env: { API_TOKEN: "\${ssm:/faults/api-token}" }, and "$API_TOKEN" in a script`,
    );
    expect(existsSync(cmdline)).toBe(false);

    const env = commandRunbook(
      "faults-command-secret-env",
      `      run: '${readOwn}; printf %s "$TOKEN" > ${dir}/got'\n      revert: "true"\n      env: { TOKEN: "\${ssm:/faults/api-token}" }\n`,
    );
    const ran = await cli("failover", "run", "--runbook", env, "--execute");
    expect(ran.code, ran.all).toBe(0);
    expect(readFileSync(join(dir, "got"), "utf8")).toBe(token);
    expect(readFileSync(cmdline, "utf8")).toMatch(/^sh\0-c\0/);
    expect(readFileSync(cmdline, "utf8")).not.toContain(token);
    expect(ran.all).not.toContain(token);
  }, 60_000);

  it("without a check, a command killed after it ran waits for a person and is not run again", async () => {
    dir = mkdtempSync(join(tmpdir(), "drctl-fault-cmd-"));
    home = mkdtempSync(join(tmpdir(), "drctl-fault-home-"));
    process.env.DRCTL_HOME = home;
    const file = runbookFile("faults-command-nocheck", "fault.command", params(false));
    const killed = await kill(file);
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const runId = await latestRunId();
    const resumed = await cli("runbook", "resume", runId, "--execute");
    expect(resumed.code).toBe(3);
    expect(resumed.stdout).toMatch(/in doubt: drctl cannot tell whether the command ran/);
    expect((await runOf(runId)).steps[0]?.status).toBe("in-doubt");
    expect(lines()).toEqual(["run"]);
    // The operator saw the fault in place: counted as done; the failback reverts it.
    expect((await cli("runbook", "approve", runId, "fault", "--done", "--by", "tester")).code).toBe(0);
    expect((await cli("runbook", "resume", runId, "--execute")).code).toBe(0);
    expect(lines()).toEqual(["run"]);
    const back = await cli("failback", "run", "--from", runId, "--execute");
    expect(back.code, back.all).toBe(0);
    expect(lines()).toEqual(["run", "revert"]);
    expect(existsSync(join(dir, "fault"))).toBe(false);
  }, 60_000);
});

describe("the operations the step kinds declare", () => {
  it("include every AWS operation the runbooks above called (the README and the deployment policy come from these)", () => {
    expect(awsCalls.calls.size).toBeGreaterThan(3);
    expect(undeclaredBy(awsCalls.calls, "failover, failback, runbook resume")).toEqual([]);
  });
});
