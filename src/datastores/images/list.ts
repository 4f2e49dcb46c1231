import {
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  paginateDescribeImages,
  paginateDescribeLaunchTemplates,
  paginateDescribeSnapshots,
  type Image,
  type Snapshot,
} from "@aws-sdk/client-ec2";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";

/** The account's own images of the region, failed and pending ones included. */
export const OWN_IMAGES: RegionList<Image> = {
  name: "own-images",
  service: "EC2",
  operation: "DescribeImages",
  async *pages(cache) {
    for await (const page of paginateDescribeImages(
      { client: cache.client(EC2Client) },
      { Owners: ["self"], IncludeDeprecated: true, MaxResults: 1000 },
    ))
      yield page.Images ?? [];
  },
  key: (i) => i.ImageId ?? "",
};

/** The account's own EBS snapshots of the region. */
export const OWN_SNAPSHOTS: RegionList<Snapshot> = {
  name: "own-snapshots",
  service: "EC2",
  operation: "DescribeSnapshots",
  async *pages(cache) {
    for await (const page of paginateDescribeSnapshots(
      { client: cache.client(EC2Client) },
      { OwnerIds: ["self"], MaxResults: 1000 },
    ))
      yield page.Snapshots ?? [];
  },
  key: (s) => s.SnapshotId ?? "",
};

/** A launch template's default version, with the image it launches (an SSM reference resolved). */
export interface TemplateImage {
  template: string;
  imageId: string;
  /** "resolve:ssm:/app/latest-ami-id" when the template reads its image from a parameter. */
  from: string | null;
}

/** Every launch template of the region and the image its default version launches. */
export const TEMPLATE_IMAGES: RegionList<TemplateImage> = {
  name: "launch-template-images",
  service: "EC2",
  operation: "DescribeLaunchTemplates/DescribeLaunchTemplateVersions",
  async *pages(cache: RegionCache) {
    const ec2 = cache.client(EC2Client);
    for await (const page of paginateDescribeLaunchTemplates({ client: ec2 }, { MaxResults: 200 })) {
      const ids = (page.LaunchTemplates ?? []).map((t) => t.LaunchTemplateId ?? "");
      const versions = await Promise.all(
        ids.map((id) =>
          ec2
            .send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ["$Default"] }))
            .then((o) => o.LaunchTemplateVersions?.[0]),
        ),
      );
      const images = versions.map((v) => ({
        template: v?.LaunchTemplateName ?? "",
        raw: v?.LaunchTemplateData?.ImageId ?? "",
      }));
      // Templates that read their image from SSM (resolve:ssm:NAME): resolved in one call per 10.
      const names = [
        ...new Set(images.map((i) => /^resolve:ssm:(.+)$/.exec(i.raw)?.[1]).filter((n): n is string => !!n)),
      ];
      const values = new Map<string, string>();
      for (let i = 0; i < names.length; i += 10) {
        const out = await cache
          .client(SSMClient)
          .send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
        for (const p of out.Parameters ?? []) values.set(p.Name ?? "", p.Value ?? "");
      }
      yield images
        .filter((i) => i.raw !== "")
        .map((i) => {
          const param = /^resolve:ssm:(.+)$/.exec(i.raw)?.[1];
          return {
            template: i.template,
            imageId: param ? (values.get(param) ?? "") : i.raw,
            from: param ? i.raw : null,
          };
        });
    }
  },
  key: (t) => t.template,
};
