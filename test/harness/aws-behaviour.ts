/**
 * What AWS does that the emulator (moto 5.2) does not, supplied between the SDK and moto by the
 * test proxy, so product code meets AWS-shaped state. Product code never sees this file.
 *
 * - DynamoDB global tables: moto accepts UpdateTable's ReplicaUpdates and ignores them. `replicate`
 *   creates the replica table in its region as AWS would, and DescribeTable of either side then
 *   lists both as Replicas (version 2019.11.21), with the status the test sets.
 * - Copies: moto's CopyImage and CopyDBSnapshot do not report where a copy came from. The proxy
 *   remembers each copy request and adds AWS's SourceImageId/SourceImageRegion and
 *   SourceRegion/SourceDBSnapshotIdentifier/OriginalSnapshotCreateTime to the descriptions.
 * - Age: moto stamps creation times with now. `backdate` makes an image's or a snapshot's creation
 *   time what the test says, as it would be for a copy made days ago.
 * - Replication: moto replicates neither items nor objects. The canary replicator copies canary
 *   writes to the standby after a delay the test sets, and records when each became visible.
 * - Metrics: moto publishes no AWS/* metrics; `putMetric` records a data point as the service would.
 * - Provisioned concurrency: moto has no such API; every function is listed with none, as AWS
 *   lists a function without any.
 * - S3 replication: moto reports every rule's DeleteMarkerReplication as Disabled; the proxy
 *   reports what PutBucketReplication set, as S3 does.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { AwsClients } from "../../src/aws/client-factory.js";
import { clearPromotedReplicaSource, noProvisionedConcurrency } from "./moto-workarounds.js";
import { FaultProxy, NO_FAULTS, type RequestInfo } from "./fault-proxy.js";

type Rewrite = (request: string, response: string, info: RequestInfo) => string;

export class AwsBehaviour {
  /** "region|table" -> the replicas of that table, region and status. */
  private readonly replicas = new Map<string, { region: string; status: string }[]>();
  /** image id (the copy) -> its source. */
  private readonly imageSources = new Map<string, { id: string; region: string }>();
  /** snapshot id (the copy) -> its source. */
  private readonly snapshotSources = new Map<string, { arn: string; region: string }>();
  /** image or snapshot id -> the creation time to report. */
  private readonly backdated = new Map<string, Date>();
  private replicators: CanaryReplicator[] = [];
  private readonly instanceStatus = new Map<string, string>();
  /** "bucket|rule id" -> the DeleteMarkerReplication status PutBucketReplication set. */
  private readonly deleteMarkers = new Map<string, string>();
  private readonly promoted = clearPromotedReplicaSource();
  /** Told of every request that went through, after the emulator answered it (a drill's ground truth). */
  private readonly observers: ((request: string, info: RequestInfo) => void)[] = [];

  constructor(private readonly aws: AwsClients) {}

  /** A proxy in front of `endpoint` that applies this and the emulator workarounds. */
  proxy(endpoint: string): Promise<FaultProxy> {
    return FaultProxy.start(endpoint, {
      ...NO_FAULTS,
      rewrite: this.rewrite,
      intercept: noProvisionedConcurrency,
    });
  }

  /**
   * Makes `table` of `region` a global table with a replica in `replicaRegion`: the replica table
   * is created there with the same keys, as AWS does, and both list each other as replicas.
   */
  async replicate(table: string, region: string, replicaRegion: string, status = "ACTIVE"): Promise<void> {
    const source = await this.aws
      .get(DynamoDBClient, region)
      .send(new DescribeTableCommand({ TableName: table }));
    const t = source.Table;
    await this.aws.get(DynamoDBClient, replicaRegion).send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: t?.KeySchema,
        AttributeDefinitions: t?.AttributeDefinitions,
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    // A global table streams new and old images in every region: AWS turns it on at the source.
    if (!t?.StreamSpecification?.StreamEnabled)
      await this.aws.get(DynamoDBClient, region).send(
        new UpdateTableCommand({
          TableName: table,
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        }),
      );
    this.replicas.set(`${region}|${table}`, [{ region: replicaRegion, status }]);
    this.replicas.set(`${replicaRegion}|${table}`, [{ region, status }]);
  }

  /** The status AWS would report for a replica (CREATING, INACCESSIBLE_ENCRYPTION_CREDENTIALS, ...). */
  setReplicaStatus(table: string, region: string, replicaRegion: string, status: string): void {
    const list = this.replicas.get(`${region}|${table}`) ?? [];
    for (const r of list) if (r.region === replicaRegion) r.status = status;
  }

  /** Reports DB instance `id` in the status AWS would (stopped, storage-full, ...). */
  setInstanceStatus(id: string, status: string): void {
    this.instanceStatus.set(id, status);
  }

  /** Reports `id` (an image or snapshot) as created at `at`. */
  backdate(id: string, at: Date): void {
    this.backdated.set(id, at);
  }

  /** Copies canary writes (items of `table`, objects under `prefix` of `bucket`) after a delay. */
  replicateCanary(options: ConstructorParameters<typeof CanaryReplicator>[1]): CanaryReplicator {
    const r = new CanaryReplicator(this.aws, options);
    this.replicators = [r];
    return r;
  }

  /** One more replication beside those running (the other way of a global table: standby to primary). */
  alsoReplicateCanary(options: ConstructorParameters<typeof CanaryReplicator>[1]): CanaryReplicator {
    const r = new CanaryReplicator(this.aws, options);
    this.replicators.push(r);
    return r;
  }

  /** Calls `see` with every request after the emulator answered it (the time a change took effect). */
  observe(see: (request: string, info: RequestInfo) => void): void {
    this.observers.push(see);
  }

  /** Records a data point as the AWS service would publish it. */
  async putMetric(
    region: string,
    metric: {
      namespace: string;
      name: string;
      dimensions: Record<string, string>;
      value: number;
      minutesAgo?: number;
    },
  ): Promise<void> {
    await this.aws.get(CloudWatchClient, region).send(
      new PutMetricDataCommand({
        Namespace: metric.namespace,
        MetricData: [
          {
            MetricName: metric.name,
            // In the order drctl reads them: the emulator matches dimensions in order.
            Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Value: metric.value,
            Timestamp: new Date(Date.now() - (metric.minutesAgo ?? 1) * 60_000),
          },
        ],
      }),
    );
  }

  private readonly rewrite: Rewrite = (request, response, info) => {
    for (const see of this.observers) see(request, info);
    let out = this.promoted(request, response);
    const action = new URLSearchParams(request).get("Action");
    if (info.target === "DynamoDB_20120810.DescribeTable")
      out = this.describeTable(request, out, info.region);
    for (const r of this.replicators) {
      if (info.target === "DynamoDB_20120810.PutItem") r.sawItem(request, info.region);
      if (info.method === "PUT") r.sawObject(info.path, request, info.region);
    }
    if (action === "CopyImage") {
      const params = new URLSearchParams(request);
      const id = /<imageId>([^<]+)<\/imageId>/.exec(out)?.[1];
      if (id)
        this.imageSources.set(id, {
          id: params.get("SourceImageId") ?? "",
          region: params.get("SourceRegion") ?? "",
        });
    }
    if (action === "DescribeImages") out = this.describeImages(out);
    if (action === "CopyDBSnapshot") {
      const params = new URLSearchParams(request);
      const id = /<DBSnapshotIdentifier>([^<]+)<\/DBSnapshotIdentifier>/.exec(out)?.[1];
      const source = params.get("SourceDBSnapshotIdentifier") ?? "";
      if (id) this.snapshotSources.set(id, { arn: source, region: source.split(":")[3] ?? "" });
    }
    if (action === "DescribeDBSnapshots") out = this.describeSnapshots(out);
    if (/[?&]replication(=|&|$)/.test(info.path)) out = this.replicationConfig(info, request, out);
    if (action === "DescribeDBInstances" && this.instanceStatus.size > 0)
      out = out.replace(/<DBInstance>[\s\S]*?<\/DBInstance>/g, (block) => {
        const id = /<DBInstanceIdentifier>([^<]+)<\/DBInstanceIdentifier>/.exec(block)?.[1] ?? "";
        const status = this.instanceStatus.get(id);
        return status
          ? block.replace(
              /<DBInstanceStatus>[^<]*<\/DBInstanceStatus>/,
              `<DBInstanceStatus>${status}</DBInstanceStatus>`,
            )
          : block;
      });
    return out;
  };

  private replicationConfig(info: RequestInfo, request: string, response: string): string {
    const bucket = decodeURIComponent(info.path.split("?")[0]?.split("/")[1] ?? "");
    const rules = (xml: string) => xml.match(/<Rule>[\s\S]*?<\/Rule>/g) ?? [];
    const idOf = (rule: string) => /<ID>([^<]*)<\/ID>/.exec(rule)?.[1] ?? "";
    const statusOf = (rule: string) =>
      /<DeleteMarkerReplication>\s*<Status>([^<]*)<\/Status>/.exec(rule)?.[1];
    if (info.method === "PUT")
      for (const r of rules(request)) {
        const status = statusOf(r);
        if (status) this.deleteMarkers.set(`${bucket}|${idOf(r)}`, status);
      }
    if (info.method !== "GET") return response;
    return response.replace(/<Rule>[\s\S]*?<\/Rule>/g, (r) => {
      const status = this.deleteMarkers.get(`${bucket}|${idOf(r)}`);
      return status
        ? r.replace(/(<DeleteMarkerReplication>\s*<Status>)[^<]*(<\/Status>)/, `$1${status}$2`)
        : r;
    });
  }

  private describeTable(request: string, response: string, region: string): string {
    const name = (JSON.parse(request) as { TableName?: string }).TableName ?? "";
    const replicas = this.replicas.get(`${region}|${name}`);
    if (!replicas) return response;
    const body = JSON.parse(response) as { Table?: Record<string, unknown> };
    if (!body.Table) return response;
    body.Table.GlobalTableVersion = "2019.11.21";
    body.Table.Replicas = replicas.map((r) => ({ RegionName: r.region, ReplicaStatus: r.status }));
    return JSON.stringify(body);
  }

  private describeImages(response: string): string {
    return mapItems(response, "imagesSet", (block) => {
      const id = /<imageId>([^<]+)<\/imageId>/.exec(block)?.[1] ?? "";
      let b = block;
      const source = this.imageSources.get(id);
      if (source)
        b = b.replace(
          `<imageId>${id}</imageId>`,
          `<imageId>${id}</imageId><sourceImageId>${source.id}</sourceImageId><sourceImageRegion>${source.region}</sourceImageRegion>`,
        );
      const at = this.backdated.get(id);
      if (at)
        b = b.replace(
          /<creationDate>[^<]*<\/creationDate>/,
          `<creationDate>${at.toISOString()}</creationDate>`,
        );
      return b;
    });
  }

  private describeSnapshots(response: string): string {
    return response.replace(/<DBSnapshot>[\s\S]*?<\/DBSnapshot>/g, (block) => {
      const id = /<DBSnapshotIdentifier>([^<]+)<\/DBSnapshotIdentifier>/.exec(block)?.[1] ?? "";
      let b = block;
      const at = this.backdated.get(id);
      const source = this.snapshotSources.get(id);
      if (at)
        b = b.replace(
          /<SnapshotCreateTime>[^<]*<\/SnapshotCreateTime>/,
          `<SnapshotCreateTime>${at.toISOString()}</SnapshotCreateTime>`,
        );
      if (source) {
        const original = this.backdated.get(source.arn.split(":").at(-1) ?? "") ?? at;
        b = b.replace(
          "</DBSnapshot>",
          `<SourceRegion>${source.region}</SourceRegion><SourceDBSnapshotIdentifier>${source.arn}</SourceDBSnapshotIdentifier></DBSnapshot>`,
        );
        if (original)
          b = /<OriginalSnapshotCreateTime>/.test(b)
            ? b.replace(
                /<OriginalSnapshotCreateTime>[^<]*<\/OriginalSnapshotCreateTime>/,
                `<OriginalSnapshotCreateTime>${original.toISOString()}</OriginalSnapshotCreateTime>`,
              )
            : b.replace(
                "</DBSnapshot>",
                `<OriginalSnapshotCreateTime>${original.toISOString()}</OriginalSnapshotCreateTime></DBSnapshot>`,
              );
      }
      return b;
    });
  }
}

