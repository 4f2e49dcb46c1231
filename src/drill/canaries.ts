import { ops } from "../aws/services.js";
/**
 * A drill's write canaries: a marker written every interval into a store the application
 * replicates, from before the fault until it, then read on the side that took over. The stores
 * are those of the freshness canary (a DynamoDB global table, a replicated bucket's prefix, both
 * written with its primitives in src/freshness/canary.ts), or commands that write and read a
 * marker where drctl cannot (a SQL database). Markers are named after the drill and removed on
 * both sides at its end, and after a crash by its resume.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetBucketReplicationCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode } from "../aws/errors.js";
import type { DrctlConfig } from "../config/schema.js";
import {
  deleteMarkerItems,
  markerItemsPresent,
  markerObjectsPresent,
  putMarkerItem,
  putMarkerObject,
  removeMarkerObjects,
} from "../freshness/canary.js";
import { InputError } from "../errors.js";
import type { CanaryWrite } from "./measure.js";
import type { DrillCanary, DrillFile } from "./schema.js";

export type CanarySide = "primary" | "standby";

/** The IAM actions a drill's canaries need (in addition to the drill's own reads). */
export const DRILL_CANARY_PERMISSIONS = [
  ...ops("DynamoDB", "DescribeTable", "PutItem", "BatchGetItem", "DeleteItem"),
  ...ops(
    "S3",
    "PutObject",
    "HeadBucket",
    "ListObjectsV2",
    "ListObjectVersions",
    "DeleteObject",
    "GetBucketReplication",
  ),
];

export interface CanaryStore {
  name: string;
  intervalSeconds: number;
  /** What it writes and where it reads, for the plan. */
  describe: string;
  /** Whether the standby's writes come back to the primary (a failback's RPO can be measured). */
  bothWays: boolean;
  marker(seq: number): string;
  write(side: CanarySide, seq: number, at: number): Promise<void>;
  /** The markers of this drill readable on `side` (of those given). */
  present(side: CanarySide, markers: readonly string[]): Promise<Set<string>>;
  /** Removes the drill's markers on both sides (`upTo`: the highest sequence number that may exist). */
  remove(upTo: number): Promise<void>;
  /**
   * Why the standby has no copy to read the markers from, naming the store and the region
   * (undefined: it has one). Checked before the drill starts: without it the RPO is not measured.
   */
  standbyCopy(): Promise<string | undefined>;
  /** The ARNs of the store and of its copy in the standby, where drctl knows them without a call. */
  arns?: { primaryArn: string; standbyArn: string | null };
}

/** `missing` when the read fails with one of `codes` (the store is not there), else undefined; other errors thrown. */
async function missingAs(
  read: Promise<unknown>,
  codes: string[],
  missing: string,
): Promise<string | undefined> {
  try {
    await read;
    return undefined;
  } catch (err) {
    if (codes.includes(awsErrorCode(err))) return `${missing} (${errorMessage(err)})`;
    throw err;
  }
}

