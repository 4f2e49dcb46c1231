/**
 * What a drill may touch, and inputs that fail cleanly, through `drctl drill run --execute` (in
 * this process) against the emulator: two applications' Auto Scaling groups in the primary region
 * (api's, tagged app=api, and shop's, tagged app=shop), one in the standby region, instances, a
 * local HTTP server standing for the application. A fault on another application's resource (whose
 * runbook holds its lock), on one two applications claim, in the standby region, or with an empty
 * selector is refused and nothing changes; so is a drill whose preflight covered nothing, unless
 * forced. AWS unreachable is exit 3; a URL without a scheme and a region typo (runbook, drill file,
 * drctl.yaml, --region) are one line at their file:line with the closest region code.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RegisterImageCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import type { DrillResult } from "../src/core/drill-result.js";
import { acquireLock, processOwner } from "../src/runbook/journal.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { regionApps, type RegionApp } from "./harness/drill-world.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
let aws: AwsClients;
let apps: { primary: RegionApp; standby: RegionApp; port: number };
let dir: string;
let configFile: string;
let instances: string[] = [];
/** A loopback port nobody listens on: bound by the system, then released. */
let downEndpoint = "";

const CONFIG = `regions: { primary: ${P}, standby: ${S} }
retry: { maxAttempts: 1 }
applications:
  - name: api
    tags: { app: api }
  - name: shop
    tags: { app: shop }
    arns: ["arn:aws:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/shared-*"]
`;

/** A drill of api: its fault and anything else given replace the defaults. */
function drillFile(name: string, extra: Record<string, string> = {}): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `version: 1
name: scope
application: api
regions: { primary: ${P}, standby: ${S} }
endpoints:
  - name: api
    url: ${extra.url ?? `http://127.0.0.1:${apps.port}/health`}
    region: { header: x-region }
probe: { interval: 0.25s, timeout: 1s, consecutive: 2, baseline: 10s }
fault:
${extra.fault ?? "  kind: fault.autoscaling-zero\n  params: { group: api-web }"}
runbook: ${extra.runbook ?? "none"}
failback: none
targets: { rto: 1m }
timeouts: { detect: 1s, recovery: 1s, failback: 2s }
`,
  );
  return file;
}

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const endpoint = argv[0] === "--endpoint-url" ? [] : ["--endpoint-url", env.emulator.endpoint];
  const code = await runCli([...endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function capacity(group: string, region = P) {
  const g = (
    await aws
      .get(AutoScalingClient, region)
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))
  ).AutoScalingGroups?.[0];
  return { min: g?.MinSize, desired: g?.DesiredCapacity };
}

async function running(): Promise<number> {
  const out = await aws.get(EC2Client, P).send(new DescribeInstancesCommand({ InstanceIds: instances }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name === "running")
    .length;
}

async function world(region: string, groups: [string, string][]) {
  const ec2 = aws.get(EC2Client, region);
  const vpcId = (
    await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))
  ).Vpcs?.[0]?.VpcId as string;
  const subnetId = (
    await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))
  ).Subnets?.[0]?.SubnetId as string;
  const image = (
    await ec2.send(
      new RegisterImageCommand({
        Name: "scope-base",
        Architecture: "x86_64",
        RootDeviceName: "/dev/xvda",
        VirtualizationType: "hvm",
        BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8 } }],
      }),
    )
  ).ImageId as string;
  const template = (
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "scope",
        LaunchTemplateData: { ImageId: image, InstanceType: "t3.micro" },
      }),
    )
  ).LaunchTemplate?.LaunchTemplateId as string;
  for (const [name, app] of groups)
    await aws.get(AutoScalingClient, region).send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateId: template, Version: "$Latest" },
        MinSize: 1,
        DesiredCapacity: 1,
        MaxSize: 2,
        VPCZoneIdentifier: subnetId,
        Tags: [{ Key: "app", Value: app, PropagateAtLaunch: false }],
      }),
    );
  return { image, subnetId };
}

beforeAll(async () => {
  aws = await env.clients();
  const { image, subnetId } = await world(P, [
    ["api-web", "api"],
    ["web", "shop"],
    ["shared-web", "api"],
  ]);
  await world(S, [["api-web", "api"]]);
  instances =
    (
      await aws.get(EC2Client, P).send(
        new RunInstancesCommand({
          ImageId: image,
          MinCount: 2,
          MaxCount: 2,
          InstanceType: "t3.micro",
          SubnetId: subnetId,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "app", Value: "shop" }] }],
        }),
      )
    ).Instances?.map((i) => i.InstanceId as string) ?? [];
  apps = await regionApps(P, S);
  dir = mkdtempSync(join(tmpdir(), "drctl-drill-scope-"));
  configFile = join(dir, "drctl.yaml");
  writeFileSync(configFile, `${CONFIG}store: ${join(dir, "history.sqlite")}\n`);
  process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-drill-scope-home-"));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const address = probe.address();
  downEndpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 1}`;
  await new Promise<void>((r) => probe.close(() => r()));
}, 120_000);

afterAll(async () => {
  await apps?.primary.stop();
  await apps?.standby.stop();
});

