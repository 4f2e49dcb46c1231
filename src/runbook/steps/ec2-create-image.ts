import { ops } from "../../aws/services.js";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CreateImageCommand, DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import { NotFoundError, type StepContext, type StepKind } from "../step.js";
import {
  CREATED_BY,
  imageArn,
  madeByStep,
  onImageAndSnapshots,
  ownImagesTagged,
  requestTagCondition,
  runStamp,
  showTags,
  snapshotArn,
  userTags,
  waitAvailable,
  type FoundImage,
} from "./ec2-images.js";
import { known } from "./grants.js";
import { aws, code, output, tagSpecifications, word } from "../manual.js";

const params = z
  .strictObject({
    /** The instance to image. */
    instance: z
      .string()
      .regex(/^i-[0-9a-f]+$/, { message: "expected an instance id i-..." })
      .optional()
      .describe("The instance to image (its id); or autoScalingGroup."),
    /** Or an Auto Scaling group: one of its InService, Healthy instances, chosen by `pick`. */
    autoScalingGroup: z
      .string()
      .min(1)
      .optional()
      .describe("Or an Auto Scaling group: one of its InService, Healthy instances, chosen by pick."),
    /** oldest: the instance launched first (serving the longest); newest: the one launched last. Ties: the lowest id. */
    pick: z
      .enum(["oldest", "newest"])
      .default("oldest")
      .describe(
        "With autoScalingGroup: oldest (the instance launched first) or newest; ties go to the lowest id.",
      ),
    /** The image's name is NAME-<the run's time and id>: unique per run, the same on every attempt. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9()[\]./'@_-]{3,100}$/, {
        message: "expected 3 to 100 letters, digits or ( ) [ ] . / ' @ _ -",
      })
      .describe(
        "The image's name prefix: the image is NAME-<the run's time and id>, unique per run and the same on every attempt.",
      ),
    description: z.string().max(255).optional().describe("The image's description."),
    /** The instance keeps running unless asked: true reboots it for a consistent file system. */
    reboot: z
      .boolean()
      .default(false)
      .describe("Reboot the instance for a consistent file system (default: it keeps running)."),
    /** Tags of the image and its snapshots (a prune finds them by these). */
    tags: userTags.describe("Tags of the image and its snapshots (a prune finds them by these)."),
  })
  .refine((p) => (p.instance === undefined) !== (p.autoScalingGroup === undefined), {
    message: "expected either instance or autoScalingGroup",
  });
type Params = z.infer<typeof params>;

interface Before {
  /** The image this step of this run already made (a retried or resumed step). */
  existing?: FoundImage;
  /** The instance to image and why it was chosen. */
  instance?: { id: string; why: string };
  /** Why nothing can be imaged (no InService instance): the plan fails, nothing is created. */
  problem?: string;
}

const imageName = (ctx: StepContext, p: Params) => `${p.name}-${runStamp(ctx.idempotencyKey)}`;