/** Runs a shell command with `env`; its exit code and standard output. */
export function shell(
  command: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      signal: AbortSignal.timeout(timeoutMs),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-400)));
    child.on("error", (err) => reject(new Error(`could not run ${command}: ${err.message}`)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

/** An error as one line: the AWS error code first where there is one. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const code = awsErrorCode(err);
  return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}

/** The stores of a drill file's canaries (drctl.yaml's freshness.canary for `freshness:` ones). */
export async function canaryStores(
  aws: AwsClients,
  drill: DrillFile,
  drillId: string,
  config: Pick<DrctlConfig, "freshness">,
  file: string,
): Promise<CanaryStore[]> {
  const { primary, standby } = drill.regions;
  const out: CanaryStore[] = [];
  for (const c of drill.canaries) {
    const interval = c.interval ?? drill.probe.interval;
    out.push(await storeOf(aws, c, interval, drillId, primary, standby, config, file));
  }
  return out;
}

async function storeOf(
  aws: AwsClients,
  c: DrillCanary,
  interval: number,
  drillId: string,
  primary: string,
  standby: string,
  config: Pick<DrctlConfig, "freshness">,
  file: string,
): Promise<CanaryStore> {
  const canary = config.freshness.canary;
  if (c.freshness === "table") {
    if (!canary?.table)
      throw new InputError(
        `${file}: canary ${c.name} names freshness: table, but drctl.yaml has no freshness.canary.table`,
      );
    return dynamodbStore(
      aws,
      c.name,
      interval,
      drillId,
      canary.table.name,
      canary.table.key,
      canary.table.region,
      standby,
    );
  }
  if (c.freshness === "bucket") {
    if (!canary?.bucket)
      throw new InputError(
        `${file}: canary ${c.name} names freshness: bucket, but drctl.yaml has no freshness.canary.bucket`,
      );
    const b = canary.bucket;
    const rules = await aws
      .get(S3Client, b.region)
      .send(new GetBucketReplicationCommand({ Bucket: b.name }))
      .then((r) => r.ReplicationConfiguration?.Rules ?? [])
      .catch(() => []);
    const destination = rules
      .map((r) => r.Destination?.Bucket?.replace(/^arn:[^:]+:s3:::/, ""))
      .find((d): d is string => Boolean(d));
    if (!destination)
      throw new InputError(
        `${file}: canary ${c.name}: bucket ${b.name} has no replication rule naming a destination`,
      );
    return s3Store(aws, c.name, interval, drillId, b.name, b.region, b.prefix, destination, standby, false);
  }
  if (c.dynamodb)
    return dynamodbStore(aws, c.name, interval, drillId, c.dynamodb.table, c.dynamodb.key, primary, standby);
  if (c.s3)
    return s3Store(
      aws,
      c.name,
      interval,
      drillId,
      c.s3.bucket,
      primary,
      c.s3.prefix,
      c.s3.standbyBucket,
      standby,
      false,
    );
  const cmd = c.command;
  if (!cmd) throw new InputError(`${file}: canary ${c.name}: expected dynamodb, s3, command or freshness`);
  return commandStore(c.name, cmd, interval, drillId, primary, standby);
}

/** A canary whose commands write, read and remove its markers (a store drctl has no adapter for). */
function commandStore(
  name: string,
  cmd: NonNullable<DrillCanary["command"]>,
  interval: number,
  drillId: string,
  primary: string,
  standby: string,
): CanaryStore {
  const env = (side: CanarySide) => ({
    DRCTL_SIDE: side,
    DRCTL_REGION: side === "primary" ? primary : standby,
    DRCTL_MARKER_PREFIX: `drctl-${drillId}-${name}-`,
  });
  const timeout = cmd.timeout * 1000;
  return {
    name,
    intervalSeconds: interval,
    describe: `command canary ${name}: writes with \`${cmd.write}\`, reads with \`${cmd.read}\``,
    bothWays: true,
    marker: (seq) => `drctl-${drillId}-${name}-${seq}`,
    async write(side, seq, at) {
      const r = await shell(
        cmd.write,
        {
          ...env(side),
          DRCTL_MARKER: `drctl-${drillId}-${name}-${seq}`,
          DRCTL_WRITTEN_AT: new Date(at).toISOString(),
        },
        timeout,
      );
      if (r.code !== 0)
        throw new Error(`the write command exited ${r.code}${r.stderr ? `: ${lastLine(r.stderr)}` : ""}`);
    },
    async present(side, markers) {
      const r = await shell(cmd.read, env(side), timeout);
      if (r.code !== 0)
        throw new Error(`the read command exited ${r.code}${r.stderr ? `: ${lastLine(r.stderr)}` : ""}`);
      const seen = new Set(r.stdout.split("\n").map((l) => l.trim()));
      return new Set(markers.filter((m) => seen.has(m)));
    },
    async remove() {
      if (!cmd.remove) return;
      for (const side of ["primary", "standby"] as const) await shell(cmd.remove, env(side), timeout);
    },
    // Its read command says what it can read; a standby it cannot read fails the drill's reading.
    standbyCopy: () => Promise.resolve(undefined),
  };
}

function dynamodbStore(
  aws: AwsClients,
  name: string,
  interval: number,
  drillId: string,
  table: string,
  key: string,
  primary: string,
  standby: string,
): CanaryStore {
  const marker = (seq: number) => `drctl-drill#${drillId}#${name}#${seq}`;
  const region = (side: CanarySide) => (side === "primary" ? primary : standby);
  return {
    name,
    intervalSeconds: interval,
    describe: `items ${key}=drctl-drill#${drillId}#${name}#<n> in DynamoDB table ${table} (${primary}), read in ${standby}`,
    bothWays: true,
    marker,
    write: (side, seq, at) =>
      putMarkerItem(aws.get(DynamoDBClient, region(side)), table, key, marker(seq), {
        seq: String(seq),
        writtenAt: at,
        run: drillId,
      }),
    present: (side, markers) =>
      markerItemsPresent(aws.get(DynamoDBClient, region(side)), table, key, markers),
    async remove(upTo) {
      const all = Array.from({ length: upTo + 1 }, (_, i) => marker(i));
      for (const side of ["primary", "standby"] as const)
        await deleteMarkerItems(aws.get(DynamoDBClient, region(side)), table, key, all);
    },
    async standbyCopy() {
      const describe = (side: CanarySide) =>
        missingAs(
          aws.get(DynamoDBClient, region(side)).send(new DescribeTableCommand({ TableName: table })),
          ["ResourceNotFoundException"],
          `DynamoDB table ${table} has no copy in ${region(side)}`,
        );
      // A table missing in the primary too is a store that refuses writes: the baseline says so.
      if (await describe("primary")) return undefined;
      return describe("standby");
    },
  };
}

/** A bucket's ARN (a bucket's ARN names neither its region nor its account). */
const s3Arn = (region: string, bucket: string) =>
  `arn:${region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws"}:s3:::${bucket}`;

function s3Store(
  aws: AwsClients,
  name: string,
  interval: number,
  drillId: string,
  bucket: string,
  primary: string,
  prefix: string,
  standbyBucket: string,
  standby: string,
  bothWays: boolean,
): CanaryStore {
  const folder = `${prefix}${drillId}/`;
  const marker = (seq: number) => `${folder}${name}-${seq}.json`;
  const where = (side: CanarySide) =>
    side === "primary"
      ? { client: aws.get(S3Client, primary), bucket }
      : { client: aws.get(S3Client, standby), bucket: standbyBucket };
  return {
    name,
    intervalSeconds: interval,
    describe: `objects s3://${bucket}/${folder}${name}-<n>.json, read in s3://${standbyBucket}`,
    arns: { primaryArn: s3Arn(primary, bucket), standbyArn: s3Arn(standby, standbyBucket) },
    bothWays,
    marker,
    write: (side, seq, at) => {
      const w = where(side);
      return putMarkerObject(w.client, w.bucket, marker(seq), { seq: String(seq), writtenAt: at });
    },
    async present(side, markers) {
      const w = where(side);
      const there = await markerObjectsPresent(w.client, w.bucket, folder);
      return new Set(markers.filter((m) => there.has(m)));
    },
    async remove() {
      for (const side of ["primary", "standby"] as const) {
        const w = where(side);
        await removeMarkerObjects(w.client, w.bucket, folder);
      }
    },
    standbyCopy: () =>
      missingAs(
        aws.get(S3Client, standby).send(new HeadBucketCommand({ Bucket: standbyBucket })),
        ["NotFound", "NoSuchBucket"],
        `S3 bucket ${standbyBucket} (the copy of ${bucket}) does not exist in ${standby}`,
      ),
  };
}

/**
 * Writes a marker every interval on one side until stopped. Before writing the markers of each
 * block of ten, `reserve` is told the highest sequence number that may then exist (the journal
 * keeps it, so a resumed drill removes every marker a killed one wrote).
 */
export class CanaryWriter {
  readonly writes: CanaryWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private seq: number;

  constructor(
    private readonly store: CanaryStore,
    private readonly side: CanarySide,
    firstSeq: number,
    private readonly reserve: (upTo: number) => Promise<void>,
  ) {
    this.seq = firstSeq;
  }

  /** The next sequence number (a writer for another phase starts there). */
  get nextSeq(): number {
    return this.seq;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.busy = this.busy.then(() => this.writeOne());
      this.timer = setTimeout(tick, this.store.intervalSeconds * 1000);
    };
    tick();
  }

  private async writeOne(): Promise<void> {
    if (this.stopped) return;
    const seq = this.seq++;
    if (seq % 10 === 0) await this.reserve(seq + 9).catch(() => undefined);
    const at = Date.now();
    try {
      await this.store.write(this.side, seq, at);
      this.writes.push({
        canary: this.store.name,
        marker: this.store.marker(seq),
        seq,
        side: this.side,
        at: Date.now(),
        ok: true,
      });
    } catch (err) {
      this.writes.push({
        canary: this.store.name,
        marker: this.store.marker(seq),
        seq,
        side: this.side,
        at: Date.now(),
        ok: false,
        error: errorMessage(err),
      });
    }
  }

  /** Stops writing; resolves once the write in flight has been answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
  }
}
