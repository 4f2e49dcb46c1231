/**
 * The image lifecycle on the emulator: ec2.create-image, ec2.copy-image, ssm.put-parameters and
 * ec2.prune-images, as examples/images/daily.yaml runs them, through the harness's proxy (moto's
 * image calls made to behave as AWS's: tags on create, CopyImage's client token; and images of
 * earlier days backdated there, see test/harness/moto-workarounds.ts).
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateFleetCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeregisterImageCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeFleetsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSnapshotsCommand,
  DescribeSpotFleetRequestsCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  RequestSpotFleetCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Image,
} from "@aws-sdk/client-ec2";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildDailyImages, launchFromLatestImageParameter } from "../demo/world/compute.js";
import { buildWorld, type World } from "../demo/world/build.js";
import type { AwsClients } from "../src/aws/client-factory.js";
import { runCli } from "../src/cli/program.js";
import { SqliteJournal } from "../src/runbook/journal-sqlite.js";
import { clientToken } from "../src/runbook/steps/ec2-images.js";
import { bundleCli } from "./harness/cli-bundle.js";
import { drctlProcess } from "./harness/drctl-process.js";
import { recordAwsCalls, undeclaredBy } from "./harness/declared.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS, type FaultPlan } from "./harness/fault-proxy.js";
import { workaroundProxy, type MotoImages } from "./harness/moto-workarounds.js";
import { RecordingProxy, type RecordedCall } from "./harness/recording-proxy.js";

const env = useEmulator();
const DAILY = "examples/images/daily.yaml";
const DAY = 86_400_000;
let proxy: FaultProxy & { images: MotoImages };
/** Every call drctl makes, recorded in front of the workaround proxy. */
let recorder: RecordingProxy;
let aws: AwsClients;
let world: World;
/** The primary web tier's instances, oldest first. */
let instances: string[];
let earlier: { primaryImageId: string; standbyImageId: string }[];

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", recorder.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** drctl through another proxy in front of the recorder (one that injects faults). */
async function drctlVia(endpoint: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const journal = () => SqliteJournal.open(join(process.env.DRCTL_HOME ?? "", "journal.sqlite"));
async function lastRun() {
  const j = journal();
  try {
    const run = (await j.runs())[0];
    return { run, steps: run ? await j.steps(run.runId) : [] };
  } finally {
    j.close();
  }
}

const ec2 = (region: string) => aws.get(EC2Client, region);
const image = async (region: string, id: string): Promise<Image | undefined> =>
  (await ec2(region).send(new DescribeImagesCommand({ Owners: ["self"] }))).Images?.find(
    (i) => i.ImageId === id,
  );
const tagged = async (region: string, key: string, value: string) =>
  (
    await ec2(region).send(
      new DescribeImagesCommand({ Owners: ["self"], Filters: [{ Name: `tag:${key}`, Values: [value] }] }),
    )
  ).Images ?? [];
const tags = (x: { Tags?: { Key?: string; Value?: string }[] } | undefined) =>
  Object.fromEntries((x?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
const snapshot = async (region: string, id: string) =>
  (await ec2(region).send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots?.find(
    (s) => s.SnapshotId === id,
  );
const snapshotsOf = (i: Image | undefined) =>
  (i?.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.SnapshotId ? [b.Ebs.SnapshotId] : []));
const parameter = async (region: string, name: string) =>
  (await aws.get(SSMClient, region).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
const param = (c: RecordedCall, key: string) => new URLSearchParams(c.body).get(key);
const ownImageCount = async () =>
  ((await ec2("us-east-1").send(new DescribeImagesCommand({ Owners: ["self"] }))).Images ?? []).length +
  ((await ec2("us-west-2").send(new DescribeImagesCommand({ Owners: ["self"] }))).Images ?? []).length;

beforeAll(async () => {
  world = await buildWorld(await env.clients(), { pairs: 1 });
  proxy = await workaroundProxy(env.emulator.endpoint);
  recorder = await RecordingProxy.start(proxy.endpoint);
  aws = await env.clients({ endpointUrl: proxy.endpoint });
  const group = (
    await aws
      .get(AutoScalingClient, "us-east-1")
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web"] }))
  ).AutoScalingGroups?.[0];
  // Oldest first, as pick: oldest chooses (launch time, then id).
  const described = await ec2("us-east-1").send(
    new DescribeInstancesCommand({ InstanceIds: (group?.Instances ?? []).map((i) => i.InstanceId ?? "") }),
  );
  instances = (described.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .sort(
      (a, b) =>
        (a.LaunchTime?.getTime() ?? 0) - (b.LaunchTime?.getTime() ?? 0) ||
        (a.InstanceId ?? "").localeCompare(b.InstanceId ?? ""),
    )
    .map((i) => i.InstanceId ?? "");
  // The standby launches from /app/latest-ami-id; the images of two earlier days.
  await launchFromLatestImageParameter(
    ec2("us-west-2"),
    aws.get(SSMClient, "us-west-2"),
    world.images.standbyImageId,
  );
  earlier = await buildDailyImages(ec2("us-east-1"), ec2("us-west-2"), "us-east-1", instances[0] ?? "", 2);
  earlier.forEach((e, i) => {
    const at = new Date(Date.now() - (9 - i) * DAY);
    proxy.images.backdate(e.primaryImageId, at);
    proxy.images.backdate(e.standbyImageId, at);
  });
  // The standby's own key for image copies.
  const kms = aws.get(KMSClient, "us-west-2");
  const key = await kms.send(new CreateKeyCommand({ Description: "dr images" }));
  await kms.send(
    new CreateAliasCommand({ AliasName: "alias/dr-images", TargetKeyId: key.KeyMetadata?.KeyId }),
  );
});

afterAll(async () => {
  await recorder.stop();
  await proxy.stop();
});

beforeEach(() => {
  process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-images-"));
});

// Every call the runbooks this file runs make (after the world is built), for the last test.
let awsCalls: ReturnType<typeof recordAwsCalls>;
beforeAll(() => {
  awsCalls = recordAwsCalls();
});
afterAll(() => awsCalls.stop());

describe("examples/images/daily.yaml", () => {
  it("run twice: creates the web group's image, copies it encrypted to the standby with its tags, points /app/latest-ami-id at the copy for the standby's launch template; the second run prunes what is older than 7 days beyond the newest 3, in both regions", async () => {
    const plan = await drctl("failover", "plan", "--runbook", DAILY, "--set", "kmsKeyId=alias/dr-images");
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      new RegExp(
        `create-image \\[ec2.create-image in us-east-1\\]\\n\\s+web: 2 InService; ${instances[0]} chosen \\(the oldest launched, \\S+\\): no image of this run\\n\\s+-> image web-daily-<run> of ${instances[0]} \\(no reboot\\), tagged app=web, lifecycle=web-daily, available`,
      ),
    );
    expect(plan.stdout).toMatch(
      /prune-standby \[ec2.prune-images in us-west-2\] \(after point-parameter\)\n\s+2 images tagged lifecycle=web-daily: 2 kept.* \(already so; nothing to do\)/,
    );

    const from = recorder.calls.length;
    const first = await drctl(
      "failover",
      "run",
      "--runbook",
      DAILY,
      "--set",
      "kmsKeyId=alias/dr-images",
      "--execute",
    );
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const { run, steps } = await lastRun();
    const runId = run?.runId ?? "";
    const out = (id: string) => steps.find((s) => s.stepId === id)?.outputs ?? {};

    // The image: of the oldest InService instance, no reboot, tagged (image and snapshots), available.
    const made = await image("us-east-1", out("create-image").imageId ?? "");
    expect(made?.State).toBe("available");
    expect(made?.Name).toBe(`web-daily-${runId.slice(4)}`);
    expect(tags(made)).toEqual({
      app: "web",
      lifecycle: "web-daily",
      "drctl:created-by": `${runId}/create-image`,
    });
    for (const s of snapshotsOf(made))
      expect(tags(await snapshot("us-east-1", s))).toMatchObject({ lifecycle: "web-daily" });
    const create = recorder.since(from).filter((c) => c.operation === "EC2.CreateImage");
    expect(create.map((c) => [param(c, "InstanceId"), param(c, "NoReboot")])).toEqual([
      [instances[0], "true"],
    ]);

    // The copy: in the standby, encrypted with the standby's key, the source's tags and where it came from.
    const copy = await image("us-west-2", out("copy-to-standby").imageId ?? "");
    expect(copy?.State).toBe("available");
    expect(tags(copy)).toEqual({
      app: "web",
      lifecycle: "web-daily",
      environment: "dr",
      "drctl:source-image-id": made?.ImageId,
      "drctl:source-region": "us-east-1",
      "drctl:source-creation-date": made?.CreationDate,
      "drctl:created-by": `${runId}/copy-to-standby`,
    });
    for (const s of snapshotsOf(copy))
      expect(tags(await snapshot("us-west-2", s))).toMatchObject({ lifecycle: "web-daily" });
    const copies = recorder.since(from).filter((c) => c.operation === "EC2.CopyImage");
    expect(copies).toHaveLength(1);
    expect(copies[0]?.region).toBe("us-west-2");
    expect([
      param(copies[0] as RecordedCall, "Encrypted"),
      param(copies[0] as RecordedCall, "KmsKeyId"),
    ]).toEqual(["true", out("copy-to-standby").kmsKeyId]);
    expect(out("copy-to-standby").kmsKeyId).toMatch(/^arn:aws:kms:us-west-2:\d{12}:key\//);
    expect(param(copies[0] as RecordedCall, "ClientToken")).toBe(clientToken(`${runId}/copy-to-standby`));

    // The parameter, and the standby's launch template reading its image from it.
    expect(await parameter("us-west-2", "/app/latest-ami-id")).toBe(copy?.ImageId);
    const template = (
      await ec2("us-west-2").send(
        new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "web", Versions: ["$Default"] }),
      )
    ).LaunchTemplateVersions?.[0];
    expect(template?.LaunchTemplateData?.ImageId).toBe("resolve:ssm:/app/latest-ami-id");

    // Three images in each region: nothing pruned yet (the newest 3 are kept whatever their age).
    expect(out("prune-standby").deregistered).toBe("");
    expect(out("prune-primary").deregistered).toBe("");
    expect(await tagged("us-west-2", "lifecycle", "web-daily")).toHaveLength(3);

    // The plan reads the images as they are (three, all kept) and says what today's new one pushes out.
    const nine = earlier[0] as { primaryImageId: string; standbyImageId: string };
    const plan2 = await drctl("failover", "plan", "--runbook", DAILY);
    expect(plan2.stdout).toMatch(
      new RegExp(
        `prune-standby .*\\n\\s+3 images tagged lifecycle=web-daily: 3 kept.*\\n\\s+-> if an earlier step makes a newer image, also deregister ${nine.standbyImageId} \\(web-daily-earlier-1, 9 days old, snapshots snap-\\w+\\)(\\n|$)`,
      ),
    );
    const second = await drctl("failover", "run", "--runbook", DAILY, "--execute");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const again = await lastRun();
    const out2 = (id: string) => again.steps.find((s) => s.stepId === id)?.outputs ?? {};
    // The image of nine days ago goes in both regions, with its snapshots; the one of eight days is the third newest.
    const nineDays = earlier[0] as { primaryImageId: string; standbyImageId: string };
    expect(out2("prune-standby").deregistered).toBe(nineDays.standbyImageId);
    expect(out2("prune-primary").deregistered).toBe(nineDays.primaryImageId);
    expect(await image("us-west-2", nineDays.standbyImageId)).toBeUndefined();
    expect(await image("us-east-1", nineDays.primaryImageId)).toBeUndefined();
    for (const s of (out2("prune-standby").deletedSnapshots ?? "").split(","))
      expect(await snapshot("us-west-2", s)).toBeUndefined();
    expect(out2("prune-standby").deletedSnapshots).not.toBe("");
    expect((await tagged("us-west-2", "lifecycle", "web-daily")).map((i) => i.ImageId).sort()).toEqual(
      [earlier[1]?.standbyImageId, copy?.ImageId, out2("copy-to-standby").imageId].sort(),
    );
    expect(await parameter("us-west-2", "/app/latest-ami-id")).toBe(out2("copy-to-standby").imageId);
    // The previous value is kept in the journal: the failback of the run points it back, and
    // deletes no image (pruning removes them in their time; a deregistered one cannot come back).
    expect(JSON.parse(out2("point-parameter").previous ?? "{}")).toEqual({
      "/app/latest-ami-id": { type: "String", version: 2, value: copy?.ImageId },
    });
    const imagesBefore = await ownImageCount();
    const back = await drctl("failback", "run", "--from", again.run?.runId ?? "", "--execute");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect((await lastRun()).steps.map((s) => [s.stepId, s.kind])).toEqual([
      ["undo-point-parameter", "ssm.put-parameters"],
    ]);
    expect(await parameter("us-west-2", "/app/latest-ami-id")).toBe(copy?.ImageId);
    expect(await ownImageCount()).toBe(imagesBefore);
  });
});

describe("ec2.prune-images", () => {
  it("never prunes an image in use (a launch template's default version, its latest through resolve:ssm, a launch configuration); the dry run lists exactly what would go; deregisters, then deletes the snapshots", async () => {
    const east = ec2("us-east-1");
    const tagsOf = [{ Key: "lifecycle", Value: "prune-test" }];
    const ages = [30, 29, 28, 27, 26, 1];
    const ids: string[] = [];
    for (const age of ages) {
      const made = await east.send(
        new CreateImageCommand({
          InstanceId: instances[1],
          Name: `prune-test-${age}`,
          TagSpecifications: [
            { ResourceType: "image", Tags: tagsOf },
            { ResourceType: "snapshot", Tags: tagsOf },
          ],
        }),
      );
      ids.push(made.ImageId ?? "");
      proxy.images.backdate(made.ImageId ?? "", new Date(Date.now() - age * DAY));
    }
    const [d30, d29, d28, d27, d26, d1] = ids;
    // 30 days: a template's default version names it; 29: another's latest (not default) version
    // reads it through a parameter; 28: a launch configuration launches it; 27 is used by nothing.
    await east.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "pinned", LaunchTemplateData: { ImageId: d30 } }),
    );
    await aws
      .get(SSMClient, "us-east-1")
      .send(new PutParameterCommand({ Name: "/test/pinned-ami", Value: d29, Type: "String" }));
    await east.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "pinned-ssm",
        LaunchTemplateData: { ImageId: world.images.primaryImageId },
      }),
    );
    await east.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: "pinned-ssm",
        LaunchTemplateData: { ImageId: "resolve:ssm:/test/pinned-ami" },
      }),
    );
    await aws.get(AutoScalingClient, "us-east-1").send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: "legacy-lc",
        ImageId: d28,
        InstanceType: "t3.micro",
      }),
    );
    const d27image = await image("us-east-1", d27 ?? "");
    const d27snapshots = snapshotsOf(d27image);
    expect(d27snapshots.length).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), "drctl-prune-"));
    const file = join(dir, "prune.yaml");
    writeFileSync(
      file,
      `version: 1
name: prune test
application: prune-test
region: us-east-1
steps:
  - id: prune
    kind: ec2.prune-images
    params: { tags: { lifecycle: prune-test }, olderThanDays: 7, keep: 2 }
`,
    );
    const plan = await drctl("failover", "plan", "--runbook", file);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const body = plan.stdout.split("\n").slice(2).join("\n");
    expect(body).toContain(`${d1} (one of the newest 2)`);
    expect(body).toContain(`${d26} (one of the newest 2)`);
    expect(body).toContain(`${d30} (in use by launch template pinned version 1 (default))`);
    expect(body).toContain(
      `${d29} (in use by launch template pinned-ssm version 2 via resolve:ssm:/test/pinned-ami)`,
    );
    expect(body).toContain(`${d28} (in use by launch configuration legacy-lc)`);
    // Exactly one image would go, with its snapshots.
    expect(body).toMatch(
      new RegExp(
        `-> deregister ${d27} \\(prune-test-27, 27 days old, snapshots ${d27snapshots.join(" ")}\\)(\\n|$)`,
      ),
    );
    expect((body.match(/deregister /g) ?? []).length).toBe(1);
    expect(await image("us-east-1", d27 ?? "")).toBeDefined();

    const from = recorder.calls.length;
    const run = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await lastRun()).steps[0]?.outputs).toEqual({
      deregistered: d27,
      deletedSnapshots: d27snapshots.join(","),
      kept: [d1, d26, d28, d29, d30].join(","),
    });
    for (const id of [d30, d29, d28, d26, d1]) expect(await image("us-east-1", id ?? ""), id).toBeDefined();
    expect(await image("us-east-1", d27 ?? "")).toBeUndefined();
    for (const s of d27snapshots) expect(await snapshot("us-east-1", s)).toBeUndefined();
    // Marked, deregistered, then its snapshots deleted: in that order.
    expect(
      recorder
        .since(from)
        .filter((c) => /EC2\.(CreateTags|DeregisterImage|DeleteSnapshot)/.test(c.operation))
        .map((c) => c.operation),
    ).toEqual(["EC2.CreateTags", "EC2.DeregisterImage", ...d27snapshots.map(() => "EC2.DeleteSnapshot")]);

    // A prune that stopped after deregistering an image, before deleting its snapshots (its mark
    // was written first): the next prune deletes what it left.
    const left = await east.send(
      new CreateImageCommand({
        InstanceId: instances[1],
        Name: "prune-test-interrupted",
        TagSpecifications: [
          { ResourceType: "image", Tags: tagsOf },
          { ResourceType: "snapshot", Tags: tagsOf },
        ],
      }),
    );
    const leftSnapshots = snapshotsOf(await image("us-east-1", left.ImageId ?? ""));
    await east.send(
      new CreateTagsCommand({
        Resources: leftSnapshots,
        Tags: [{ Key: "drctl:pruned-image", Value: left.ImageId }],
      }),
    );
    await east.send(new DeregisterImageCommand({ ImageId: left.ImageId }));
    const finish = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(finish.code, finish.stdout + finish.stderr).toBe(0);
    expect(finish.stdout).toContain(`delete snapshots left by an earlier prune: ${leftSnapshots.join(" ")}`);
    expect((await lastRun()).steps[0]?.outputs.deletedSnapshots).toBe(leftSnapshots.join(","));
    for (const s of leftSnapshots) expect(await snapshot("us-east-1", s)).toBeUndefined();

    // Nothing more to do: a second run changes nothing.
    const again = await drctl("failover", "plan", "--runbook", file);
    expect(again.stdout).toMatch(
      /5 images tagged lifecycle=prune-test: 5 kept \(3 in use\): .* \(already so; nothing to do\)/,
    );
  });
});

