import { ops } from "../../aws/services.js";
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  EC2Client,
  paginateDescribeSnapshots,
} from "@aws-sdk/client-ec2";
import { z } from "zod";
import { awsErrorCode } from "../../aws/errors.js";
import type { StepContext, StepKind } from "../step.js";
import {
  ageDays,
  describeImage,
  imageArn,
  ownImagesTagged,
  PRUNED_IMAGE,
  showTags,
  snapshotArn,
  userTags,
  type FoundImage,
} from "./ec2-images.js";
import { aws, code, comment, jmesLiteral, word } from "../manual.js";
import { imagesInUse, sharedWith, UsageUnreadable, type Uses } from "./ec2-image-usage.js";

const params = z.strictObject({
  /** Images carrying every one of these tags are the ones pruned (at least one: never every image). */
  tags: userTags
    .refine((t) => Object.keys(t).length > 0, {
      message:
        "expected at least one tag: a prune without a tag filter would judge every image of the region",
    })
    .describe(
      "Images carrying every one of these tags are the ones judged (at least one tag: never every image).",
    ),
  /** Images older than this many days go (once more than `keep` are left). */
  olderThanDays: z
    .number()
    .positive()
    .describe("Images older than this many days go (once more than keep are left)."),
  /** The newest images always kept, whatever their age. */
  keep: z
    .number()
    .int()
    .min(1, {
      message: "expected keep of at least 1: keep: 0 could remove every image the standby launches from",
    })
    .describe("The newest images always kept, whatever their age (at least 1)."),
  /**
   * Prune images shared with another account, an organization or unit, or the public, too.
   * Default: a shared image is kept (someone else may launch from it, and drctl cannot see who).
   */
  includeShared: z
    .boolean()
    .default(false)
    .describe(
      "Prune images shared with another account, an organization or the public too (default: a shared image is kept).",
    ),
});
type Params = z.infer<typeof params>;

interface Candidate extends FoundImage {
  /** Why it stays: "one of the newest 3", "in use by ...", "shared with ...", "2.5 days old". Absent: it goes. */
  kept?: string;
  /** Whom it is shared with, when that was read (an image that could go): "account 111122223333". */
  shared?: string;
}

interface Before {
  /** When it was read (ms since the epoch): ages count from here. */
  now: number;
  images: Candidate[];
  /** In a plan after steps that change things: the images that go too once one newer image exists. */
  withNewer?: Candidate[];
  /** Snapshots an interrupted prune left behind: their image is deregistered, they are still there. */
  orphans: { snapshotId: string; imageId: string }[];
}

/** Snapshots of images a prune deregistered and then stopped before deleting them. */
async function orphans(ctx: StepContext, p: Params): Promise<Before["orphans"]> {
  const left: Before["orphans"] = [];
  for await (const page of paginateDescribeSnapshots(
    { client: ctx.aws.get(EC2Client, ctx.region) },
    {
      OwnerIds: ["self"],
      Filters: [
        { Name: "tag-key", Values: [PRUNED_IMAGE] },
        ...Object.entries(p.tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
      ],
    },
  ))
    for (const s of page.Snapshots ?? []) {
      const imageId = s.Tags?.find((t) => t.Key === PRUNED_IMAGE)?.Value ?? "";
      if (s.SnapshotId && !(await describeImage(ctx, ctx.region, imageId)))
        left.push({ snapshotId: s.SnapshotId, imageId });
    }
  return left;
}

/** What uses an image, for people: the first three, and how many more. */
const showUses = (uses: string[]) =>
  uses.length > 3 ? `${uses.slice(0, 3).join(", ")} and ${uses.length - 3} more` : uses.join(", ");

const olderThan = (p: Params, i: FoundImage, now: number) =>
  now - Date.parse(i.created) > p.olderThanDays * 86_400_000;

/**
 * Which images stay and why, which go: the newest `keep` always stay, so do the young, those in
 * use and (unless includeShared) those shared with anyone else. Every reason that holds is said.
 */
export function judge(
  p: Params,
  images: FoundImage[],
  inUse: Uses,
  now: number,
  shared: Map<string, string> = new Map(),
): Candidate[] {
  const newest = images
    .filter((i) => i.state === "available")
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.imageId.localeCompare(a.imageId))
    .slice(0, p.keep)
    .map((i) => i.imageId);
  return images
    .map((i): Candidate => {
      const uses = inUse.get(i.imageId) ?? [];
      const share = shared.get(i.imageId);
      const reasons = [
        newest.includes(i.imageId)
          ? `one of the newest ${p.keep}`
          : i.state === "pending"
            ? "still being made"
            : !olderThan(p, i, now)
              ? `${ageDays(i.created, now)} days old`
              : undefined,
        uses.length ? `in use by ${showUses(uses)}` : undefined,
        share && !p.includeShared ? `shared with ${share}` : undefined,
      ].filter((r) => r !== undefined);
      return {
        ...i,
        ...(reasons.length ? { kept: reasons.join("; ") } : {}),
        ...(share ? { shared: share } : {}),
      };
    })
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.imageId.localeCompare(a.imageId));
}

