import { ops } from "../../aws/services.js";
import { CopyImageCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import type { StepContext, StepKind } from "../step.js";
import {
  clientToken,
  CREATED_BY,
  describeImage,
  imageArn,
  madeByStep,
  onImageAndSnapshots,
  requestTagCondition,
  showTags,
  snapshotArn,
  SOURCE_CREATED,
  SOURCE_IMAGE_ID,
  SOURCE_REGION,
  userTags,
  waitAvailable,
  type FoundImage,
} from "./ec2-images.js";
import { known } from "./grants.js";
import { aws, code, output, tagSpecifications, text, word } from "../manual.js";

/** The copy's name by hand: the step's, or the source image's own. */
const copyName = (p: Record<string, unknown>): unknown =>
  p.name ??
  output(
    aws("ec2", "describe-images", text(p.sourceRegion), {
      "image-ids": p.source,
      query: "Images[0].Name",
      output: "text",
    }),
  );

const params = z.strictObject({
  /** The image to copy: its id in sourceRegion (usually ${steps.ID.outputs.imageId}). */
  source: z
    .string()
    .min(1)
    .describe("The image to copy: its id in sourceRegion (usually ${steps.ID.outputs.imageId})."),
  sourceRegion: z.string().min(1).describe("The region the source image is in."),
  /** The copy's name (default: the source's). */
  name: z.string().min(3).max(128).optional().describe("The copy's name (default: the source's)."),
  description: z.string().max(255).optional().describe("The copy's description."),
  /** The KMS key (id, ARN or alias/NAME) in the step's region; default: the region's default EBS key. */
  kmsKeyId: z
    .string()
    .optional()
    .transform((k) => (k === "" ? undefined : k))
    .describe("The KMS key (id, ARN or alias/NAME) in the step's region the copy is encrypted with."),
  /** Carry the source's own tags over to the copy and its snapshots (default true). */
  copyTags: z
    .boolean()
    .default(true)
    .describe("Carry the source's own tags over to the copy and its snapshots."),
  /** More tags for the copy and its snapshots. */
  tags: userTags.describe("More tags for the copy and its snapshots."),
});
type Params = z.infer<typeof params>;

interface Before {
  /** The copy this step of this run already made. */
  existing?: FoundImage;
  /** The source image, once it exists (before the run, an earlier step may still have to make it). */
  source?: FoundImage;
  /** The key the copy is encrypted with, as KMS reports it. */
  key?: { arn: string; name: string };
  /** Why the copy cannot be made (a key or a source that does not exist): the plan fails. */
  problem?: string;
}

const isImageId = (id: string) => /^ami-[0-9a-f]+$/.test(id);

/** The key in the step's region, as KMS knows it; a problem when it does not exist or cannot encrypt. */
async function readKey(ctx: StepContext, keyId: string): Promise<Pick<Before, "key" | "problem">> {
  try {
    const meta = (await ctx.aws.get(KMSClient, ctx.region).send(new DescribeKeyCommand({ KeyId: keyId })))
      .KeyMetadata;
    const arn = meta?.Arn ?? keyId;
    if (meta?.KeyState && meta.KeyState !== "Enabled")
      return { problem: `KMS key ${keyId} in ${ctx.region} is ${meta.KeyState}, not Enabled` };
    if (meta?.KeySpec && meta.KeySpec !== "SYMMETRIC_DEFAULT")
      return { problem: `KMS key ${keyId} in ${ctx.region} is ${meta.KeySpec}; EBS needs a symmetric key` };
    return { key: { arn, name: keyId } };
  } catch (err) {
    if (awsErrorCode(err) === "NotFoundException")
      return {
        problem: `KMS key ${keyId} does not exist in ${ctx.region} (a key is regional: name one of the standby region)`,
      };
    throw err;
  }
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const b: Before = {};
  if (p.sourceRegion === ctx.region)
    return {
      problem: `the copy is made in the step's region, ${ctx.region}; expected the source in another`,
    };
  if (p.kmsKeyId) Object.assign(b, await readKey(ctx, p.kmsKeyId));
  const existing = await madeByStep(ctx, ctx.region);
  if (existing) b.existing = existing;
  if (isImageId(p.source)) {
    const source = await describeImage(ctx, p.sourceRegion, p.source);
    if (source) b.source = source;
    else if (!existing) b.problem ??= `image ${p.source} does not exist in ${p.sourceRegion}`;
  }
  return b;
}

const encryption = (p: Params, b: Before) =>
  p.kmsKeyId ? `encrypted with ${b.key?.name ?? p.kmsKeyId}` : "encrypted with the region's default EBS key";

/** What the copy and its snapshots are tagged with: the source's tags, the step's, where it came from. */
function copyTags(ctx: StepContext, p: Params, source: FoundImage | undefined): Record<string, string> {
  const carried = Object.fromEntries(
    Object.entries(p.copyTags ? (source?.tags ?? {}) : {}).filter(
      ([k]) => !k.toLowerCase().startsWith("aws:") && k !== CREATED_BY,
    ),
  );
  return {
    ...carried,
    ...p.tags,
    [SOURCE_IMAGE_ID]: p.source,
    [SOURCE_REGION]: p.sourceRegion,
    ...(source?.created ? { [SOURCE_CREATED]: source.created } : {}),
    [CREATED_BY]: ctx.idempotencyKey,
  };
}

/** Copies an image into the step's region (the standby), encrypted, tagged, once per run. */
export const ec2CopyImageStep: StepKind<Params, Before> = {
  kind: "ec2.copy-image",
  example: {
    source: "ami-0123456789abcdef0",
    sourceRegion: "us-east-1",
    kmsKeyId: "alias/aws/ebs",
    tags: { "drctl-image": "web" },
  },
  description:
    "copies an AMI into the step's region (the standby), encrypted with a given KMS key or the region's default EBS key, with the source's tags carried over and `drctl:source-image-id`, `drctl:source-region` and `drctl:source-creation-date` added, on the image and its snapshots; its client token is made of the run and step, so a retried or resumed step never makes a second copy; waits until the copy is available. Checked before the run starts: a KMS key that does not exist in the region copies (and creates) nothing",
  permissions: [
    ...ops("EC2", "DescribeImages", "CopyImage", "CreateTags"),
    ...ops(
      "KMS",
      "DescribeKey",
      "CreateGrant",
      "Decrypt",
      "Encrypt",
      "GenerateDataKeyWithoutPlaintext",
      "ReEncryptFrom",
      "ReEncryptTo",
    ),
  ],
  params,
  outputs: ["imageId", "name", "sourceImageId", "sourceRegion", "kmsKeyId", "snapshotIds"],
  establishes: ["imageId"],
  idempotent: true,
  checkedBeforeRun: true,
  reconciles:
    "done when a copy tagged as this step's exists; otherwise copies again with the same client token, which AWS answers with the copy already started",
  manual: (p, region) => [
    `COPY_ID=$(${aws("ec2", "copy-image", region, {
      "source-image-id": p.source,
      "source-region": p.sourceRegion,
      name: copyName(p),
      description: p.description,
      encrypted: true,
      "kms-key-id": p.kmsKeyId,
      "copy-image-tags": p.copyTags !== false,
      "tag-specifications": tagSpecifications(p.tags, ["image", "snapshot"]),
      query: "ImageId",
      output: "text",
    })})`,
    aws("ec2", "wait image-available", region, { "image-ids": code("$COPY_ID") }),
  ],
  manualOutputs: (p, region) => ({
    imageId: {
      command: aws("ec2", "describe-images", region, {
        owners: "self",
        filters: word("Name=name,Values=", copyName(p)),
        query: "sort_by(Images, &CreationDate)[-1].ImageId",
        output: "text",
      }),
    },
  }),
  read,
  plan(ctx, p, b) {
    const from = `${p.source} from ${p.sourceRegion}`;
    const tags = showTags(p.tags);
    const target = `copy of ${from}${b.source ? ` (${b.source.name})` : ""} in ${ctx.region}, ${encryption(p, b)}, ${p.copyTags ? "its tags carried over" : "its tags left"}${tags ? `, tagged ${tags}` : ""}, available`;
    if (b.existing && !b.problem)
      return {
        current: `${b.existing.name} (${b.existing.imageId}, ${b.existing.state}) copied by this step`,
        target,
        changes: false,
      };
    return {
      current: `no copy of ${from} made by this run in ${ctx.region}`,
      target,
      changes: true,
      ...(b.problem ? { fails: b.problem } : {}),
    };
  },
  async apply(ctx, p, now) {
    if (now.existing) return { imageId: now.existing.imageId };
    if (now.problem) throw new Error(now.problem);
    const source = now.source;
    const out = await ctx.aws.get(EC2Client, ctx.region).send(
      new CopyImageCommand({
        SourceImageId: p.source,
        SourceRegion: p.sourceRegion,
        Name: p.name ?? source?.name ?? `copy-of-${p.source}`,
        Description: p.description ?? `copy of ${p.source} from ${p.sourceRegion}, made by drctl`,
        Encrypted: true,
        ...(p.kmsKeyId ? { KmsKeyId: now.key?.arn ?? p.kmsKeyId } : {}),
        ClientToken: clientToken(ctx.idempotencyKey),
        TagSpecifications: onImageAndSnapshots(copyTags(ctx, p, source)),
      }),
    );
    ctx.log(`copying ${p.source} from ${p.sourceRegion} to ${ctx.region} as ${out.ImageId ?? "?"}`);
    return { imageId: out.ImageId ?? "" };
  },
  async settle(ctx, p, before, applied) {
    const imageId =
      applied.imageId ?? before.existing?.imageId ?? (await madeByStep(ctx, ctx.region))?.imageId;
    if (!imageId) throw new Error(`no copy made by ${ctx.idempotencyKey} in ${ctx.region}`);
    const image = await waitAvailable(ctx, ctx.region, imageId);
    return {
      imageId,
      name: image.name,
      sourceImageId: p.source,
      sourceRegion: p.sourceRegion,
      kmsKeyId: before.key?.arn ?? p.kmsKeyId ?? "",
      snapshotIds: image.snapshotIds.join(","),
    };
  },
  async reconcile(ctx) {
    const mine = await madeByStep(ctx, ctx.region);
    return mine
      ? { decision: "done", detail: `${mine.name} (${mine.imageId}) exists, copied by this step` }
      : { decision: "redo", detail: "no copy of this step exists yet; copying with the same client token" };
  },
  // A copy is left for the prune of a later run: a failback never deletes an image.
  inverse: () => [],
  grants(p, where) {
    const source = known(p.sourceRegion);
    // A source region not known at deployment (a reference): any region's images.
    const regions = [where.region, source && source !== where.region ? source : "*"];
    const tags = requestTagCondition(p.tags, source ? { [SOURCE_REGION]: source } : {});
    const key = known(p.kmsKeyId);
    return [
      {
        // The copy and its snapshots, which must carry the step's tags.
        actions: ["ec2:CopyImage"],
        resources: [imageArn(where), snapshotArn(where)],
        ...(tags ? { conditions: tags } : {}),
      },
      {
        // The source image and its snapshots (another region: the image an earlier step made).
        actions: ["ec2:CopyImage"],
        resources: regions
          .filter((r) => r !== where.region)
          .flatMap((region) => [imageArn({ ...where, region }), snapshotArn({ ...where, region })]),
      },
      {
        actions: ["ec2:CreateTags"],
        resources: [imageArn(where), snapshotArn(where)],
        conditions: { StringEquals: { "ec2:CreateAction": "CopyImage" } },
      },
      {
        // EBS uses the key on the copy's behalf: only through EC2, in the regions of the copy.
        actions: [
          "kms:CreateGrant",
          "kms:Decrypt",
          "kms:Encrypt",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
        ],
        resources: [key?.startsWith("arn:") && !key.includes(":alias/") ? key : "*"],
        conditions: { StringEquals: { "kms:ViaService": regions.map((r) => `ec2.${r}.amazonaws.com`) } },
      },
    ];
  },
};
