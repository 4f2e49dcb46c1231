import { ops } from "../../aws/services.js";
import type { Image, Snapshot } from "@aws-sdk/client-ec2";
import type { FreshnessContext, PrimaryStore, Protection, StoreType } from "../type.js";
import { copyMeasurement } from "../rds/index.js";
import { OWN_IMAGES, OWN_SNAPSHOTS, TEMPLATE_IMAGES } from "./list.js";
import { imageRules, type StandbyLaunchImages } from "./rules.js";

const tag = (tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

/**
 * The family an image belongs to, so today's image and last week's are one store: its `app` tag,
 * else its name without the date or build number it ends in (web-20261201-0200 -> web).
 */
export function imageFamily(image: Image): string {
  const app = tag(image.Tags, "app");
  if (app) return app;
  const name = image.Name ?? image.ImageId ?? "";
  return name.replace(/[-_. ]?(\d{4}-?\d{2}-?\d{2}|\d{6,}).*$/, "") || name;
}

/** Where a copy came from: AWS's SourceImageId/SourceImageRegion, else the tags drctl's copy step writes. */
function sourceOf(image: Image): { id: string; region: string } | undefined {
  const id = image.SourceImageId ?? tag(image.Tags, "drctl:source-image-id");
  const region = image.SourceImageRegion ?? tag(image.Tags, "drctl:source-region");
  return id && region ? { id, region } : undefined;
}

const time = (s: string | undefined) => (s ? new Date(s) : undefined);
const imageArn = (i: Image, region: string) =>
  `arn:aws:ec2:${region}:${i.OwnerId ?? ""}:image/${i.ImageId ?? ""}`;
const snapshotArn = (s: Snapshot, region: string) =>
  `arn:aws:ec2:${region}:${s.OwnerId ?? ""}:snapshot/${s.SnapshotId ?? ""}`;
/** "[Copied snap-0123 from us-east-1]", as AWS describes a copy it was given no description for. */
const COPIED = /\[Copied (snap-[0-9a-f]+) from ([a-z0-9-]+)\]/;

async function amiCopies(ctx: FreshnessContext) {
  const stores: PrimaryStore[] = [];
  const protections: Protection[] = [];
  const primaries = new Map<string, { image: Image; region: string }>();
  /** "region|family" -> the family as a store, named by its newest image. */
  const families = new Map<string, { store: PrimaryStore; newest: number }>();
  for (const region of ctx.primaryRegions)
    for (const image of (await ctx.region(region).list(OWN_IMAGES)).values()) {
      // Copies from elsewhere are not this region's own family.
      if (sourceOf(image)) continue;
      primaries.set(image.ImageId ?? "", { image, region });
      if (image.State !== "available") continue;
      const family = imageFamily(image);
      const at = time(image.CreationDate)?.getTime() ?? 0;
      const known = families.get(`${region}|${family}`);
      if (!known) {
        const store: PrimaryStore = {
          type: "images",
          arn: imageArn(image, region),
          name: `AMI family ${family}`,
          region,
        };
        stores.push(store);
        families.set(`${region}|${family}`, { store, newest: at });
      } else if (at > known.newest) {
        known.store.arn = imageArn(image, region);
        known.newest = at;
      }
    }
  for (const standby of ctx.standbyRegions) {
    const copies = new Map<string, { available: { image: Image; dataTime: Date }[]; failed: Image[] }>();
    for (const image of (await ctx.region(standby).list(OWN_IMAGES)).values()) {
      const source = sourceOf(image);
      if (!source || source.region === standby) continue;
      const original = primaries.get(source.id);
      const family = original ? imageFamily(original.image) : imageFamily(image);
      const entry = families.get(`${source.region}|${family}`);
      if (!entry) continue;
      const list = copies.get(entry.store.arn) ?? { available: [], failed: [] };
      // The data in a copy is as old as the image it copies.
      const dataTime = time(original?.image.CreationDate) ?? time(image.CreationDate) ?? new Date(0);
      if (image.State === "available") list.available.push({ image, dataTime });
      else if (image.State === "failed") list.failed.push(image);
      copies.set(entry.store.arn, list);
    }
    for (const { store } of families.values()) {
      const found = copies.get(store.arn);
      if (!found) continue;
      const newest = found.available.sort((a, b) => b.dataTime.getTime() - a.dataTime.getTime())[0];
      const failed = found.failed.filter(
        (f) =>
          !newest ||
          (time(f.CreationDate)?.getTime() ?? 0) > (time(newest.image.CreationDate)?.getTime() ?? 0),
      ).length;
      protections.push({
        kind: "ami-copy",
        primary: store,
        standbyArn: newest ? imageArn(newest.image, standby) : null,
        standbyRegion: standby,
        measure: (c) =>
          Promise.resolve(
            copyMeasurement(
              c,
              "image copy",
              newest ? { at: newest.dataTime, arn: imageArn(newest.image, standby) } : undefined,
              failed,
            ),
          ),
      });
    }
  }
  return { stores, protections };
}

/** EBS snapshots copied into a standby region, newest per source volume. */
async function snapshotCopies(ctx: FreshnessContext) {
  const stores: PrimaryStore[] = [];
  const protections: Protection[] = [];
  const volumes = new Map<string, PrimaryStore>();
  const sourceVolume = new Map<string, string>();
  for (const region of ctx.primaryRegions) {
    // An image's own snapshots go with the image (its copy copies them): they are no store of their own.
    const ofImages = new Set(
      [...(await ctx.region(region).list(OWN_IMAGES)).values()].flatMap((i) =>
        (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId ?? ""),
      ),
    );
    for (const s of (await ctx.region(region).list(OWN_SNAPSHOTS)).values()) {
      if (ofImages.has(s.SnapshotId ?? "") || /^Created by CreateImage/.test(s.Description ?? "")) continue;
      if (COPIED.test(s.Description ?? "") || !s.VolumeId || s.VolumeId === "vol-ffffffff") continue;
      sourceVolume.set(`${region}|${s.SnapshotId ?? ""}`, s.VolumeId);
      const key = `${region}|${s.VolumeId}`;
      if (!volumes.has(key)) {
        const store: PrimaryStore = {
          type: "images",
          arn: snapshotArn(s, region),
          name: `snapshots of ${s.VolumeId}`,
          region,
        };
        volumes.set(key, store);
        stores.push(store);
      }
    }
  }
  for (const standby of ctx.standbyRegions) {
    const copies = new Map<string, Snapshot[]>();
    for (const s of (await ctx.region(standby).list(OWN_SNAPSHOTS)).values()) {
      const m = COPIED.exec(s.Description ?? "");
      const volume = m ? sourceVolume.get(`${m[2] ?? ""}|${m[1] ?? ""}`) : undefined;
      const store = m && volume ? volumes.get(`${m[2] ?? ""}|${volume}`) : undefined;
      if (store) copies.set(store.arn, [...(copies.get(store.arn) ?? []), s]);
    }
    for (const store of volumes.values()) {
      const list = copies.get(store.arn);
      if (!list) continue;
      const done = list
        .filter((s) => s.State === "completed")
        .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0));
      const newest = done[0];
      const failed = list.filter(
        (s) =>
          s.State === "error" &&
          (!newest || (s.StartTime?.getTime() ?? 0) > (newest.StartTime?.getTime() ?? 0)),
      ).length;
      protections.push({
        kind: "ebs-snapshot-copy",
        primary: store,
        standbyArn: newest ? snapshotArn(newest, standby) : null,
        standbyRegion: standby,
        measure: (c) =>
          Promise.resolve(
            copyMeasurement(
              c,
              "snapshot copy",
              newest?.StartTime ? { at: newest.StartTime, arn: snapshotArn(newest, standby) } : undefined,
              failed,
            ),
          ),
      });
    }
  }
  return { stores, protections };
}