describe("ec2.prune-images keeps every image something can use", () => {
  const ORG = "arn:aws:organizations::123456789012:organization/o-abc123def4";
  const OU = "arn:aws:organizations::123456789012:ou/o-abc123def4/ou-ab12-cd34ef56";
  const TAG = [{ Key: "lifecycle", Value: "usage-test" }];
  /** An image of the web tier tagged lifecycle=usage-test, made `age` days ago. */
  async function oldImage(name: string, age: number): Promise<string> {
    const made = await ec2("us-east-1").send(
      new CreateImageCommand({
        InstanceId: instances[1],
        Name: `usage-test-${name}`,
        TagSpecifications: [
          { ResourceType: "image", Tags: TAG },
          { ResourceType: "snapshot", Tags: TAG },
        ],
      }),
    );
    proxy.images.backdate(made.ImageId ?? "", new Date(Date.now() - age * DAY));
    return made.ImageId ?? "";
  }
  /** A launch template whose version 2 (neither its default nor its latest) launches `imageId`. */
  async function pinnedTemplate(name: string, imageId: string): Promise<string> {
    const east = ec2("us-east-1");
    const other = world.images.primaryImageId;
    const made = await east.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: other } }),
    );
    for (const ImageId of [imageId, other])
      await east.send(
        new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId } }),
      );
    return made.LaunchTemplate?.LaunchTemplateId ?? "";
  }
  /** Terminates the instances a fleet launched from `imageId`: only the fleet itself names it then. */
  async function terminateLaunchedFrom(imageId: string): Promise<void> {
    const found = await ec2("us-east-1").send(
      new DescribeInstancesCommand({ Filters: [{ Name: "image-id", Values: [imageId] }] }),
    );
    const ids = (found.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? "");
    if (ids.length) await ec2("us-east-1").send(new TerminateInstancesCommand({ InstanceIds: ids }));
  }
  const runbookFile = (parameterImage: string, extra = "") => {
    const file = join(mkdtempSync(join(tmpdir(), "drctl-usage-")), "usage.yaml");
    writeFileSync(
      file,
      `version: 1
name: usage test
application: usage-test
region: us-east-1
steps:
  - id: point
    kind: ssm.put-parameters
    region: us-west-2
    params: { parameters: { /test/primary-ami: ${parameterImage} } }
  - id: prune
    kind: ec2.prune-images
    after: [point]
    params: { tags: { lifecycle: usage-test }, olderThanDays: 7, keep: 1${extra} }
`,
    );
    return file;
  };
  let ids: Record<string, string>;
  let file: string;

  beforeAll(async () => {
    const names = [
      "mixed",
      "fleet",
      "spot",
      "running",
      "stopped",
      "account",
      "org",
      "public",
      "parameter",
      "unused",
    ];
    ids = {};
    for (const [i, name] of names.entries()) ids[name] = await oldImage(name, 40 - i);
    ids.newest = await oldImage("newest", 1);
    const east = ec2("us-east-1");
    // An Auto Scaling group whose mixed-instances override names version 2 by number.
    const mixed = await pinnedTemplate("usage-mixed", ids.mixed ?? "");
    await aws.get(AutoScalingClient, "us-east-1").send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "usage-mixed",
        MinSize: 0,
        MaxSize: 0,
        DesiredCapacity: 0,
        AvailabilityZones: ["us-east-1a"],
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: mixed, Version: "$Default" },
            Overrides: [
              {
                InstanceType: "t3.small",
                LaunchTemplateSpecification: { LaunchTemplateId: mixed, Version: "2" },
              },
            ],
          },
        },
      }),
    );
    // An EC2 Fleet pinned to version 2; the instance it launched is gone, the fleet is not.
    const fleetTemplate = await pinnedTemplate("usage-fleet", ids.fleet ?? "");
    await east.send(
      new CreateFleetCommand({
        Type: "maintain",
        TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
        LaunchTemplateConfigs: [
          {
            LaunchTemplateSpecification: { LaunchTemplateId: fleetTemplate, Version: "2" },
            Overrides: [{ InstanceType: "t3.micro" }],
          },
        ],
      }),
    );
    await terminateLaunchedFrom(ids.fleet ?? "");
    // A Spot Fleet request launching the image by its launch specification.
    await east.send(
      new RequestSpotFleetCommand({
        SpotFleetRequestConfig: {
          AllocationStrategy: "lowestPrice",
          IamFleetRole: "arn:aws:iam::123456789012:role/spot-fleet",
          TargetCapacity: 1,
          LaunchSpecifications: [{ ImageId: ids.spot, InstanceType: "t3.micro" }],
        },
      }),
    );
    await terminateLaunchedFrom(ids.spot ?? "");
    // Instances launched from an image: one running, one stopped.
    for (const name of ["running", "stopped"]) {
      const run = await east.send(
        new RunInstancesCommand({ ImageId: ids[name], MinCount: 1, MaxCount: 1, InstanceType: "t3.micro" }),
      );
      ids[`${name}-instance`] = run.Instances?.[0]?.InstanceId ?? "";
    }
    await east.send(new StopInstancesCommand({ InstanceIds: [ids["stopped-instance"] ?? ""] }));
    // Shared with another account, and with an organization.
    await east.send(
      new ModifyImageAttributeCommand({
        ImageId: ids.account,
        LaunchPermission: { Add: [{ UserId: "111122223333" }] },
      }),
    );
    await east.send(
      new ModifyImageAttributeCommand({
        ImageId: ids.org,
        LaunchPermission: { Add: [{ OrganizationArn: ORG }, { OrganizationalUnitArn: OU }] },
      }),
    );
    await east.send(
      new ModifyImageAttributeCommand({ ImageId: ids.public, LaunchPermission: { Add: [{ Group: "all" }] } }),
    );
    // The runbook's own parameter, in the standby, names a primary image.
    await aws
      .get(SSMClient, "us-west-2")
      .send(new PutParameterCommand({ Name: "/test/primary-ami", Value: ids.parameter, Type: "String" }));
    file = runbookFile(ids.parameter ?? "");

    // One plan and one run of the prune, which the cases below read.
    from = recorder.calls.length;
    plan = await drctl("failover", "plan", "--runbook", file);
    planCalls = recorder.since(from);
    fleetId = (await east.send(new DescribeFleetsCommand({}))).Fleets?.[0]?.FleetId ?? "";
    spotId =
      (await east.send(new DescribeSpotFleetRequestsCommand({}))).SpotFleetRequestConfigs?.[0]
        ?.SpotFleetRequestId ?? "";
    const run = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    outputs = (await lastRun()).steps.find((s) => s.stepId === "prune")?.outputs ?? {};
    for (const [name, id] of Object.entries(ids)) left[name] = (await image("us-east-1", id)) !== undefined;
  });
  let from: number;
  let plan: Awaited<ReturnType<typeof drctl>>;
  let planCalls: RecordedCall[];
  let fleetId: string;
  let spotId: string;
  let outputs: Record<string, string>;
  const left: Record<string, boolean> = {};
  /** The plan names the image with why it stays, and the run left it. */
  const keptFor = (name: string, why: string) => {
    expect(left[name], `${name} is still there after the run`).toBe(true);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout, name).toContain(`${ids[name] ?? ""} (${why})`);
  };

  it("an Auto Scaling group's mixed-instances override naming a launch template version by number keeps that version's image", () => {
    keptFor(
      "mixed",
      "in use by Auto Scaling group usage-mixed, mixed-instances override t3.small (launch template usage-mixed version 2)",
    );
  });

  it("an EC2 Fleet pinned to a launch template version keeps that version's image", () => {
    keptFor("fleet", `in use by EC2 Fleet ${fleetId} (launch template usage-fleet version 2)`);
  });

  it("a Spot Fleet request's launch specification keeps its image", () => {
    keptFor("spot", `in use by Spot Fleet request ${spotId} (its launch specification's image)`);
  });

  it("an instance launched from an image, running or stopped, keeps it", () => {
    keptFor("running", `in use by instance ${ids["running-instance"] ?? ""} (running)`);
    keptFor("stopped", `in use by instance ${ids["stopped-instance"] ?? ""} (stopped)`);
  });

  it("an SSM parameter the runbook writes, in another region than the prune's, keeps the image it names", () => {
    keptFor("parameter", "in use by SSM parameter /test/primary-ami in us-west-2 (named by step point)");
  });

  it("an image shared with another account, an organization or unit, or the public is kept, unless the step says includeShared: true; the plan says with whom", async () => {
    keptFor("account", "shared with account 111122223333");
    keptFor("org", `shared with organization ${ORG}, organizational unit ${OU}`);
    keptFor("public", "shared with everyone (public)");
    const shared = await drctl(
      "failover",
      "plan",
      "--runbook",
      runbookFile(ids.parameter ?? "", ", includeShared: true"),
    );
    expect(shared.code, shared.stdout + shared.stderr).toBe(0);
    expect(shared.stdout).toMatch(
      new RegExp(
        `deregister ${ids.account ?? ""} \\([^)]*, shared with account 111122223333: includeShared\\)`,
      ),
    );
    expect(shared.stdout).toContain(
      `, shared with organization ${ORG}, organizational unit ${OU}: includeShared)`,
    );
    expect(shared.stdout).toContain(", shared with everyone (public): includeShared)");
  });

  it("only the image nothing uses goes; each kind of user is listed once per prune, launch permissions asked only of images that could go", () => {
    keptFor("newest", "one of the newest 1");
    expect(plan.stdout).toMatch(
      new RegExp(
        `-> deregister ${ids.unused ?? ""} \\(usage-test-unused, \\d+(\\.\\d)? days old, snapshots snap-\\w+\\)(\\n|$)`,
      ),
    );
    expect((plan.stdout.match(/deregister /g) ?? []).length).toBe(1);
    expect(outputs.deregistered).toBe(ids.unused);
    expect(left.unused).toBe(false);
    // One plan is one read of the step: the calls it made, by operation and region.
    const byOperation: Record<string, number> = {};
    for (const c of planCalls)
      byOperation[`${c.operation} ${c.region}`] = (byOperation[`${c.operation} ${c.region}`] ?? 0) + 1;
    expect(byOperation).toMatchObject({
      "EC2.DescribeInstances us-east-1": 1,
      "EC2.DescribeFleets us-east-1": 1,
      "EC2.DescribeSpotFleetRequests us-east-1": 1,
      "EC2.DescribeLaunchTemplateVersions us-east-1": 3,
      "AutoScaling.DescribeAutoScalingGroups us-east-1": 1,
      "AutoScaling.DescribeLaunchConfigurations us-east-1": 1,
      "SSM.GetParameters us-east-1": 1,
      "SSM.GetParameters us-west-2": 2,
      "EC2.DescribeImageAttribute us-east-1": 4,
    });
    expect(
      Object.keys(byOperation).filter(
        (k) => / us-west-2$/.test(k) && !/^SSM\.|^EC2\.DescribeImages /.test(k),
      ),
    ).toEqual([]);
    expect(
      planCalls
        .filter((c) => c.operation === "EC2.DescribeImageAttribute")
        .map((c) => param(c, "ImageId"))
        .sort(),
    ).toEqual([ids.account, ids.org, ids.public, ids.unused].sort());
  });

  it("a read that is denied, or throttled past every retry, in the step's region or another the runbook names: every image kept, the step fails (exit 3) naming the region and the read", async () => {
    const victim = await oldImage("victim", 45);
    let rule: FaultPlan["fail"];
    const faulty = await FaultProxy.start(recorder.endpoint, { ...NO_FAULTS, fail: (r) => rule?.(r) });
    // Throttled "past every retry": two attempts, not the default six, to keep the test short.
    const config = join(mkdtempSync(join(tmpdir(), "drctl-config-")), "drctl.yaml");
    writeFileSync(config, "version: 1\nretry: { maxAttempts: 2 }\n");
    const denied = {
      status: 403,
      code: "UnauthorizedOperation",
      message: "You are not authorized to perform this operation.",
    };
    const cases: [string, FaultPlan["fail"], string][] = [
      [
        "EC2 Fleets denied in the step's region",
        (r) => (r.region === "us-east-1" && r.body.includes("Action=DescribeFleets") ? denied : undefined),
        "could not read EC2 Fleets (ec2:DescribeFleets) in us-east-1: UnauthorizedOperation: You are not authorized to perform this operation.",
      ],
      [
        "copies being made denied in the other region",
        (r) =>
          r.region === "us-west-2" && r.body.includes("Action=DescribeImages") && r.body.includes("=pending")
            ? denied
            : undefined,
        "could not read images being made (ec2:DescribeImages) in us-west-2: UnauthorizedOperation",
      ],
      [
        "instances throttled past every retry",
        (r) =>
          r.region === "us-east-1" && r.body.includes("Action=DescribeInstances") ? "throttle" : undefined,
        "could not read instances (ec2:DescribeInstances) in us-east-1: RequestLimitExceeded",
      ],
    ];
    try {
      for (const [what, fail, message] of cases) {
        rule = fail;
        // A failed run keeps its application's lock (resume or fail back): each case has its own journal.
        process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-images-"));
        const from = recorder.calls.length;
        const plan = await drctlVia(
          faulty.endpoint,
          "--config",
          config,
          "failover",
          "plan",
          "--runbook",
          file,
        );
        expect(plan.code, what).toBe(3);
        expect(plan.stdout, what).toContain(message);
        const run = await drctlVia(
          faulty.endpoint,
          "--config",
          config,
          "failover",
          "run",
          "--runbook",
          file,
          "--execute",
        );
        expect(run.code, `${what}: ${run.stdout}${run.stderr}`).toBe(3);
        const step = (await lastRun()).steps.find((s) => s.stepId === "prune");
        expect(step?.status, what).toBe("failed");
        expect(step?.error, what).toContain(message);
        expect(step?.error, what).toMatch(
          /; nothing is pruned: all \d+ images tagged lifecycle=usage-test in us-east-1 are kept$/,
        );
        expect(await image("us-east-1", victim), what).toBeDefined();
        expect(
          recorder
            .since(from)
            .filter((c) => /EC2\.(DeregisterImage|DeleteSnapshot|CreateTags)/.test(c.operation)),
          what,
        ).toEqual([]);
      }
    } finally {
      await faulty.stop();
    }
    // Nothing else kept it: read whole, the prune removes it.
    process.env.DRCTL_HOME = mkdtempSync(join(tmpdir(), "drctl-images-"));
    const clean = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect((await lastRun()).steps.find((s) => s.stepId === "prune")?.outputs.deregistered).toBe(victim);
  });

  it("a tag filter no image matches: nothing to do, exit 0, and nothing else read", async () => {
    const none = join(mkdtempSync(join(tmpdir(), "drctl-none-")), "none.yaml");
    writeFileSync(
      none,
      `version: 1
name: prune nothing
application: prune-nothing
region: us-east-1
steps:
  - id: prune
    kind: ec2.prune-images
    params: { tags: { lifecycle: matches-nothing }, olderThanDays: 7, keep: 1 }
`,
    );
    const from = recorder.calls.length;
    const plan = await drctl("failover", "plan", "--runbook", none);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "no image in us-east-1 is tagged lifecycle=matches-nothing (already so; nothing to do)",
    );
    const run = await drctl("failover", "run", "--runbook", none, "--execute");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect((await lastRun()).steps[0]?.outputs).toEqual({ deregistered: "", deletedSnapshots: "", kept: "" });
    expect([...new Set(recorder.since(from).map((c) => c.operation))].sort()).toEqual([
      "EC2.DescribeImages",
      "EC2.DescribeSnapshots",
    ]);
  });
});