/**
 * What uses the images and whom they are shared with. Shares are read image by image, so only
 * for those neither young nor in use (the ones that could go, now or once a newer image exists).
 */
async function usage(ctx: StepContext, p: Params, images: FoundImage[], now: number) {
  try {
    const inUse = await imagesInUse(
      ctx,
      images.map((i) => i.imageId),
    );
    const open = images.filter((i) => i.state !== "pending" && !inUse.has(i.imageId) && olderThan(p, i, now));
    return {
      inUse,
      shared: await sharedWith(
        ctx,
        open.map((i) => i.imageId),
      ),
    };
  } catch (err) {
    if (!(err instanceof UsageUnreadable)) throw err;
    // Never pruned on a partial view: the step fails, and every image stays.
    throw new Error(
      `${err.message}; nothing is pruned: all ${images.length} images tagged ${showTags(p.tags)} in ${ctx.region} are kept`,
      { cause: err },
    );
  }
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const now = Date.now();
  const [images, left] = await Promise.all([ownImagesTagged(ctx, ctx.region, p.tags), orphans(ctx, p)]);
  // Nothing matches the filter: nothing to judge, and nothing to ask about.
  if (images.length === 0) return { now, images: [], orphans: left };
  const { inUse, shared } = await usage(ctx, p, images, now);
  const judged = judge(p, images, inUse, now, shared);
  // Before a run, the image an earlier step makes is not there yet: say what it would push out.
  if (ctx.afterChanges) {
    const newer: FoundImage = {
      imageId: "(new)",
      name: "",
      state: "available",
      created: new Date(now).toISOString(),
      snapshotIds: [],
      tags: {},
    };
    const gone = new Set(judged.filter((c) => c.kept === undefined).map((c) => c.imageId));
    const more = judge(p, [...images, newer], inUse, now, shared).filter(
      (c) => c.kept === undefined && !gone.has(c.imageId),
    );
    if (more.length) return { now, images: judged, orphans: left, withNewer: more };
  }
  return { now, images: judged, orphans: left };
}

const going = (b: Before) => b.images.filter((i) => i.kept === undefined);
const showImage = (i: Candidate, now: number) =>
  `${i.imageId} (${i.name}, ${ageDays(i.created, now)} days old${i.snapshotIds.length ? `, snapshots ${i.snapshotIds.join(" ")}` : ""}${i.shared ? `, shared with ${i.shared}: includeShared` : ""})`;

