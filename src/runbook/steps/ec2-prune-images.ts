import {
  AutoScalingClient,
  paginateDescribeAutoScalingGroups,
  paginateDescribeLaunchConfigurations,
  type LaunchTemplateSpecification,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeSnapshots,
  type LaunchTemplateVersion,
} from "@aws-sdk/client-ec2";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
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

const params = z.strictObject({
  /** Images carrying every one of these tags are the ones pruned (at least one: never every image). */
  tags: userTags.refine((t) => Object.keys(t).length > 0, {
    message: "expected at least one tag: a prune without a tag filter would judge every image of the region",
  }),
  /** Images older than this many days go (once more than `keep` are left). */
  olderThanDays: z.number().positive(),
  /** The newest images always kept, whatever their age. */
  keep: z.number().int().min(1, {
    message: "expected keep of at least 1: keep: 0 could remove every image the standby launches from",
  }),
});
type Params = z.infer<typeof params>;

interface Candidate extends FoundImage {
  /** Why it stays: "newest 3", "in use by ...", "2.5 days old". Absent: it goes. */
  kept?: string;
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

/** resolve:ssm:NAME (or NAME:VERSION, NAME:LABEL) in a launch template's ImageId. */
const SSM_IMAGE = /^resolve:ssm:(.+)$/;

/**
 * Every image the region's launch templates and launch configurations would launch: each template's
 * default and latest version, the versions Auto Scaling groups name by number, directly or through
 * resolve:ssm:NAME, and the launch configurations' images. image id -> what uses it.
 */
export async function imagesInUse(ctx: StepContext): Promise<Map<string, string>> {
  const ec2 = ctx.aws.get(EC2Client, ctx.region);
  const versions: LaunchTemplateVersion[] = [];
  for await (const page of paginateDescribeLaunchTemplateVersions(
    { client: ec2 },
    { Versions: ["$Latest", "$Default"] },
  ))
    versions.push(...(page.LaunchTemplateVersions ?? []));
  const used = new Map<string, string>();
  const seen = new Set(versions.map((v) => `${v.LaunchTemplateId ?? ""}:${v.VersionNumber ?? ""}`));
  const launchConfigs: [string, string][] = [];
  const numbered: LaunchTemplateSpecification[] = [];
  const asg = ctx.aws.get(AutoScalingClient, ctx.region);
  for await (const page of paginateDescribeAutoScalingGroups({ client: asg }, {}))
    for (const g of page.AutoScalingGroups ?? [])
      for (const spec of [
        g.LaunchTemplate,
        g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification,
      ])
        if (spec?.Version && /^\d+$/.test(spec.Version)) numbered.push(spec);
  for (const spec of numbered) {
    const out = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(spec.LaunchTemplateId
          ? { LaunchTemplateId: spec.LaunchTemplateId }
          : { LaunchTemplateName: spec.LaunchTemplateName }),
        Versions: [spec.Version ?? ""],
      }),
    );
    for (const v of out.LaunchTemplateVersions ?? [])
      if (!seen.has(`${v.LaunchTemplateId ?? ""}:${v.VersionNumber ?? ""}`)) versions.push(v);
  }
  const viaParameter = new Map<string, string[]>();
  for (const v of versions) {
    const raw = v.LaunchTemplateData?.ImageId ?? "";
    const what = `launch template ${v.LaunchTemplateName ?? v.LaunchTemplateId ?? "?"} version ${v.VersionNumber ?? "?"}${v.DefaultVersion ? " (default)" : ""}`;
    const name = SSM_IMAGE.exec(raw)?.[1];
    if (name) viaParameter.set(name, [...(viaParameter.get(name) ?? []), what]);
    else if (raw) used.set(raw, used.get(raw) ?? what);
  }
  const names = [...viaParameter.keys()];
  const ssm = ctx.aws.get(SSMClient, ctx.region);
  for (let i = 0; i < names.length; i += 10) {
    const out = await ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
    for (const prm of out.Parameters ?? []) {
      // The name as asked (with :VERSION or :LABEL) is the Selector's; match either form.
      const asked = names.find((n) => n === prm.Name || n === `${prm.Name ?? ""}${prm.Selector ?? ""}`);
      const image = prm.Value ?? "";
      if (asked && image)
        used.set(
          image,
          used.get(image) ?? `${(viaParameter.get(asked) ?? []).join(", ")} via resolve:ssm:${asked}`,
        );
    }
  }
  for await (const page of paginateDescribeLaunchConfigurations({ client: asg }, {}))
    for (const c of page.LaunchConfigurations ?? [])
      if (c.ImageId) launchConfigs.push([c.ImageId, c.LaunchConfigurationName ?? "?"]);
  for (const [image, name] of launchConfigs)
    used.set(image, used.get(image) ?? `launch configuration ${name}`);
  return used;
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