/** The standby regions' launch templates, each with whether its image is there. */
async function launchImages(
  ctx: FreshnessContext,
): Promise<{ region: string; posture: StandbyLaunchImages }[]> {
  return Promise.all(
    ctx.standbyRegions.map(async (region) => {
      const [templates, images] = await Promise.all([
        ctx.region(region).list(TEMPLATE_IMAGES),
        ctx.region(region).list(OWN_IMAGES),
      ]);
      return {
        region,
        posture: {
          region,
          templates: [...templates.values()].map((t) => ({
            ...t,
            // An image of another account (a public one) is not in the own list: it is not ours to judge.
            exists: images.has(t.imageId) || !t.imageId.startsWith("ami-") || t.imageId === "",
          })),
        },
      };
    }),
  );
}

export const imagesStoreType: StoreType = {
  type: "images",
  title: "Images and snapshots",
  permissions: [
    ...ops(
      "EC2",
      "DescribeImages",
      "DescribeSnapshots",
      "DescribeLaunchTemplates",
      "DescribeLaunchTemplateVersions",
    ),
    ...ops("SSM", "GetParameters"),
  ],
  rules: imageRules,
  owns: (arn) => arn.service === "ec2" && (arn.resourceType === "image" || arn.resourceType === "snapshot"),
  async discover(ctx) {
    const [amis, snapshots, templates] = await Promise.all([
      amiCopies(ctx),
      snapshotCopies(ctx),
      launchImages(ctx),
    ]);
    return {
      stores: [...amis.stores, ...snapshots.stores],
      protections: [...amis.protections, ...snapshots.protections],
      regionPosture: templates.map((t) => ({
        region: t.region,
        subject: `launch templates in ${t.region}`,
        posture: { rules: imageRules, primary: null, standby: t.posture },
      })),
    };
  },
};
