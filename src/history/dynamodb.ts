import { ops } from "../aws/services.js";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { gunzipSync, gzipSync } from "node:zlib";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import { DrctlError } from "../errors.js";
import type { ChangeSignal } from "../core/changes.js";
import { changeKey } from "./changes.js";
import type { HistoryStore, RunHeader, RunKind, StoredRun } from "./types.js";

/**
 * The cloud history: one DynamoDB table, keys PK and SK (strings), TTL attribute expiresAt.
 *
 *   PK              SK                     what
 *   RUN#<id>        CHUNK#0000 ...         the gzipped result, in chunks under the 400 KB item limit
 *   RUN#<id>        HEADER                 id, kind, times, pairs, counts, chunks
 *   KIND#<kind>     <startedAt>#<id>       the same header, for listing newest first
 *   CHANGES         <recordedAt>#<hash>    a change AWS reported between runs (kept 31 days)
 *
 * Chunks are written first and the listing item last, each with a condition that the item does
 * not exist yet, so a listed run is always complete and a run id is never overwritten. Reading
 * pages the chunk query (a Query answers at most 1 MB) and checks the chunks against the count
 * the header records, so a run reads back whole or is reported as incomplete, never truncated.
 */
export const DYNAMODB_PERMISSIONS = ops("DynamoDB", "PutItem", "GetItem", "Query", "BatchWriteItem");

/** Changes older than this expire: the rolling sweep (scan.fullEvery is at most 30 days) has re-read every pair by then. */
const CHANGE_RETENTION_SECONDS = 31 * 86_400;

const CHUNK_BYTES = 300 * 1024;
const chunkKey = (i: number) => `CHUNK#${String(i).padStart(4, "0")}`;

/** A stored run that cannot be read back whole (chunks missing, or a body that does not unpack). */
export class IncompleteRunError extends DrctlError {}