/**
 * Replication of canary markers, as DynamoDB global tables and S3 replication would do it, after
 * `delayMs` (or never, with `delayMs` Infinity): each copy is written to the standby when the
 * delay has passed, and the time it became visible there is recorded as the ground truth.
 */
export class CanaryReplicator {
  /**
   * Marker key -> when it was written to the primary, and when the copy to the standby was sent
   * (from then on a read may see it), in ms since the epoch.
   */
  readonly visible = new Map<string, { written: number; visible: number }>();
  /** Copies the emulator refused (it stopped before a delay had passed). */
  readonly failed: unknown[] = [];
  /** From this time on (ms since the epoch) nothing more is copied: the primary region is lost. */
  private cut: number | undefined;
  /** Copies scheduled or being written, and who waits for there to be none. */
  private pending = 0;
  private idle: (() => void)[] = [];

  /** Resolves once no copy is due or in flight (a test waits for this, never for a duration). */
  settled(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }

  constructor(
    private readonly aws: AwsClients,
    private readonly options: {
      delayMs: number;
      table?: { name: string; region: string; replicaRegion: string };
      bucket?: {
        name: string;
        region: string;
        destination: string;
        destinationRegion: string;
        prefix: string;
      };
    },
  ) {}

  sawItem(request: string, region: string): void {
    const t = this.options.table;
    const body = JSON.parse(request) as { TableName?: string; Item?: Record<string, unknown> };
    if (!t || body.TableName !== t.name || region !== t.region || !body.Item) return;
    const item = body.Item;
    this.after(JSON.stringify(item), async () => {
      await this.aws
        .get(DynamoDBClient, t.replicaRegion)
        .send(new PutItemCommand({ TableName: t.name, Item: item as never }));
    });
  }