async function chooseInstance(ctx: StepContext, p: Params): Promise<Pick<Before, "instance" | "problem">> {
  const ec2 = ctx.aws.get(EC2Client, ctx.region);
  if (p.instance) {
    let state: string | undefined;
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [p.instance] }));
      state = out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    } catch (err) {
      if (!/^InvalidInstanceID\.(NotFound|Malformed)$/.test(awsErrorCode(err))) throw err;
    }
    if (!state || state === "terminated" || state === "shutting-down")
      return {
        problem: `instance ${p.instance} ${state ? `is ${state}` : "does not exist"} in ${ctx.region}`,
      };
    return { instance: { id: p.instance, why: `instance ${p.instance} (${state})` } };
  }
  const group = p.autoScalingGroup ?? "";
  const out = await ctx.aws
    .get(AutoScalingClient, ctx.region)
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  const g = out.AutoScalingGroups?.[0];
  if (!g) throw new NotFoundError(`Auto Scaling group ${group} not found in ${ctx.region}`);
  const serving = (g.Instances ?? []).filter(
    (i) => i.LifecycleState === "InService" && i.HealthStatus === "Healthy" && i.InstanceId,
  );
  if (serving.length === 0)
    return {
      problem: `Auto Scaling group ${group} has no InService, Healthy instance in ${ctx.region} (${(g.Instances ?? []).length} instances: ${
        (g.Instances ?? []).map((i) => `${i.InstanceId ?? "?"} ${i.LifecycleState ?? "?"}`).join(", ") ||
        "none"
      }); nothing to image`,
    };
  const described = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: serving.map((i) => i.InstanceId ?? "") }),
  );
  const launched = new Map(
    (described.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => [i.InstanceId ?? "", i.LaunchTime?.getTime() ?? 0]),
  );
  const sorted = serving
    .map((i) => ({ id: i.InstanceId ?? "", at: launched.get(i.InstanceId ?? "") ?? 0 }))
    .sort((a, b) => (p.pick === "oldest" ? a.at - b.at : b.at - a.at) || a.id.localeCompare(b.id));
  const chosen = sorted[0] as { id: string; at: number };
  return {
    instance: {
      id: chosen.id,
      why: `${group}: ${serving.length} InService; ${chosen.id} chosen (the ${p.pick} launched${chosen.at ? `, ${new Date(chosen.at).toISOString()}` : ""})`,
    },
  };
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const existing = await madeByStep(ctx, ctx.region);
  if (existing) return { existing };
  return chooseInstance(ctx, p);
}

