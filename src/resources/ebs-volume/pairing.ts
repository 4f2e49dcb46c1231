/**
 * How EBS volumes pair: tagged primaries through the tagging API's region-wide listing (shared by
 * every type), and volumes described by ARN from one region-wide DescribeVolumes listing per
 * region and account for the run (500 a page), whatever the number of pairs.
 */
import { EC2Client, paginateDescribeVolumes, type Volume } from "@aws-sdk/client-ec2";
import { formatArn, type Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { NotFoundError } from "../../aws/errors.js";
import type { RegionList } from "../../aws/region-cache.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { pairingCache } from "../../aws/region-cache.js";
import { ownsVolume } from "../owns.js";

/** Every volume of a region and account by volume id (DescribeVolumes gives no ARN), 500 a page. */
export const VOLUMES: RegionList<Volume> = {
  name: "ebs-volumes",
  service: "EC2",
  operation: "DescribeVolumes",
  async *pages(cache) {
    for await (const page of paginateDescribeVolumes({ client: cache.client(EC2Client), pageSize: 500 }, {}))
      yield page.Volumes ?? [];
  },
  key: (v) => v.VolumeId ?? "",
};

export const volumeName = (v: Volume): string =>
  v.Tags?.find((t) => t.Key === "Name")?.Value ?? v.VolumeId ?? "";

/**
 * Volumes by ARN from their regions' listings (the run's pairing cache, shared with the other
 * types that pair from region-wide lists): a volume the list lacks is not found, a listing that
 * fails fails its ARNs.
 */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, Volume | Error>> {
  const result = new Map<string, Volume | Error>();
  await Promise.all(
    arns.map(async (arn) => {
      const text = formatArn(arn);
      const cache = pairingCache(aws, arn.region, arn.account || undefined);
      try {
        const found = (await cache.list(VOLUMES)).get(arn.resourceId);
        const site = cache.site("EC2", "DescribeVolumes");
        const missing = `not found: EBS volume ${arn.resourceId} in ${arn.region}`;
        result.set(text, found ?? new NotFoundError(missing, site, "InvalidVolume.NotFound", undefined));
      } catch (err) {
        result.set(text, err as Error);
      }
    }),
  );
  return result;
}

const base = { type: "ebs-volume", title: "EBS volume", owns: ownsVolume, describe, nameOf: volumeName };

export const ebsVolumePairing: PairKind<Volume> = { ...base, tagged: taggedThroughTaggingApi(base) };

export { ownsVolume };