/** Which images stay and why, which go: the newest `keep` always stay, so do those in use and the young. */
export function judge(p: Params, images: FoundImage[], inUse: Map<string, string>, now: number): Candidate[] {
  const newest = images
    .filter((i) => i.state === "available")
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.imageId.localeCompare(a.imageId))
    .slice(0, p.keep)
    .map((i) => i.imageId);
  return images
    .map((i): Candidate => {
      const use = inUse.get(i.imageId);
      const age = ageDays(i.created, now);
      const kept = newest.includes(i.imageId)
        ? `one of the newest ${p.keep}`
        : use
          ? `in use by ${use}`
          : i.state === "pending"
            ? "still being made"
            : !(now - Date.parse(i.created) > p.olderThanDays * 86_400_000)
              ? `${age} days old`
              : undefined;
      return { ...i, ...(kept ? { kept } : {}) };
    })
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.imageId.localeCompare(a.imageId));
}

async function read(ctx: StepContext, p: Params): Promise<Before> {
  const now = Date.now();
  const [images, inUse, left] = await Promise.all([
    ownImagesTagged(ctx, ctx.region, p.tags),
    imagesInUse(ctx),
    orphans(ctx, p),
  ]);
  const judged = judge(p, images, inUse, now);
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
    const more = judge(p, [...images, newer], inUse, now).filter(
      (c) => c.kept === undefined && !gone.has(c.imageId),
    );
    if (more.length) return { now, images: judged, orphans: left, withNewer: more };
  }
  return { now, images: judged, orphans: left };
}

const going = (b: Before) => b.images.filter((i) => i.kept === undefined);
const showImage = (i: Candidate, now: number) =>
  `${i.imageId} (${i.name}, ${ageDays(i.created, now)} days old${i.snapshotIds.length ? `, snapshots ${i.snapshotIds.join(" ")}` : ""})`;

/** Deregisters old images matching a tag filter (never the newest K, never one in use), then deletes their snapshots. */
export const ec2PruneImagesStep: StepKind<Params, Before> = {
  kind: "ec2.prune-images",
  description:
    "deregisters the images matching a tag filter that are older than N days, always keeping the newest K and every image a launch template (default or latest version, or one an Auto Scaling group names; directly or through `resolve:ssm:NAME`) or a launch configuration would launch, then deletes their snapshots; the dry run lists each image and snapshot that would go. Checked before the run starts: `keep: 0` is refused",
  permissions: [
    "ec2:DescribeImages",
    "ec2:DescribeSnapshots",
    "ec2:DescribeLaunchTemplateVersions",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeLaunchConfigurations",
    "ssm:GetParameters",
    "ec2:CreateTags",
    "ec2:DeregisterImage",
    "ec2:DeleteSnapshot",
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
          "; drctl also keeps those a launch template uses: leave those out of IMAGES",
        ),
      `for IMAGE in $IMAGES; do SNAPSHOTS=$(${aws("ec2", "describe-images", region, {
        "image-ids": image,
        query: "Images[0].BlockDeviceMappings[].Ebs.SnapshotId",
        output: "text",
      })}); ${aws("ec2", "deregister-image", region, { "image-id": image })}; for SNAPSHOT in $SNAPSHOTS; do ${aws("ec2", "delete-snapshot", region, { "snapshot-id": snapshot })}; done; done`,
    ];
  },
  read,
  plan(_ctx, p, b) {
    const go = going(b);
    const kept = b.images.filter((i) => i.kept !== undefined);
    const inUse = kept.filter((i) => i.kept?.startsWith("in use"));
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
      current: `${b.images.length} images tagged ${showTags(p.tags)}: ${kept.length} kept (${
        kept.map((i) => `${i.imageId} ${i.kept ?? ""}`).join("; ") || "none"
      })${inUse.length ? `; ${inUse.length} in use` : ""}`,
      target: actions.length
        ? actions.join("; ")
        : `nothing older than ${p.olderThanDays} days beyond the newest ${p.keep}`,
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
        // The images launch templates read through resolve:ssm:NAME: any parameter of the region.
        actions: ["ssm:GetParameters"],
        resources: [`arn:${where.partition}:ssm:${where.region}:${where.account}:parameter/*`],
      },
    ];
  },
};