export class DynamoDbHistory implements HistoryStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly aws: AwsClients,
    readonly table: string,
    readonly region: string,
    private readonly retentionDays = 90,
  ) {
    this.doc = DynamoDBDocumentClient.from(aws.get(DynamoDBClient, region));
  }

  get description(): string {
    return `DynamoDB table ${this.table} in ${this.region}`;
  }

  private fail(operation: string, err: unknown): never {
    throw mapAwsError(err, {
      service: "DynamoDB",
      operation: `${operation} on table ${this.table}`,
      region: this.region,
    });
  }

  async save(run: StoredRun): Promise<void> {
    const { result, ...header } = run;
    const body = gzipSync(JSON.stringify(result));
    const chunks = Math.max(1, Math.ceil(body.length / CHUNK_BYTES));
    const expiresAt = Math.floor(Date.now() / 1000) + this.retentionDays * 86400;
    const put = (Item: Record<string, unknown>) =>
      this.doc
        .send(
          new PutCommand({
            TableName: this.table,
            Item: { ...Item, expiresAt },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        )
        .catch((err: unknown) => this.fail("PutItem", err));
    for (let i = 0; i < chunks; i++) {
      await put({
        PK: `RUN#${run.id}`,
        SK: chunkKey(i),
        data: body.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
      });
    }
    await put({ PK: `RUN#${run.id}`, SK: "HEADER", ...header, chunks });
    await put({ PK: `KIND#${run.kind}`, SK: `${run.startedAt}#${run.id}`, ...header, chunks });
  }

  /** Every item of a query, following LastEvaluatedKey until `enough` items are in. */
  private async queryAll(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], "ExclusiveStartKey">,
    enough = Infinity,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc
        .send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }))
        .catch((err: unknown) => this.fail("Query", err));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && items.length < enough);
    return items;
  }

  async list(options: { kind?: RunKind; limit?: number } = {}): Promise<RunHeader[]> {
    const kinds: RunKind[] = options.kind ? [options.kind] : ["scan", "freshness", "runbook", "drill"];
    const limit = options.limit ?? 50;
    const all: RunHeader[] = [];
    for (const kind of kinds) {
      const items = await this.queryAll(
        {
          TableName: this.table,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": `KIND#${kind}` },
          ScanIndexForward: false,
          Limit: limit,
        },
        limit,
      );
      all.push(...items.slice(0, limit).map(toHeader));
    }
    return all.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const head = await this.doc
      .send(
        new GetCommand({
          TableName: this.table,
          Key: { PK: `RUN#${id}`, SK: "HEADER" },
          ConsistentRead: true,
        }),
      )
      .catch((err: unknown) => this.fail("GetItem", err));
    if (!head.Item) return undefined;
    const parts = await this.queryAll({
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :c)",
      ExpressionAttributeValues: { ":pk": `RUN#${id}`, ":c": "CHUNK#" },
      ConsistentRead: true,
    });
    const expected = Number(head.Item.chunks);
    const where = `run ${id} in ${this.description}`;
    if (!Number.isInteger(expected) || expected < 1)
      throw new IncompleteRunError(`${where} cannot be read: its header records no chunk count`);
    const found = new Set(parts.map((p) => String(p.SK)));
    const missing = Array.from({ length: expected }, (_, i) => chunkKey(i)).filter((k) => !found.has(k));
    if (parts.length !== expected || missing.length > 0)
      throw new IncompleteRunError(
        `${where} is incomplete: its header records ${expected} chunks, ${parts.length} were found${missing.length > 0 ? ` (missing ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""})` : ""}; it was left as it is`,
      );
    const body = Buffer.concat(parts.map((i) => Buffer.from(i.data as Uint8Array)));
    let result: unknown;
    try {
      result = JSON.parse(gunzipSync(body).toString("utf8"));
    } catch (err) {
      throw new IncompleteRunError(
        `${where} cannot be read: its body does not unpack (${(err as Error).message})`,
        {
          cause: err,
        },
      );
    }
    return { ...toHeader(head.Item), result } as StoredRun;
  }

  async recordChanges(changes: readonly ChangeSignal[]): Promise<void> {
    // Keyed by when it was recorded: a change delivered late is still after the run that missed it.
    // A change delivered twice is read twice, which re-reads its pairs once.
    const recordedAt = new Date().toISOString();
    const items = [...new Map(changes.map((c) => [changeKey(c), c])).entries()].map(([key, c]) => ({
      PutRequest: {
        Item: {
          PK: "CHANGES",
          SK: `${recordedAt}#${key.split("#").pop() ?? key}`,
          change: JSON.stringify({ ...c, recordedAt }),
          expiresAt: Math.floor(Date.parse(recordedAt) / 1000) + CHANGE_RETENTION_SECONDS,
        },
      },
    }));
    for (let i = 0; i < items.length; i += 25) {
      let pending: typeof items | undefined = items.slice(i, i + 25);
      // Unprocessed items (throttling) are sent again; the SDK's retries space the attempts.
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt === 8)
          this.fail("BatchWriteItem", new Error("items stayed unprocessed after 8 attempts"));
        const out = await this.doc
          .send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }))
          .catch((err: unknown) => this.fail("BatchWriteItem", err));
        pending = out.UnprocessedItems?.[this.table] as typeof items | undefined;
      }
    }
  }

  async changesSince(since: string, limit = 100_000): Promise<ChangeSignal[]> {
    const items = await this.queryAll(
      {
        TableName: this.table,
        KeyConditionExpression: "PK = :pk AND SK >= :since",
        ExpressionAttributeValues: { ":pk": "CHANGES", ":since": since },
        ConsistentRead: true,
      },
      limit,
    );
    return items.slice(0, limit).map((i) => JSON.parse(String(i.change)) as ChangeSignal);
  }

  close(): void {
    // clients belong to AwsClients
  }

  /** Creates the table (tests and first-time set-up; the CDK app creates it in a deployment). */
  static async createTable(aws: AwsClients, table: string, region: string): Promise<void> {
    const client = aws.get(DynamoDBClient, region);
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "PK", AttributeType: "S" },
          { AttributeName: "SK", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    );
  }
}

function toHeader(item: Record<string, unknown>): RunHeader {
  return {
    id: String(item.id),
    kind: item.kind as RunKind,
    startedAt: String(item.startedAt),
    finishedAt: String(item.finishedAt),
    pairs: Number(item.pairs),
    counts: item.counts as RunHeader["counts"],
  };
}
