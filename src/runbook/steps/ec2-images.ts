/**
 * What the image step kinds (ec2.create-image, ec2.copy-image, ec2.prune-images) share: the tags
 * drctl writes on the images it makes, finding an image a step already made, waiting for one to be
 * available, and the ARNs their grants name.
 */
import {
  DescribeImagesCommand,
  EC2Client,
  paginateDescribeImages,
  type Image,
  type Tag,
  type TagSpecification,
} from "@aws-sdk/client-ec2";
import { createHash } from "node:crypto";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import { pause, type StepContext } from "../step.js";

/** The step (run/step) that made an image: how a resumed or retried step finds its own image. */
export const CREATED_BY = "drctl:created-by";
/** On a copy: the image it copies and its region (freshness reads these where AWS's fields are missing). */
export const SOURCE_IMAGE_ID = "drctl:source-image-id";
export const SOURCE_REGION = "drctl:source-region";
/** On a copy: when the image it copies was made (the age of the data in it). */
export const SOURCE_CREATED = "drctl:source-creation-date";
/** On a snapshot whose image a prune is deregistering: a prune that stopped halfway finishes it. */
export const PRUNED_IMAGE = "drctl:pruned-image";

/** Tags a runbook gives an image: keys AWS reserves (aws:) and the ones drctl writes are refused. */
export const userTags = z
  .record(
    z
      .string()
      .min(1)
      .max(128)
      .refine((k) => !k.toLowerCase().startsWith("aws:"), { message: "tag keys starting aws: are AWS's own" })
      .refine(
        (k) => ![CREATED_BY, SOURCE_IMAGE_ID, SOURCE_REGION, SOURCE_CREATED, PRUNED_IMAGE].includes(k),
        {
          message: "this tag key is written by drctl itself",
        },
      ),
    z.string().max(256),
  )
  .default({});

export const asTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const tagsOf = (image: { Tags?: Tag[] | undefined }): Record<string, string> =>
  Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

/** The same tags on the image and on its snapshots (pruning by tag needs both tagged). */
export const onImageAndSnapshots = (tags: Record<string, string>): TagSpecification[] => [
  { ResourceType: "image", Tags: asTags(tags) },
  { ResourceType: "snapshot", Tags: asTags(tags) },
];

export const showTags = (tags: Record<string, string>): string =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

/**
 * The part of a run id an image name takes (run-20261202T020000Z-5ab7 -> 20261202T020000Z-5ab7): a
 * name unique per run, the same across the run's attempts and resumes. A plan has no run yet.
 */
export function runStamp(idempotencyKey: string): string {
  const run = idempotencyKey.split("/")[0] ?? "";
  return /^run-[0-9A-Za-z-]+$/.test(run) ? run.slice(4) : "<run>";
}

/**
 * CopyImage's client token: at most 64 ASCII characters, the same for every attempt of one step of
 * one run, so a repeat of the call returns the copy the first one started instead of a second one.
 */
export const clientToken = (idempotencyKey: string): string =>
  `drctl-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 58)}`;

export interface FoundImage {
  imageId: string;
  name: string;
  state: string;
  created: string;
  snapshotIds: string[];
  tags: Record<string, string>;
}

export function found(image: Image): FoundImage {
  return {
    imageId: image.ImageId ?? "",
    name: image.Name ?? "",
    state: image.State ?? "",
    created: image.CreationDate ?? "",
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((b) =>
      b.Ebs?.SnapshotId ? [b.Ebs.SnapshotId] : [],
    ),
    tags: tagsOf(image),
  };
}

/** The account's own images of the region carrying every one of `tags`. */
export async function ownImagesTagged(
  ctx: StepContext,
  region: string,
  tags: Record<string, string>,
): Promise<FoundImage[]> {
  const images: FoundImage[] = [];
  for await (const page of paginateDescribeImages(
    { client: ctx.aws.get(EC2Client, region) },
    {
      Owners: ["self"],
      IncludeDeprecated: true,
      Filters: Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
    },
  ))
    for (const i of page.Images ?? []) images.push(found(i));
  return images;
}

/** The image this step of this run made in `region`, if it made one. */
export async function madeByStep(ctx: StepContext, region: string): Promise<FoundImage | undefined> {
  const mine = await ownImagesTagged(ctx, region, { [CREATED_BY]: ctx.idempotencyKey });
  // A failed image is no image: a new attempt makes another (AWS keeps the failed one, named apart).
  return mine.find((i) => i.state !== "failed" && i.state !== "deregistered");
}

/** One image by id, or undefined when the region does not have it. */
export async function describeImage(
  ctx: StepContext,
  region: string,
  imageId: string,
): Promise<FoundImage | undefined> {
  try {
    const out = await ctx.aws
      .get(EC2Client, region)
      .send(new DescribeImagesCommand({ ImageIds: [imageId], IncludeDeprecated: true }));
    const image = out.Images?.[0];
    return image ? found(image) : undefined;
  } catch (err) {
    if (/^InvalidAMIID\.(NotFound|Unavailable|Malformed)$/.test(awsErrorCode(err))) return undefined;
    throw err;
  }
}

/**
 * Waits until the image is available; a failed image is an error with AWS's reason. Asked again
 * after 1, 2, 4 and 8 seconds, then every 15: a copy of a large image takes many minutes.
 */
export async function waitAvailable(ctx: StepContext, region: string, imageId: string): Promise<FoundImage> {
  const ec2 = ctx.aws.get(EC2Client, region);
  for (let asked = 0; ; asked++) {
    if (asked > 0) await pause(Math.min(15_000, 1000 * 2 ** (asked - 1)), ctx.signal);
    const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId], IncludeDeprecated: true }));
    const image = out.Images?.[0];
    if (image?.State === "failed")
      throw new Error(
        `image ${imageId} failed in ${region}: ${image.StateReason?.Message ?? image.StateReason?.Code ?? "no reason given"}`,
      );
    if (image?.State === "available") return found(image);
    ctx.log(`image ${imageId} is ${image?.State ?? "not visible yet"} in ${region}; waiting`);
  }
}

/** Where a grant points: images and snapshots have no account in their ARN. */
export const imageArn = (where: { partition: string; region: string }) =>
  `arn:${where.partition}:ec2:${where.region}::image/*`;
export const snapshotArn = (where: { partition: string; region: string }) =>
  `arn:${where.partition}:ec2:${where.region}::snapshot/*`;

/** "aws:RequestTag/K": V for each tag the runbook names literally (a grant's condition). */
export function requestTagCondition(
  tags: unknown,
  fixed: Record<string, string> = {},
): Record<string, Record<string, string>> | undefined {
  const literal = Object.entries({ ...(tags && typeof tags === "object" ? tags : {}), ...fixed }).filter(
    (e): e is [string, string] => typeof e[1] === "string" && !e[1].includes("${") && !e[0].includes("${"),
  );
  if (literal.length === 0) return undefined;
  return { StringEquals: Object.fromEntries(literal.map(([k, v]) => [`aws:RequestTag/${k}`, v])) };
}

/** Days between an ISO time and `now` (ms), for people. */
export const ageDays = (created: string, now: number): number =>
  Math.floor(((now - Date.parse(created)) / 86_400_000) * 10) / 10;