/** Creates an image of an instance (or of one InService instance of a group) and waits until it is available. */
export const ec2CreateImageStep: StepKind<Params, Before> = {
  kind: "ec2.create-image",
  example: { autoScalingGroup: "web-primary", name: "web-daily", tags: { "drctl-image": "web" } },
  description:
    "creates an AMI of an instance, or of one InService, Healthy instance of an Auto Scaling group chosen by a stated rule (`pick: oldest` or `newest`), without a reboot unless `reboot: true`; the image and its snapshots carry the step's tags; waits until it is available. Checked before the run starts: a group with no InService instance creates nothing",
  permissions: [
    ...ops("AutoScaling", "DescribeAutoScalingGroups"),
    ...ops("EC2", "DescribeInstances", "DescribeImages", "CreateImage", "CreateTags"),
  ],
  params,
  outputs: ["imageId", "name", "instanceId", "snapshotIds", "creationDate"],
  establishes: ["imageId"],
  idempotent: true,
  autoScalingGroup: (p) => p.autoScalingGroup,
  checkedBeforeRun: true,
  reconciles:
    "done when an image tagged as this step's exists (AWS refuses a second image of the same name, too); otherwise creates it",
  manual: (p, region) => [
    `IMAGE_ID=$(${aws("ec2", "create-image", region, {
      "instance-id":
        p.instance ??
        output(
          aws("autoscaling", "describe-auto-scaling-groups", region, {
            "auto-scaling-group-names": p.autoScalingGroup,
            query:
              'AutoScalingGroups[0].Instances[?LifecycleState==`"InService"` && HealthStatus==`"Healthy"`].InstanceId | [0]',
            output: "text",
          }),
        ),
      name: word(p.name, "-", code("$(date -u +%Y%m%dT%H%M%SZ)")),
      description: p.description,
      "no-reboot": p.reboot !== true,
      "tag-specifications": tagSpecifications(p.tags, ["image", "snapshot"]),
      query: "ImageId",
      output: "text",
    })})`,
    aws("ec2", "wait image-available", region, { "image-ids": code("$IMAGE_ID") }),
  ],
  manualOutputs: (p, region) => ({
    imageId: {
      command: aws("ec2", "describe-images", region, {
        owners: "self",
        filters: word("Name=name,Values=", p.name, "-*"),
        query: "sort_by(Images, &CreationDate)[-1].ImageId",
        output: "text",
      }),
    },
  }),
  read,
  plan(ctx, p, b) {
    const tags = showTags(p.tags);
    const target = `image ${imageName(ctx, p)} of ${b.existing ? "the instance" : (b.instance?.id ?? "?")} (${p.reboot ? "rebooted" : "no reboot"})${tags ? `, tagged ${tags}` : ""}, available`;
    if (b.existing)
      return {
        current: `${b.existing.name} (${b.existing.imageId}, ${b.existing.state}) made by this step`,
        target,
        changes: false,
      };
    return {
      current: b.instance ? `${b.instance.why}: no image of this run` : "nothing to image",
      target,
      changes: true,
      ...(b.problem ? { fails: b.problem } : {}),
    };
  },
  async apply(ctx, p, now): Promise<Record<string, string>> {
    if (now.existing) return { imageId: now.existing.imageId };
    if (now.problem || !now.instance) throw new Error(now.problem ?? "no instance to image");
    const name = imageName(ctx, p);
    try {
      const out = await ctx.aws.get(EC2Client, ctx.region).send(
        new CreateImageCommand({
          InstanceId: now.instance.id,
          Name: name,
          Description:
            p.description ?? `${p.name} of ${now.instance.id}, made by drctl (${ctx.idempotencyKey})`,
          NoReboot: !p.reboot,
          TagSpecifications: onImageAndSnapshots({ ...p.tags, [CREATED_BY]: ctx.idempotencyKey }),
        }),
      );
      ctx.log(`creating ${name} (${out.ImageId ?? "?"}) of ${now.instance.id}`);
      return { imageId: out.ImageId ?? "", instanceId: now.instance.id };
    } catch (err) {
      // The name is this run's: an image of that name is the one an earlier attempt started.
      if (awsErrorCode(err) !== "InvalidAMIName.Duplicate") throw err;
      const same = (await ownImagesTagged(ctx, ctx.region, { [CREATED_BY]: ctx.idempotencyKey }))[0];
      if (!same) throw err;
      return { imageId: same.imageId, instanceId: now.instance.id };
    }
  },
  async settle(ctx, _p, before, applied) {
    const imageId =
      applied.imageId ?? before.existing?.imageId ?? (await madeByStep(ctx, ctx.region))?.imageId;
    if (!imageId) throw new Error(`no image made by ${ctx.idempotencyKey} in ${ctx.region}`);
    const image = await waitAvailable(ctx, ctx.region, imageId);
    return {
      imageId,
      name: image.name,
      instanceId: applied.instanceId ?? before.instance?.id ?? "",
      snapshotIds: image.snapshotIds.join(","),
      creationDate: image.created,
    };
  },
  async reconcile(ctx) {
    const mine = await madeByStep(ctx, ctx.region);
    return mine
      ? { decision: "done", detail: `${mine.name} (${mine.imageId}) exists, made by this step` }
      : { decision: "redo", detail: "no image of this step exists yet" };
  },
  // An image made is left for the prune of a later run: a failback never deletes an image.
  inverse: () => [],
  grants(p, where) {
    const group = known(p.autoScalingGroup);
    const instance = known(p.instance);
    return [
      {
        actions: ["ec2:CreateImage"],
        resources: [
          `arn:${where.partition}:ec2:${where.region}:${where.account}:instance/${instance ?? "*"}`,
        ],
        ...(group && !instance
          ? { conditions: { StringEquals: { "ec2:ResourceTag/aws:autoscaling:groupName": group } } }
          : {}),
      },
      {
        actions: ["ec2:CreateImage"],
        resources: [imageArn(where), snapshotArn(where)],
        ...((c) => (c ? { conditions: c } : {}))(requestTagCondition(p.tags)),
      },
      {
        // Tags on create only: CreateTags is allowed as part of CreateImage, never on its own.
        actions: ["ec2:CreateTags"],
        resources: [imageArn(where), snapshotArn(where)],
        conditions: { StringEquals: { "ec2:CreateAction": "CreateImage" } },
      },
    ];
  },
};
