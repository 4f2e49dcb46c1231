import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { hostname } from "node:os";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode, mapAwsError } from "../aws/errors.js";
import { DrctlError } from "../errors.js";
import { lockHeld, type Journal, type RunRecord, type StepRecord, type StepResult } from "./journal.js";

/**
 * The journal in the history's DynamoDB table (keys PK, SK), for runs in the cloud:
 *
 *   PK                   SK                     what
 *   LOCK#<application>   LOCK                   the run holding the application (conditional put)
 *   JOURNAL#<run>        RUN                    the run
 *   JOURNAL#<run>        STEP#<step>            each step, with seq for the order
 *   JOURNAL#<run>        APPROVAL#<step>        an operator's approval (first one kept)
 *   JOURNALS             <startedAt>#<run>      listing, newest first
 */
export const DYNAMODB_JOURNAL_PERMISSIONS = [
  "dynamodb:PutItem",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
];

const conditionFailed = (err: unknown) => awsErrorCode(err) === "ConditionalCheckFailedException";

export class DynamoDbJournal implements Journal {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    aws: AwsClients,
    readonly table: string,
    readonly region: string,
    private readonly holder = `pid ${process.pid} on ${hostname()}`,
  ) {
    this.doc = DynamoDBDocumentClient.from(aws.get(DynamoDBClient, region), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  get description(): string {
    return `journal in DynamoDB table ${this.table} (${this.region})`;
  }

  private async send<T>(
    operation: string,
    call: (doc: DynamoDBDocumentClient) => Promise<unknown>,
  ): Promise<T> {
    try {
      return (await call(this.doc)) as T;
    } catch (err) {
      if (conditionFailed(err)) throw err;
      throw mapAwsError(err, {
        service: "DynamoDB",
        operation: `${operation} on table ${this.table}`,
        region: this.region,
      });
    }
  }

  async lock(application: string, runId: string, takeOverFrom?: string): Promise<void> {
    try {
      await this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              PK: `LOCK#${application}`,
              SK: "LOCK",
              runId,
              holder: this.holder,
              acquiredAt: new Date().toISOString(),
            },
            // Free, ours already (a resume), or the run a failback undoes.
            ConditionExpression: "attribute_not_exists(PK) OR runId = :me OR runId = :from",
            ExpressionAttributeValues: { ":me": runId, ":from": takeOverFrom ?? runId },
          }),
        ),
      );
    } catch (err) {
      if (!conditionFailed(err)) throw err;
      const held = await this.send<{ Item?: Record<string, string> }>("GetItem", (doc) =>
        doc.send(
          new GetCommand({
            TableName: this.table,
            Key: { PK: `LOCK#${application}`, SK: "LOCK" },
            ConsistentRead: true,
          }),
        ),
      );
      throw lockHeld(application, {
        runId: held.Item?.runId ?? "?",
        holder: held.Item?.holder ?? "?",
        at: held.Item?.acquiredAt ?? "?",
      });
    }
  }

  async unlock(application: string, runId: string): Promise<void> {
    try {
      await this.send("DeleteItem", (doc) =>
        doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { PK: `LOCK#${application}`, SK: "LOCK" },
            ConditionExpression: "runId = :me",
            ExpressionAttributeValues: { ":me": runId },
          }),
        ),
      );
    } catch (err) {
      // Not ours (taken over by a failback) or already gone: nothing to release.
      if (!conditionFailed(err)) throw err;
    }
  }

  async startRun(run: Omit<RunRecord, "finishedAt" | "status">, stepIds: string[]): Promise<void> {
    const put = (Item: Record<string, unknown>) =>
      this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({ TableName: this.table, Item, ConditionExpression: "attribute_not_exists(PK)" }),
        ),
      );
    await put({ PK: `JOURNAL#${run.runId}`, SK: "RUN", ...run, status: "running" });
    for (const [seq, stepId] of stepIds.entries())
      await put({
        PK: `JOURNAL#${run.runId}`,
        SK: `STEP#${stepId}`,
        stepId,
        seq,
        status: "pending",
        attempts: 0,
        outputs: "{}",
      });
    // Listed last: a listed run is complete.
    await put({ PK: "JOURNALS", SK: `${run.startedAt}#${run.runId}`, runId: run.runId });
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    const out = await this.send<{ Item?: Record<string, unknown> }>("GetItem", (doc) =>
      doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { PK: `JOURNAL#${runId}`, SK: "RUN" },
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    const i = out.Item;
    return {
      runId: String(i.runId),
      runbook: String(i.runbook),
      file: String(i.file),
      application: String(i.application),
      hash: String(i.hash),
      startedAt: String(i.startedAt),
      finishedAt: (i.finishedAt as string | undefined) ?? null,
      status: i.status as RunRecord["status"],
    };
  }

  async runs(): Promise<RunRecord[]> {
    const ids: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send<{
        Items?: { runId: string }[];
        LastEvaluatedKey?: Record<string, unknown>;
      }>("Query", (doc) =>
        doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": "JOURNALS" },
            ScanIndexForward: false,
            ExclusiveStartKey,
          }),
        ),
      );
      ids.push(...(page.Items ?? []).map((i) => i.runId));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const runs = await Promise.all(ids.map((id) => this.run(id)));
    return runs.filter((r): r is RunRecord => r !== undefined);
  }

  async steps(runId: string): Promise<StepRecord[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send<{
        Items?: Record<string, unknown>[];
        LastEvaluatedKey?: Record<string, unknown>;
      }>("Query", (doc) =>
        doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :step)",
            ExpressionAttributeValues: { ":pk": `JOURNAL#${runId}`, ":step": "STEP#" },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((i) => ({
        stepId: String(i.stepId),
        status: i.status as StepRecord["status"],
        startedAt: (i.startedAt as string | undefined) ?? null,
        finishedAt: (i.finishedAt as string | undefined) ?? null,
        attempts: Number(i.attempts ?? 0),
        outputs: JSON.parse((i.outputs as string | undefined) ?? "{}") as Record<string, string>,
        error: (i.error as string | undefined) ?? null,
        plan: (i.plan as string | undefined) ?? null,
        inputs: i.inputs ? (JSON.parse(i.inputs as string) as Record<string, unknown>) : null,
      }));
  }

  private async update(
    runId: string,
    sk: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    await this.send("UpdateItem", (doc) =>
      doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: `JOURNAL#${runId}`, SK: sk },
          UpdateExpression: expression,
          // Every name through a placeholder: several (plan, status) are reserved words.
          ExpressionAttributeNames: Object.fromEntries(
            [...new Set(expression.match(/#\w+/g) ?? [])].map((n) => [n, n.slice(1)]),
          ),
          ExpressionAttributeValues: values,
          ConditionExpression: "attribute_exists(PK)",
        }),
      ),
    );
  }

  stepStarted(runId: string, stepId: string, plan: string, continuing = false): Promise<void> {
    if (continuing)
      return this.update(runId, `STEP#${stepId}`, "SET #status = :s, #plan = :p REMOVE #finishedAt, #error", {
        ":s": "running",
        ":p": plan,
      });
    return this.update(
      runId,
      `STEP#${stepId}`,
      "SET #status = :s, #startedAt = :t, #plan = :p, #attempts = #attempts + :one REMOVE #finishedAt, #error",
      { ":s": "running", ":t": new Date().toISOString(), ":p": plan, ":one": 1 },
    );
  }

  stepPlanned(runId: string, stepId: string, plan: string, inputs: unknown): Promise<void> {
    return this.update(runId, `STEP#${stepId}`, "SET #plan = :p, #inputs = :i", {
      ":p": plan,
      ":i": JSON.stringify(inputs),
    });
  }

  stepFinished(runId: string, stepId: string, result: StepResult): Promise<void> {
    return this.update(
      runId,
      `STEP#${stepId}`,
      "SET #status = :s, #finishedAt = :t, #outputs = :o, #error = :e",
      {
        ":s": result.status,
        ":t": new Date().toISOString(),
        ":o": JSON.stringify(result.status === "succeeded" ? result.outputs : {}),
        ":e": result.status === "succeeded" ? null : result.error,
      },
    );
  }

  finishRun(runId: string, status: "succeeded" | "failed"): Promise<void> {
    return this.update(runId, "RUN", "SET #status = :s, #finishedAt = :t", {
      ":s": status,
      ":t": new Date().toISOString(),
    });
  }

  async approve(runId: string, stepId: string, by: string): Promise<void> {
    const step = await this.send<{ Item?: unknown }>("GetItem", (doc) =>
      doc.send(
        new GetCommand({ TableName: this.table, Key: { PK: `JOURNAL#${runId}`, SK: `STEP#${stepId}` } }),
      ),
    );
    if (!step.Item) throw new DrctlError(`run ${runId} has no step ${stepId}`, { exitCode: 2 });
    try {
      await this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { PK: `JOURNAL#${runId}`, SK: `APPROVAL#${stepId}`, by, at: new Date().toISOString() },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        ),
      );
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }

  async approval(runId: string, stepId: string): Promise<{ by: string; at: string } | undefined> {
    const out = await this.send<{ Item?: { by: string; at: string } }>("GetItem", (doc) =>
      doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { PK: `JOURNAL#${runId}`, SK: `APPROVAL#${stepId}` },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? { by: out.Item.by, at: out.Item.at } : undefined;
  }

  close(): void {
    // The client belongs to AwsClients.
  }
}
