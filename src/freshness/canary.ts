import { ops } from "../aws/services.js";
/**
 * A write canary: instead of inferring from metrics, write a marker (a sequence number and the
 * time) into the primary store, read the standby until it is there, and take the difference. Only
 * with --execute, only into the table or bucket prefix drctl.yaml names for canaries, and the
 * markers are removed afterwards. The lag is known to within one poll interval; a marker that
 * never arrives is reported as "at least the timeout", never as a number that was not seen.
 */
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { awsErrorCode } from "../aws/errors.js";
import type { AwsClients } from "../aws/client-factory.js";
import type { DrctlConfig } from "../config/schema.js";
import { formatDuration } from "../util/duration.js";
import type { Measurement, Protection } from "../datastores/type.js";

export const CANARY_PERMISSIONS = [
  ...ops("DynamoDB", "PutItem", "GetItem", "DeleteItem"),
  ...ops("S3", "PutObject", "HeadObject", "ListObjectVersions", "DeleteObject"),
];

export type CanaryConfig = NonNullable<DrctlConfig["freshness"]["canary"]>;

/** What a canary did or would do, for the output (a dry run lists the writes it would make). */
export interface CanaryPlan {
  store: string;
  writes: string;
  reads: string;
}

export interface Canary {
  /** The protections it measures, and how (the plan of a dry run). */
  plans: CanaryPlan[];
  /** The measurement of a protection it covers, written and read now (undefined: not a canary store). */
  measure(p: Protection): Promise<Measurement> | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `seen` every `pollMs` until it is true or `timeoutMs` passed since `writtenAt`: the lag,
 * from the write to the first read that saw it, or undefined at the timeout.
 */
async function until(
  seen: () => Promise<boolean>,
  writtenAt: number,
  pollMs: number,
  timeoutMs: number,
): Promise<number | undefined> {
  for (;;) {
    const at = Date.now();
    if (await seen()) return (at - writtenAt) / 1000;
    if (at - writtenAt >= timeoutMs) return undefined;
    await sleep(Math.max(0, Math.min(pollMs - (Date.now() - at), writtenAt + timeoutMs - Date.now())));
  }
}

function measurement(
  lag: number | undefined,
  c: CanaryConfig,
  what: { writes: string; reads: string },
): Measurement {
  const measuredBy = `a canary: a marker written to ${what.writes}, read from ${what.reads} every ${formatDuration(c.poll)}`;
  if (lag === undefined)
    return {
      exposureSeconds: c.timeout,
      atLeast: true,
      resolutionSeconds: c.poll,
      measuredBy,
      evidence: [{ what: "marker", value: `not in the standby after ${formatDuration(c.timeout)}` }],
    };
  return {
    exposureSeconds: lag,
    resolutionSeconds: c.poll,
    measuredBy,
    evidence: [
      {
        what: "marker seen in the standby after",
        value: `${lag.toFixed(1)} s (± ${formatDuration(c.poll)})`,
      },
    ],
  };
}

/** The canary of drctl.yaml's `freshness.canary`; `execute` false makes it a plan that writes nothing. */
export function canary(aws: AwsClients, c: CanaryConfig, runId: string, execute: boolean): Canary {
  const plans: CanaryPlan[] = [];
  const marker = { seq: String(Date.now()), run: runId };
  const table = c.table;
  const bucket = c.bucket;
  if (table)
    plans.push({
      store: table.name,
      writes: `item ${table.key}=drctl-canary#${runId} in ${table.name} (${table.region})`,
      reads: "the same item in each replica's region",
    });
  if (bucket)
    plans.push({
      store: bucket.name,
      writes: `object s3://${bucket.name}/${bucket.prefix}${runId}.json`,
      reads: "the same key in each replication destination",
    });
  return {
    plans,
    measure(p) {
      if (!execute || !p.standbyRegion) return undefined;
      if (
        table &&
        p.kind === "dynamodb-global-table" &&
        p.primary.name === table.name &&
        p.primary.region === table.region
      )
        return dynamodbCanary(aws, c, table, p.standbyRegion, marker);
      if (bucket && p.kind === "s3-replication" && p.primary.name === bucket.name && p.standbyArn)
        return s3Canary(
          aws,
          c,
          bucket,
          p.standbyArn.replace(/^arn:[^:]+:s3:::/, ""),
          p.standbyRegion,
          marker,
        );
      return undefined;
    },
  };
}

async function dynamodbCanary(
  aws: AwsClients,
  c: CanaryConfig,
  table: NonNullable<CanaryConfig["table"]>,
  standbyRegion: string,
  marker: { seq: string; run: string },
): Promise<Measurement> {
  const key = { [table.key]: { S: `drctl-canary#${marker.run}` } };
  const writtenAt = Date.now();
  await putMarkerItem(
    aws.get(DynamoDBClient, table.region),
    table.name,
    table.key,
    `drctl-canary#${marker.run}`,
    {
      seq: marker.seq,
      writtenAt,
    },
  );
  try {
    const lag = await until(
      async () =>
        (
          await aws
            .get(DynamoDBClient, standbyRegion)
            .send(new GetItemCommand({ TableName: table.name, Key: key }))
        ).Item !== undefined,
      writtenAt,
      c.poll * 1000,
      c.timeout * 1000,
    );
    return measurement(lag, c, {
      writes: `${table.name} in ${table.region}`,
      reads: `${table.name} in ${standbyRegion}`,
    });
  } finally {
    // Deleted where written: the deletion replicates like the write did.
    await aws
      .get(DynamoDBClient, table.region)
      .send(new DeleteItemCommand({ TableName: table.name, Key: key }));
  }
}

async function s3Canary(
  aws: AwsClients,
  c: CanaryConfig,
  bucket: NonNullable<CanaryConfig["bucket"]>,
  destination: string,
  standbyRegion: string,
  marker: { seq: string; run: string },
): Promise<Measurement> {
  const key = `${bucket.prefix}${marker.run}.json`;
  const writtenAt = Date.now();
  await aws.get(S3Client, bucket.region).send(
    new PutObjectCommand({
      Bucket: bucket.name,
      Key: key,
      Body: JSON.stringify({ seq: marker.seq, writtenAt: new Date(writtenAt).toISOString() }),
      ContentType: "application/json",
    }),
  );
  const standby = aws.get(S3Client, standbyRegion);
  try {
    const lag = await until(
      () =>
        standby.send(new HeadObjectCommand({ Bucket: destination, Key: key })).then(
          () => true,
          (err: unknown) => {
            if (["NotFound", "NoSuchKey", "404"].includes(awsErrorCode(err)) || awsErrorCode(err) === "")
              return false;
            throw err;
          },
        ),
      writtenAt,
      c.poll * 1000,
      c.timeout * 1000,
    );
    return measurement(lag, c, { writes: `s3://${bucket.name}/${key}`, reads: `s3://${destination}/${key}` });
  } finally {
    // Every version in both buckets: a versioned bucket keeps a deleted object otherwise.
    for (const [client, name] of [
      [aws.get(S3Client, bucket.region), bucket.name],
      [standby, destination],
    ] as const)
      await removeMarkerObjects(client, name, key, (k) => k === key);
  }
}

/*
 * Marker primitives, shared by the freshness canary above and drills (src/drill/canaries.ts),
 * which write a marker every interval before a fault and read which ones the standby has.
 */

/** Writes a marker item: `key` = `id`, with its sequence number and when it was written. */
export async function putMarkerItem(
  client: DynamoDBClient,
  table: string,
  key: string,
  id: string,
  marker: { seq: string; writtenAt: number; run?: string },
): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        [key]: { S: id },
        seq: { N: marker.seq },
        writtenAt: { S: new Date(marker.writtenAt).toISOString() },
        ...(marker.run ? { run: { S: marker.run } } : {}),
      },
    }),
  );
}