  sawObject(path: string, body: string, region: string): void {
    const b = this.options.bucket;
    const prefix = `/${b?.name ?? ""}/${b?.prefix ?? ""}`;
    if (!b || region !== b.region || !path.startsWith(prefix)) return;
    const key = decodeURIComponent(path.slice(b.name.length + 2).split("?")[0] ?? "");
    this.after(key, async () => {
      await this.aws
        .get(S3Client, b.destinationRegion)
        .send(new PutObjectCommand({ Bucket: b.destination, Key: key, Body: body }));
    });
  }

  /** Stops replication at `at`: what would become visible later never does (a region lost). */
  cutAt(at: number): void {
    this.cut = at;
  }

  /**
   * The ground-truth RPO at `at`: `at` minus the write time of the newest marker whose copy was
   * visible by then (undefined when none was).
   */
  truthAt(at: number, keys: (key: string) => boolean = () => true): number | undefined {
    const seen = [...this.visible].filter(([k, v]) => keys(k) && v.visible <= at).map(([, v]) => v.written);
    return seen.length ? (at - Math.max(...seen)) / 1000 : undefined;
  }

  private after(key: string, copy: () => Promise<void>): void {
    const written = Date.now();
    if (!Number.isFinite(this.options.delayMs)) return;
    this.pending++;
    const done = () => {
      if (--this.pending === 0) for (const r of this.idle.splice(0)) r();
    };
    setTimeout(() => {
      if (this.cut !== undefined && Date.now() > this.cut) return done();
      this.visible.set(key, { written, visible: Date.now() });
      // A copy due after the test's emulator stopped fails; it is kept here, never left unhandled.
      copy()
        .catch((err: unknown) => this.failed.push(err))
        .finally(done);
    }, this.options.delayMs);
  }
}

/** Applies `map` to each top-level <item> of `<container>` (items nest: block device mappings, tags). */
function mapItems(xml: string, container: string, map: (item: string) => string): string {
  const open = xml.indexOf(`<${container}>`);
  const close = xml.lastIndexOf(`</${container}>`);
  if (open < 0 || close < 0) return xml;
  const inner = xml.slice(open + container.length + 2, close);
  let out = "";
  let depth = 0;
  let start = -1;
  const tag = /<(\/?)item>/g;
  let last = 0;
  for (let m = tag.exec(inner); m; m = tag.exec(inner)) {
    if (m[1] === "") {
      if (depth === 0) {
        out += inner.slice(last, m.index);
        start = m.index;
      }
      depth++;
    } else {
      depth--;
      if (depth === 0 && start >= 0) {
        out += map(inner.slice(start, m.index + m[0].length));
        last = m.index + m[0].length;
        start = -1;
      }
    }
  }
  out += inner.slice(last);
  return xml.slice(0, open + container.length + 2) + out + xml.slice(close);
}