describe("a drill touches only its own application, in its primary region, under its lock", () => {
  it("a fault on another application's group while that application's runbook holds its lock: refused, naming both; nothing changed, never 'reverted'", async () => {
    const journal = SqliteJournal.open(join(process.env.DRCTL_HOME ?? "", "journal.sqlite"));
    await acquireLock(journal, {
      application: "shop",
      runId: "run-shop-failover",
      owner: processOwner(),
      leaseMs: 600_000,
    });
    try {
      const file = drillFile("other.yaml", {
        fault: "  kind: fault.autoscaling-zero\n  params: { group: web }",
      });
      const r = await drctl("--config", configFile, "drill", "run", file, "--execute");
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toMatch(
        /^drill scope \(drill-\S+\) of api: refused \(not started\): the fault's target is not the drill's to touch: Auto Scaling group web \(arn:aws:autoscaling:us-east-1:\S+\) belongs to application shop, not to api; shop's lock is held by run run-shop-failover /,
      );
      expect(lines[1]).toBe("fault: fault.autoscaling-zero web: not injected (the drill was refused)");
      expect(r.stdout).not.toMatch(/reverted/);
      expect(await capacity("web")).toEqual({ min: 1, desired: 1 });
    } finally {
      await journal.unlock("shop", "run-shop-failover");
      journal.close();
    }
  }, 60_000);

  it("a group two applications claim: refused, both named", async () => {
    const file = drillFile("shared.yaml", {
      fault: "  kind: fault.autoscaling-zero\n  params: { group: shared-web }",
    });
    const r = await drctl("--config", configFile, "--json", "drill", "run", file, "--execute");
    expect(r.code, r.stderr).toBe(1);
    const record = JSON.parse(r.stdout) as DrillResult;
    expect(record.outcome).toBe("refused");
    expect(record.fault).toMatchObject({ reverted: true, injected: false });
    expect(record.findings.find((f) => f.ruleId === "drill.scope")?.message).toMatch(
      /Auto Scaling group shared-web .* belongs to applications api and shop: a fault on it touches both/,
    );
    expect(await capacity("shared-web")).toEqual({ min: 1, desired: 1 });
  }, 60_000);

  it("drill plan says what the run would refuse, with its exit code: 1 for another application's group, 0 for its own", async () => {
    const other = drillFile("plan-other.yaml", {
      fault: "  kind: fault.autoscaling-zero\n  params: { group: web }",
    });
    const refused = await drctl("--config", configFile, "drill", "plan", other);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toMatch(
      /\ndrill run --execute would refuse to start:\n {2}the fault's target is not the drill's to touch: Auto Scaling group web \(arn:aws:autoscaling:us-east-1:\S+\) belongs to application shop, not to api/,
    );
    const json = await drctl("--config", configFile, "--json", "drill", "plan", other);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { refusals: string[] }).refusals).toHaveLength(1);

    const own = await drctl("--config", configFile, "drill", "plan", drillFile("plan-own.yaml"));
    expect(own.code, own.stdout + own.stderr).toBe(0);
    expect(own.stdout).not.toMatch(/would refuse/);
    expect(await capacity("web")).toEqual({ min: 1, desired: 1 });
    expect(await capacity("api-web")).toEqual({ min: 1, desired: 1 });
  }, 60_000);

  it("drill plan whose read of the fault's target is denied: the plan all the same, the failed read named, exit 3", async () => {
    const proxy = await FaultProxy.start(env.emulator.endpoint, {
      ...NO_FAULTS,
      fail: ({ body }) =>
        new URLSearchParams(body).get("Action") === "DescribeAutoScalingGroups"
          ? { status: 403, code: "AccessDenied", message: "not authorized to describe groups" }
          : undefined,
    });
    try {
      const r = await drctl(
        "--endpoint-url",
        proxy.endpoint,
        "--config",
        configFile,
        "drill",
        "plan",
        drillFile("plan-denied.yaml"),
      );
      expect(r.code, r.stderr).toBe(3);
      expect(r.stdout).toContain("plan of drill scope of api (dry run, nothing changed):");
      expect(r.stdout).toMatch(
        /whether drill run --execute would start could not be told; these reads failed:\n {2}.*cannot read what it acts on: .*not authorized to describe groups/,
      );
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it("a fault in the standby region without scope: refused at its line before anything runs", async () => {
    const file = drillFile("standby.yaml", {
      fault: "  kind: fault.autoscaling-zero\n  region: us-west-2\n  params: { group: api-web }",
    });
    const r = await drctl("--config", configFile, "drill", "run", file, "--execute");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^drctl: ${file.replace(/[.]/g, "\\.")}:12:\\d+: fault\\.region: us-west-2 is the standby region: a drill's fault acts in its primary region \\(us-east-1\\); scope: standby with a reason lets it act there$`,
      ),
    );
    expect(await capacity("api-web", S)).toEqual({ min: 1, desired: 1 });
  }, 60_000);

  it("an empty selector (fault.ec2-stop tags: {}): refused at its line, no instance stopped", async () => {
    const file = drillFile("every-instance.yaml", {
      fault: "  kind: fault.ec2-stop\n  params: { tags: {} }",
    });
    const r = await drctl("--config", configFile, "drill", "run", file, "--execute");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^drctl: \S+every-instance\.yaml:12:\d+: fault\.params\.tags: expected at least one tag: a selector without a tag would stop every instance of the region \(for fault\.ec2-stop\)$/,
    );
    expect(await running()).toBe(2);
  }, 60_000);

  it("a preflight that covered no pair and no store: says so and refuses; --force starts it, journaled", async () => {
    const file = drillFile("uncovered.yaml");
    const refused = await drctl("--config", configFile, "--json", "drill", "run", file, "--execute");
    expect(refused.code, refused.stderr).toBe(1);
    const record = JSON.parse(refused.stdout) as DrillResult;
    expect(record.outcome).toBe("refused");
    expect(record.failover.rto.note).toMatch(
      /the preflight covered no pair and no data store of api in us-east-1 \(0 pair\(s\) and 1 store\(s\) found there, none of them api.s by drctl\.yaml.s applications:\): nothing says the standby is ready/,
    );
    expect(refused.stderr).toMatch(/readiness scan: 0 pair\(s\)/);
    expect(await capacity("api-web")).toEqual({ min: 1, desired: 1 });

    const forced = await drctl(
      "--config",
      configFile,
      "--json",
      "drill",
      "run",
      file,
      "--execute",
      "--force",
      "a test world without pairs",
    );
    const run = JSON.parse(forced.stdout) as DrillResult;
    expect(run.forced).toMatchObject({ why: "a test world without pairs" });
    expect(run.fault).toMatchObject({ injected: true, reverted: true });
    expect(await capacity("api-web")).toEqual({ min: 1, desired: 1 });
  }, 120_000);
});

