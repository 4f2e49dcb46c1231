import {
  GetBucketLocationCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  paginateListBuckets,
  S3Client,
  type ReplicationRule,
} from "@aws-sdk/client-s3";
import { awsErrorCode, mapAwsError } from "../../aws/errors.js";
import type { RegionCache, RegionList } from "../../aws/region-cache.js";

/** A bucket as freshness needs it: where it is, whether it is versioned, what it replicates. */
export interface Bucket {
  name: string;
  region: string;
  versioning: "Enabled" | "Suspended" | "Off";
  replication: { role: string; rules: ReplicationRule[] } | null;
}

/** us-east-1's location is written as nothing, and EU as the old name of eu-west-1. */
const locationRegion = (constraint: string | undefined) =>
  !constraint ? "us-east-1" : constraint === "EU" ? "eu-west-1" : constraint;

/**
 * Every bucket of the account (the list is global), each with its region, versioning and
 * replication: three calls a bucket, as S3 has no batch form of them.
 */
export const BUCKETS: RegionList<Bucket> = {
  name: "s3-buckets",
  service: "S3",
  operation: "ListBuckets/GetBucketLocation/GetBucketVersioning/GetBucketReplication",
  async *pages(cache: RegionCache) {
    const client = cache.client(S3Client);
    for await (const page of paginateListBuckets({ client }, { MaxBuckets: 1000 }))
      yield await Promise.all(
        (page.Buckets ?? []).map(async (b): Promise<Bucket> => {
          const name = b.Name ?? "";
          const site = (op: string) => cache.site("S3", `${op} of ${name}`);
          const region =
            b.BucketRegion ??
            locationRegion(
              (
                await client.send(new GetBucketLocationCommand({ Bucket: name })).catch((err: unknown) => {
                  throw mapAwsError(err, site("GetBucketLocation"));
                })
              ).LocationConstraint,
            );
          const [versioning, replication] = await Promise.all([
            client.send(new GetBucketVersioningCommand({ Bucket: name })).catch((err: unknown) => {
              throw mapAwsError(err, site("GetBucketVersioning"));
            }),
            client.send(new GetBucketReplicationCommand({ Bucket: name })).then(
              (out) => out.ReplicationConfiguration,
              (err: unknown) => {
                if (awsErrorCode(err) === "ReplicationConfigurationNotFoundError") return undefined;
                throw mapAwsError(err, site("GetBucketReplication"));
              },
            ),
          ]);
          return {
            name,
            region,
            versioning: versioning.Status ?? "Off",
            replication: replication
              ? { role: replication.Role ?? "", rules: replication.Rules ?? [] }
              : null,
          };
        }),
      );
  },
  key: (b) => b.name,
};