describe("ec2.create-image of a named instance", () => {
  it("images that instance, rebooting it only when asked, and waits until the image is available", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-create-"));
    const file = join(dir, "create.yaml");
    writeFileSync(
      file,
      `version: 1
name: one image
application: one-image
region: us-east-1
steps:
  - id: image
    kind: ec2.create-image
    params: { instance: ${instances[1] ?? ""}, reboot: true, name: one-off, tags: { lifecycle: one-off } }
`,
    );
    const from = recorder.calls.length;
    // The image is pending for its first two answers, as AWS's is for minutes: the step waits.
    proxy.images.holdPending(2);
    const r = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const create = recorder.since(from).filter((c) => c.operation === "EC2.CreateImage");
    expect(create.map((c) => [param(c, "InstanceId"), param(c, "NoReboot")])).toEqual([
      [instances[1], "false"],
    ]);
    const out = (await lastRun()).steps[0]?.outputs ?? {};
    expect(out.instanceId).toBe(instances[1]);
    expect(r.stderr).toContain(`[image] image ${out.imageId ?? ""} is pending in us-east-1; waiting`);
    const asked = recorder
      .since(from)
      .filter((c) => c.operation === "EC2.DescribeImages" && param(c, "ImageId.1") === out.imageId);
    expect(asked).toHaveLength(3);
    expect((await image("us-east-1", out.imageId ?? ""))?.State).toBe("available");
    // An instance that does not exist: the plan says so and the run makes nothing.
    writeFileSync(file, `${readFileSync(file, "utf8").replace(instances[1] ?? "", "i-0123456789abcdef0")}`);
    const missing = await drctl("failover", "run", "--runbook", file, "--execute");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /step "image" would fail: instance i-0123456789abcdef0 does not exist in us-east-1/,
    );
  });
});

