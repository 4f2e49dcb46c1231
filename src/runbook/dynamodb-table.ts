import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode, mapAwsError } from "../aws/errors.js";

/**
 * Reading and writing the journal's DynamoDB table: consistent reads, paged queries, and the
 * errors of conditional writes and transactions told apart from the rest (which are mapped to
 * drctl's errors, naming the table and region).
 */
export const conditionFailed = (err: unknown) => awsErrorCode(err) === "ConditionalCheckFailedException";
export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** TransactWriteItems takes at most 100 items; one is the fence's condition check. */
export const TRANSACTION_ITEMS = 99;

/** Why each item of a cancelled transaction failed ("None" for those that did not), or undefined. */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (awsErrorCode(err) !== "TransactionCanceledException") return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (reasons ?? []).map((r) => r.Code ?? "None");
}

/** A write that met another in flight on the same item (the lease renewed during a fenced write). */
export const conflicted = (err: unknown) =>
  awsErrorCode(err) === "TransactionConflictException" ||
  (cancellationReasons(err)?.includes("TransactionConflict") ?? false);

/** Runs `call` again (a few times, briefly) while it conflicts with a concurrent write. */
export async function retryConflicts<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 5 || !conflicted(err)) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 20));
    }
  }
}

export const parse = <T>(text: unknown, fallback: T): T => {
  if (typeof text !== "string" || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** A DynamoDB table the journal keeps its items in (keys PK, SK). */
export class DynamoDbTable {
  protected readonly doc: DynamoDBDocumentClient;

  constructor(
    aws: AwsClients,
    readonly table: string,
    readonly region: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(aws.get(DynamoDBClient, region), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  protected async send<T>(
    operation: string,
    call: (doc: DynamoDBDocumentClient) => Promise<unknown>,
  ): Promise<T> {
    try {
      return (await call(this.doc)) as T;
    } catch (err) {
      if (conditionFailed(err) || cancellationReasons(err) || conflicted(err)) throw err;
      throw mapAwsError(err, {
        service: "DynamoDB",
        operation: `${operation} on table ${this.table}`,
        region: this.region,
      });
    }
  }

  protected get(Key: Item): Promise<{ Item?: Item }> {
    return this.send("GetItem", (doc) =>
      doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true })),
    );
  }

  protected async query(pk: string, prefix?: string, newestFirst = false): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Item }>("Query", (doc) =>
        doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: prefix ? "PK = :pk AND begins_with(SK, :p)" : "PK = :pk",
            ExpressionAttributeValues: { ":pk": pk, ...(prefix ? { ":p": prefix } : {}) },
            ConsistentRead: true,
            ScanIndexForward: !newestFirst,
            ExclusiveStartKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}