/** Which of the marker items `ids` the table has (read in batches of 100; unprocessed keys asked again). */
export async function markerItemsPresent(
  client: DynamoDBClient,
  table: string,
  key: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const present = new Set<string>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, { S: string }>[] | undefined = ids
      .slice(i, i + 100)
      .map((id) => ({ [key]: { S: id } }));
    for (let round = 0; keys && keys.length > 0 && round < 10; round++) {
      const out = await client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [table]: { Keys: keys, ProjectionExpression: "#k", ExpressionAttributeNames: { "#k": key } },
          },
        }),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const id = item[key]?.S;
        if (id) present.add(id);
      }
      keys = out.UnprocessedKeys?.[table]?.Keys as Record<string, { S: string }>[] | undefined;
    }
  }
  return present;
}

/** Deletes marker items (one call each; a missing item is no error). */
export async function deleteMarkerItems(
  client: DynamoDBClient,
  table: string,
  key: string,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids)
    await client.send(new DeleteItemCommand({ TableName: table, Key: { [key]: { S: id } } }));
}

/** Writes a marker object at `key`. */
export async function putMarkerObject(
  client: S3Client,
  bucket: string,
  key: string,
  marker: { seq: string; writtenAt: number },
): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify({ seq: marker.seq, writtenAt: new Date(marker.writtenAt).toISOString() }),
      ContentType: "application/json",
    }),
  );
}

/** The keys under `prefix` (every page). */
export async function markerObjectsPresent(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<Set<string>> {
  const present = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) present.add(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return present;
}

/** Deletes every version and delete marker under `prefix` that `keep` selects (default: all). */
export async function removeMarkerObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  select: (key: string) => boolean = () => true,
): Promise<void> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const versions = await client
      .send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      )
      .catch(() => undefined);
    if (!versions) return;
    for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])])
      if (v.Key && select(v.Key))
        await client
          .send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }))
          .catch(() => undefined);
    if (!versions.IsTruncated) return;
    keyMarker = versions.NextKeyMarker;
    versionMarker = versions.NextVersionIdMarker;
  }
}