describe("a killed copy step", () => {
  let cli: string[];
  beforeAll(() => {
    cli = bundleCli();
  });

  it("killed after its CreateImage call, the create step resumed: one image, found by its tag", async () => {
    const home = process.env.DRCTL_HOME ?? "";
    const envOf = {
      DRCTL_HOME: home,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    };
    const from = recorder.calls.length;
    const killed = await drctlProcess(
      cli,
      ["--endpoint-url", recorder.endpoint, "failover", "run", "--runbook", DAILY, "--execute"],
      { ...envOf, DRCTL_CRASH_AT: "create-image:after-call" },
    ).exited;
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const runId = (await lastRun()).run?.runId ?? "";
    const resumed = await drctlProcess(
      cli,
      ["--endpoint-url", recorder.endpoint, "runbook", "resume", runId, "--execute"],
      envOf,
    ).exited;
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(recorder.since(from).filter((c) => c.operation === "EC2.CreateImage")).toHaveLength(1);
    const mine = await tagged("us-east-1", "drctl:created-by", `${runId}/create-image`);
    const step = (await lastRun()).steps.find((s) => s.stepId === "create-image");
    expect(mine.map((i) => i.ImageId)).toEqual([step?.outputs.imageId]);
    const status = await drctl("runbook", "status", runId);
    expect(status.stdout).toMatch(
      /create-image was in doubt: reconciled: web-daily-\S+ \(ami-\w+\) exists, made by this step/,
    );
  });

  for (const boundary of ["before-call", "after-call", "after-journal"] as const)
    it(`killed ${boundary}, resumed: one copy, one CopyImage call with the run's client token`, async () => {
      const home = process.env.DRCTL_HOME ?? "";
      const envOf = {
        DRCTL_HOME: home,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
      };
      const from = recorder.calls.length;
      const killed = await drctlProcess(
        cli,
        ["--endpoint-url", recorder.endpoint, "failover", "run", "--runbook", DAILY, "--execute"],
        { ...envOf, DRCTL_CRASH_AT: `copy-to-standby:${boundary}` },
      ).exited;
      expect(killed.signal, killed.stderr).toBe("SIGKILL");
      expect(killed.stderr).toContain(`crash point copy-to-standby:${boundary}`);
      const runId = (await lastRun()).run?.runId ?? "";
      const resumed = await drctlProcess(
        cli,
        ["--endpoint-url", recorder.endpoint, "runbook", "resume", runId, "--execute"],
        envOf,
      ).exited;
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      const { steps } = await lastRun();
      const copyStep = steps.find((s) => s.stepId === "copy-to-standby");
      expect(copyStep?.status).toBe("succeeded");
      expect(copyStep?.attempts).toBe(1);
      const calls = recorder.since(from).filter((c) => c.operation === "EC2.CopyImage");
      expect(calls.map((c) => param(c, "ClientToken"))).toEqual([clientToken(`${runId}/copy-to-standby`)]);
      const mine = await tagged("us-west-2", "drctl:created-by", `${runId}/copy-to-standby`);
      expect(mine.map((i) => i.ImageId)).toEqual([copyStep?.outputs.imageId]);
      expect(await parameter("us-west-2", "/app/latest-ami-id")).toBe(copyStep?.outputs.imageId);
    });
});