/** Deregisters old images matching a tag filter (never the newest K, never one in use), then deletes their snapshots. */
export const ec2PruneImagesStep: StepKind<Params, Before> = {
  kind: "ec2.prune-images",
  example: { tags: { "drctl-image": "web" }, olderThanDays: 14, keep: 3 },
  description:
    "deregisters the images matching a tag filter that are older than N days, then deletes their snapshots. Always kept: the newest K; every image an instance (in any state but terminated) was launched from; every image a launch template version would launch that is `$Default`, `$Latest` or named by number by an Auto Scaling group (its own, mixed-instances or override template), an EC2 Fleet or a Spot Fleet request (or named directly by a fleet's override or launch specification), directly or through `resolve:ssm:NAME`; a launch configuration's image; an image an SSM parameter the runbook writes or reads holds, in any region the runbook names; the source of a copy still being made; and, unless `includeShared: true`, an image shared with another account, an organization or unit, or the public. A read that fails (denied, throttled) fails the step and prunes nothing. The dry run lists each image that would go with its snapshots, and each kept image with what uses it. Checked before the run starts: `keep: 0` is refused",
  permissions: [
    ...ops(
      "EC2",
      "DescribeImages",
      "DescribeSnapshots",
      "DescribeLaunchTemplateVersions",
      "DescribeInstances",
      "DescribeFleets",
      "DescribeSpotFleetRequests",
      "DescribeImageAttribute",
    ),
    ...ops("AutoScaling", "DescribeAutoScalingGroups", "DescribeLaunchConfigurations"),
    ...ops("SSM", "GetParameters"),
    ...ops("EC2", "CreateTags", "DeregisterImage", "DeleteSnapshot"),
  ],
  params,
  outputs: ["deregistered", "deletedSnapshots", "kept"],
  idempotent: true,
  checkedBeforeRun: true,
  reconciles:
    "done when no image is left to go and no snapshot of a deregistered image is left; otherwise prunes what is left",
  manual: (p, region) => {
    const minutes = Math.round(Number(p.olderThanDays) * 1440);
    const cutoff = code(
      `$(date -u -d '-${Number.isFinite(minutes) ? minutes : 0} min' +%Y-%m-%dT%H:%M:%S.000Z)`,
    );
    const keep = Math.max(1, Math.floor(Number(p.keep) || 1));
    const image = code("$IMAGE");
    const snapshot = code("$SNAPSHOT");
    return [
      `IMAGES=$(${aws("ec2", "describe-images", region, {
        owners: "self",
        filters: Object.entries((p.tags as Record<string, unknown> | undefined) ?? {}).map(([k, v]) =>
          word(`Name=tag:${k},Values=`, v),
        ),
        query: word(
          `sort_by(Images, &CreationDate)[:-${keep}] | [?CreationDate < `,
          jmesLiteral(cutoff),
          "].ImageId",
        ),
        output: "text",
      })})` +
        comment(
          "older than ",
          p.olderThanDays,
          " days beyond the newest ",
          keep,
          "; drctl also keeps those an instance, launch template, group, fleet or launch configuration uses, and those shared with another account (unless includeShared): leave those out of IMAGES",
        ),
      `for IMAGE in $IMAGES; do SNAPSHOTS=$(${aws("ec2", "describe-images", region, {
        "image-ids": image,
        query: "Images[0].BlockDeviceMappings[].Ebs.SnapshotId",
        output: "text",
      })}); ${aws("ec2", "deregister-image", region, { "image-id": image })}; for SNAPSHOT in $SNAPSHOTS; do ${aws("ec2", "delete-snapshot", region, { "snapshot-id": snapshot })}; done; done`,
    ];
  },
  read,
  plan(ctx, p, b) {
    const go = going(b);
    const kept = b.images.filter((i) => i.kept !== undefined);
    const inUse = kept.filter((i) => i.kept?.includes("in use by "));
    const actions = [
      ...go.map((i) => `deregister ${showImage(i, b.now)}`),
      ...(b.orphans.length
        ? [`delete snapshots left by an earlier prune: ${b.orphans.map((o) => o.snapshotId).join(" ")}`]
        : []),
      ...(b.withNewer?.length
        ? [
            `if an earlier step makes a newer image, also deregister ${b.withNewer.map((i) => showImage(i, b.now)).join("; ")}`,
          ]
        : []),
    ];
    return {
      current: b.images.length
        ? `${b.images.length} images tagged ${showTags(p.tags)}: ${kept.length} kept${
            inUse.length ? ` (${inUse.length} in use)` : ""
          }${kept.length ? `: ${kept.map((i) => `${i.imageId} (${i.kept ?? ""})`).join("; ")}` : ""}`
        : `no image in ${ctx.region} is tagged ${showTags(p.tags)}`,
      target: actions.length
        ? actions.join("; ")
        : b.images.length
          ? `nothing older than ${p.olderThanDays} days beyond the newest ${p.keep} that nothing uses`
          : "nothing to prune",
      changes: actions.length > 0,
    };
  },
  async apply(ctx, _p, now) {
    const ec2 = ctx.aws.get(EC2Client, ctx.region);
    const deregistered: string[] = [];
    const deleted: string[] = [];
    const deleteSnapshot = async (snapshotId: string) => {
      try {
        await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
        deleted.push(snapshotId);
      } catch (err) {
        const code = awsErrorCode(err);
        if (code === "InvalidSnapshot.NotFound") return;
        // Another image is made of it too: it stays until that image goes.
        if (code === "InvalidSnapshot.InUse") return ctx.log(`${snapshotId} is used by another image; kept`);
        throw err;
      }
    };
    for (const image of going(now)) {
      // Marked first: a prune stopped between the two calls finds these snapshots next time.
      if (image.snapshotIds.length)
        await ec2.send(
          new CreateTagsCommand({
            Resources: image.snapshotIds,
            Tags: [{ Key: PRUNED_IMAGE, Value: image.imageId }],
          }),
        );
      try {
        await ec2.send(new DeregisterImageCommand({ ImageId: image.imageId }));
        deregistered.push(image.imageId);
        ctx.log(`deregistered ${showImage(image, now.now)}`);
      } catch (err) {
        if (!/^InvalidAMIID\.(NotFound|Unavailable)$/.test(awsErrorCode(err))) throw err;
      }
      for (const s of image.snapshotIds) await deleteSnapshot(s);
    }
    for (const o of now.orphans) await deleteSnapshot(o.snapshotId);
    return { deregistered: deregistered.join(","), deletedSnapshots: deleted.join(",") };
  },
  settle(_ctx, _p, before, applied) {
    // Counted as done after a crash: what the journaled plan said would go, went.
    const go = going(before);
    return Promise.resolve({
      deregistered: applied.deregistered ?? go.map((i) => i.imageId).join(","),
      deletedSnapshots:
        applied.deletedSnapshots ??
        [...go.flatMap((i) => i.snapshotIds), ...before.orphans.map((o) => o.snapshotId)].join(","),
      kept: before.images
        .filter((i) => i.kept !== undefined)
        .map((i) => i.imageId)
        .join(","),
    });
  },
  async reconcile(ctx, p) {
    const now = await read(ctx, p);
    const left = going(now).length + now.orphans.length;
    return left === 0
      ? { decision: "done", detail: "no image or snapshot is left to remove" }
      : { decision: "redo", detail: `${left} images or snapshots still to remove; pruning them` };
  },
  // A deregistered image cannot be brought back: there is nothing a failback could do.
  inverse: () => [],
  grants(p, where) {
    const filter = Object.entries((p.tags as Record<string, unknown> | undefined) ?? {}).filter(
      (e): e is [string, string] => typeof e[1] === "string" && !e[1].includes("${"),
    );
    const onTagged = filter.length
      ? { StringEquals: Object.fromEntries(filter.map(([k, v]) => [`ec2:ResourceTag/${k}`, v])) }
      : undefined;
    return [
      {
        actions: ["ec2:DeregisterImage"],
        resources: [imageArn(where)],
        ...(onTagged ? { conditions: onTagged } : {}),
      },
      {
        actions: ["ec2:DeleteSnapshot"],
        resources: [snapshotArn(where)],
        ...(onTagged ? { conditions: onTagged } : {}),
      },
      {
        // Only the mark of a snapshot whose image is being deregistered.
        actions: ["ec2:CreateTags"],
        resources: [snapshotArn(where)],
        conditions: {
          ...(onTagged ?? {}),
          "ForAllValues:StringEquals": { "aws:TagKeys": [PRUNED_IMAGE] },
        },
      },
      {
        // The images launch templates read through resolve:ssm:NAME (any parameter of the step's
        // region), and the runbook's own parameters in every region it names: any region.
        actions: ["ssm:GetParameters"],
        resources: [`arn:${where.partition}:ssm:*:${where.account}:parameter/*`],
      },
    ];
  },
};