describe("inputs that fail cleanly", () => {
  it("drill run --execute with AWS unreachable: exit 3, one line, nothing changed", async () => {
    const r = await drctl(
      "--endpoint-url",
      downEndpoint,
      "--config",
      configFile,
      "drill",
      "run",
      drillFile("down.yaml"),
      "--execute",
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(
      /^drctl: \S+down\.yaml: fault \(fault\.autoscaling-zero\): cannot read the current state: .*ECONNREFUSED.*; nothing was changed$/,
    );
  }, 60_000);

  it("an endpoint URL without a scheme: a file:line error, no stack trace", async () => {
    const file = drillFile("scheme.yaml", { url: `127.0.0.1:${apps.port}/health` });
    const r = await drctl("--config", configFile, "drill", "run", file, "--execute");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^drctl: \S+scheme\.yaml:7:\d+: endpoints\.0\.url: expected an http:\/\/ or https:\/\/ URL$/,
    );
  }, 60_000);

  it("a region typo in a runbook, a drill file, drctl.yaml and --region: at its file:line, with the closest code", async () => {
    const runbook = join(dir, "failover.yaml");
    writeFileSync(
      runbook,
      `version: 1\nname: scale the standby\napplication: api\nregion: eu-west-01\nsteps:\n  - id: scale\n    kind: autoscaling.set-capacity\n    params: { group: api-web, min: 2, desired: 2, max: 4 }\n`,
    );
    const hint = `unknown AWS region "eu-west-01": expected a region code such as us-east-1 \\(did you mean eu-west-1\\?\\)`;
    const inRunbook = await drctl(
      "--config",
      configFile,
      "drill",
      "run",
      drillFile("typo.yaml", { runbook }),
      "--execute",
    );
    expect(inRunbook.code, inRunbook.stderr).toBe(2);
    expect(inRunbook.stderr.trim()).toMatch(
      new RegExp(`^drctl: ${runbook.replace(/[.]/g, "\\.")}:4:9: region: ${hint}$`),
    );
    expect(inRunbook.stderr).not.toMatch(/Client/);

    const drill = join(dir, "typo-drill.yaml");
    const text = readFileSync(drillFile("plain.yaml"), "utf8");
    writeFileSync(drill, text.replace(`standby: ${S}`, "standby: eu-west-01"));
    const inDrill = await drctl("--config", configFile, "drill", "run", drill, "--execute");
    expect(inDrill.stderr.trim()).toMatch(
      new RegExp(`^drctl: \\S+typo-drill\\.yaml:4:\\d+: regions\\.standby: ${hint}$`),
    );

    const config = join(dir, "typo-drctl.yaml");
    writeFileSync(config, CONFIG.replace(`standby: ${S}`, "standby: eu-west-01"));
    const inConfig = await drctl("--config", config, "drill", "run", drillFile("plain.yaml"), "--execute");
    expect(inConfig.code).toBe(2);
    expect(inConfig.stderr.trim()).toMatch(
      new RegExp(`^drctl: \\S+typo-drctl\\.yaml:1:\\d+: regions\\.standby: ${hint}$`),
    );

    const flag = await drctl(
      "--config",
      configFile,
      "--region",
      "eu-west-01",
      "drill",
      "run",
      drillFile("plain.yaml"),
    );
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toMatch(
      /^drctl: unknown AWS region "eu-west-01" in --region: .*\(did you mean eu-west-1\?\)$/,
    );
  }, 60_000);
});
