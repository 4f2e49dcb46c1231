import { ops } from "../aws/services.js";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { join } from "node:path";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../aws/errors.js";
import { InputError } from "../errors.js";
import { writeFileAtomic } from "../util/files.js";
import type { SiteFile } from "./site.js";

export const PUBLISH_PERMISSIONS = ops(
  "S3",
  "PutObject",
  "HeadBucket",
  "CreateBucket",
  "PutPublicAccessBlock",
  "PutBucketWebsite",
);

/**
 * Writes the site into `dir`. Every file appears whole or not at all (a reader of the site, or a
 * web server in front of the folder, never sees half a page); the index last, so it links only to
 * pages already there. Files are 0644 and folders 0755: they are meant to be served.
 */
export function writeSiteToFolder(dir: string, files: SiteFile[]): string {
  const ordered = [
    ...files.filter((f) => f.path !== "index.html"),
    ...files.filter((f) => f.path === "index.html"),
  ];
  for (const f of ordered)
    writeFileAtomic(join(dir, ...f.path.split("/")), f.body, { mode: 0o644, dirMode: 0o755 });
  return join(dir, "index.html");
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match)
    throw new InputError(
      `publish target ${JSON.stringify(url)}: expected s3://BUCKET[/PREFIX] with a valid bucket name`,
    );
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  return { bucket: match[1] ?? "", prefix: prefix ? `${prefix}/` : "" };
}

/**
 * Uploads the site to a bucket, private: no ACL is ever set, and a bucket drctl creates gets every
 * public-access block. Website hosting is configured only when asked (it still needs a policy
 * or CloudFront in front to be reachable; drctl never makes objects public). Every call names the
 * account that must own the bucket (`ExpectedBucketOwner`, the caller's own unless given): a
 * bucket of that name in someone else's account is refused by S3, so reports never land there.
 */
export async function publishToS3(
  aws: AwsClients,
  region: string,
  url: string,
  files: SiteFile[],
  options: { website: boolean; expectedOwner?: string },
): Promise<string> {
  const { bucket, prefix } = parseS3Url(url);
  const s3 = aws.get(S3Client, region);
  const owner = options.expectedOwner ?? (await callerAccount(aws, region));
  const ExpectedBucketOwner = owner;
  const site = (operation: string) => ({
    service: "S3",
    operation: `${operation} s3://${bucket}/${prefix}`,
    region,
  });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner }));
  } catch (err) {
    const mapped = mapAwsError(err, site("HeadBucket"));
    if (!(mapped instanceof NotFoundError)) throw mapped;
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === "us-east-1"
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      );
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          ExpectedBucketOwner,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      );
    } catch (createErr) {
      throw mapAwsError(createErr, site("CreateBucket"));
    }
  }
  for (const f of files) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          ExpectedBucketOwner,
          Key: `${prefix}${f.path}`,
          Body: f.body,
          ContentType: f.contentType,
          CacheControl: f.path.startsWith("runs/") ? "max-age=86400" : "no-cache",
        }),
      );
    } catch (err) {
      throw mapAwsError(err, {
        ...site("PutObject"),
        operation: `PutObject s3://${bucket}/${prefix}${f.path}`,
      });
    }
  }
  if (options.website) {
    try {
      await s3.send(
        new PutBucketWebsiteCommand({
          Bucket: bucket,
          ExpectedBucketOwner,
          WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" } },
        }),
      );
    } catch (err) {
      throw mapAwsError(err, site("PutBucketWebsite"));
    }
  }
  return `s3://${bucket}/${prefix}index.html`;
}

/** The account of the credentials in use (STS GetCallerIdentity needs no permission). */
async function callerAccount(aws: AwsClients, region: string): Promise<string> {
  try {
    const out = await aws.get(STSClient, region).send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new Error("GetCallerIdentity returned no account");
    return out.Account;
  } catch (err) {
    throw mapAwsError(err, { service: "STS", operation: "GetCallerIdentity", region });
  }
}