describe("bad input: a clear error at plan time, nothing created or deleted", () => {
  beforeAll(async () => {
    await aws.get(AutoScalingClient, "us-east-1").send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "web-idle",
        LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" },
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 0,
        AvailabilityZones: ["us-east-1a"],
      }),
    );
    // A key of the primary region only: an alias that does not exist in the standby.
    const kms = aws.get(KMSClient, "us-east-1");
    const key = await kms.send(new CreateKeyCommand({ Description: "primary only" }));
    await kms.send(
      new CreateAliasCommand({ AliasName: "alias/primary-only", TargetKeyId: key.KeyMetadata?.KeyId }),
    );
  });

  /** What, the --set that makes it, the step and problem a plan names, the plan's exit code. */
  const cases: [string, string, string, string, number][] = [
    [
      "an Auto Scaling group with no InService instance",
      "group=web-idle",
      "create-image",
      "Auto Scaling group web-idle has no InService, Healthy instance in us-east-1 (0 instances: none); nothing to image",
      1,
    ],
    [
      "a KMS key that does not exist in the standby region",
      "kmsKeyId=alias/primary-only",
      "copy-to-standby",
      "KMS key alias/primary-only does not exist in us-west-2 (a key is regional: name one of the standby region)",
      1,
    ],
  ];
  for (const [what, set, step, problem, planCode] of cases)
    it(what, async () => {
      const before = await ownImageCount();
      const calls = recorder.calls.length;
      const plan = await drctl("failover", "plan", "--runbook", DAILY, "--set", set);
      expect(plan.code, plan.stdout + plan.stderr).toBe(planCode);
      expect(plan.stdout).toContain(`\n      would fail: ${problem}\n`);
      expect(plan.stdout).toContain(`the run would stop at: ${step} (would fail)`);
      const run = await drctl("failover", "run", "--runbook", DAILY, "--set", set, "--execute");
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.stderr).toBe(
        `drctl: ${DAILY}: the run was not started, nothing changed: step "${step}" would fail: ${problem}`,
      );
      expect(await ownImageCount()).toBe(before);
      expect(
        recorder
          .since(calls)
          .filter((c) =>
            /EC2\.(CreateImage|CopyImage|DeregisterImage|DeleteSnapshot|CreateTags)|SSM\.PutParameter/.test(
              c.operation,
            ),
          ),
      ).toEqual([]);
      expect((await lastRun()).run).toBeUndefined();
    });

  it("keep: 0", async () => {
    const before = await ownImageCount();
    const calls = recorder.calls.length;
    const message =
      /^drctl: examples\/images\/daily.yaml:\d+: step "prune-(primary|standby)" \(ec2.prune-images\): params.keep: expected keep of at least 1: keep: 0 could remove every image the standby launches from$/;
    const plan = await drctl("failover", "plan", "--runbook", DAILY, "--set", "keep=0");
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(message);
    const run = await drctl("failover", "run", "--runbook", DAILY, "--set", "keep=0", "--execute");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await ownImageCount()).toBe(before);
    expect(
      recorder.since(calls).filter((c) => /EC2\.(Create|Copy|Deregister|Delete)/.test(c.operation)),
    ).toEqual([]);
    expect((await lastRun()).run).toBeUndefined();
  });
});

describe("the operations the step kinds declare", () => {
  it("include every AWS operation the runbooks above called (the README and the deployment policy come from these)", () => {
    expect(awsCalls.calls.size).toBeGreaterThan(3);
    expect(undeclaredBy(awsCalls.calls, "failover, failback, runbook resume")).toEqual([]);
  });
});
