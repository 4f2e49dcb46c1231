import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode, mapAwsError } from "../aws/errors.js";
import { DrctlError } from "../errors.js";
import {
  JOURNAL_FORMAT,
  type Approval,
  type Decision,
  type Intent,
  type Journal,
  type LockOwner,
  type LockRecord,
  type NewRun,
  type NewStep,
  type RunEvent,
  type RunRecord,
  type RunStatus,
  type StepChange,
  type StepRecord,
} from "./journal.js";

/**
 * The journal in the history's DynamoDB table (keys PK, SK), for runs in the cloud:
 *
 *   PK                   SK                             what
 *   LOCK#<application>   LOCK                           the run holding the application, its owner and lease
 *   JOURNAL#<run>        RUN                            the run
 *   JOURNAL#<run>        STEP#<step>                    each step, with seq for the order
 *   JOURNAL#<run>        APPROVAL#<step>                an operator's approval (first one kept)
 *   JOURNAL#<run>        DECISION#<step>#<intent at>    a person's decision on a step in doubt
 *   JOURNAL#<run>        EVENT#<at>#<random>            what happened to the run (lock taken over, interrupted)
 *   JOURNALS             <startedAt>#<run>              listing, newest first
 *   LOCKS                <application>                  listing of the applications that were locked
 */
export const DYNAMODB_JOURNAL_PERMISSIONS = [
  "dynamodb:PutItem",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
];

const conditionFailed = (err: unknown) => awsErrorCode(err) === "ConditionalCheckFailedException";
type Item = Record<string, unknown>;

const parse = <T>(text: unknown, fallback: T): T => {
  if (typeof text !== "string" || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

export class DynamoDbJournal implements Journal {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    aws: AwsClients,
    readonly table: string,
    readonly region: string,
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

  private get(Key: Item): Promise<{ Item?: Item }> {
    return this.send("GetItem", (doc) =>
      doc.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true })),
    );
  }

  private async query(pk: string, prefix?: string, newestFirst = false): Promise<Item[]> {
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

  async lockOf(application: string): Promise<LockRecord | undefined> {
    const out = await this.get({ PK: `LOCK#${application}`, SK: "LOCK" });
    return out.Item ? lockOfItem(application, out.Item) : undefined;
  }

  async locks(): Promise<LockRecord[]> {
    const apps = (await this.query("LOCKS")).map((i) => String(i.SK));
    const found = await Promise.all(apps.map((a) => this.lockOf(a)));
    return found.filter((l): l is LockRecord => l !== undefined);
  }

  async putLock(lock: LockRecord, expected: LockRecord | undefined): Promise<boolean> {
    // The row is replaced only if it is still the one read: absent, or the same owner (or, for
    // rows of older versions without an owner, the same run and holder).
    const condition = !expected
      ? { ConditionExpression: "attribute_not_exists(PK)" }
      : expected.owner
        ? {
            ConditionExpression: "ownerToken = :t",
            ExpressionAttributeValues: { ":t": expected.owner.token },
          }
        : expected.acquiredAt
          ? {
              ConditionExpression: "runId = :r AND acquiredAt = :a",
              ExpressionAttributeValues: { ":r": expected.runId, ":a": expected.acquiredAt },
            }
          : {
              ConditionExpression: "runId = :r AND attribute_not_exists(acquiredAt)",
              ExpressionAttributeValues: { ":r": expected.runId },
            };
    try {
      await this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              PK: `LOCK#${lock.application}`,
              SK: "LOCK",
              runId: lock.runId,
              holder: lock.holder,
              acquiredAt: lock.acquiredAt,
              ...(lock.owner ? { owner: JSON.stringify(lock.owner), ownerToken: lock.owner.token } : {}),
              ...(lock.leaseUntil !== null ? { leaseUntil: lock.leaseUntil } : {}),
            },
            ...condition,
          }),
        ),
      );
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
    if (!expected)
      await this.send("PutItem", (doc) =>
        doc.send(new PutCommand({ TableName: this.table, Item: { PK: "LOCKS", SK: lock.application } })),
      );
    return true;
  }

  async renewLock(application: string, token: string, leaseUntil: number): Promise<boolean> {
    try {
      await this.send("UpdateItem", (doc) =>
        doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { PK: `LOCK#${application}`, SK: "LOCK" },
            UpdateExpression: "SET leaseUntil = :l",
            ConditionExpression: "ownerToken = :t",
            ExpressionAttributeValues: { ":l": leaseUntil, ":t": token },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
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

  async startRun(run: NewRun, steps: NewStep[]): Promise<void> {
    const put = (Item: Item) =>
      this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({ TableName: this.table, Item, ConditionExpression: "attribute_not_exists(PK)" }),
        ),
      );
    await put({
      PK: `JOURNAL#${run.runId}`,
      SK: "RUN",
      ...run,
      set: JSON.stringify(run.set),
      format: run.format ?? JOURNAL_FORMAT,
      status: "running",
    });
    for (const [seq, s] of steps.entries())
      await put({
        PK: `JOURNAL#${run.runId}`,
        SK: `STEP#${s.id}`,
        stepId: s.id,
        kind: s.kind,
        ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
        seq,
        status: "pending",
        attempts: 0,
        outputs: "{}",
      });
    // Listed last: a listed run is complete.
    await put({ PK: "JOURNALS", SK: `${run.startedAt}#${run.runId}`, runId: run.runId });
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    const out = await this.get({ PK: `JOURNAL#${runId}`, SK: "RUN" });
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
      status: i.status as RunStatus,
      format: Number(i.format ?? 1),
      set: parse<RunRecord["set"]>(i.set, {}),
      alarmAt: (i.alarmAt as string | undefined) ?? null,
      undoes: (i.undoes as string | undefined) ?? null,
    };
  }

  async runs(): Promise<RunRecord[]> {
    const ids = (await this.query("JOURNALS", undefined, true)).map((i) => String(i.runId));
    const runs = await Promise.all(ids.map((id) => this.run(id)));
    return runs.filter((r): r is RunRecord => r !== undefined);
  }

  async steps(runId: string): Promise<StepRecord[]> {
    return (await this.query(`JOURNAL#${runId}`, "STEP#"))
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((i) => ({
        stepId: String(i.stepId),
        kind: (i.kind as string | undefined) ?? null,
        status: i.status as StepRecord["status"],
        startedAt: (i.startedAt as string | undefined) ?? null,
        finishedAt: (i.finishedAt as string | undefined) ?? null,
        attempts: Number(i.attempts ?? 0),
        outputs: parse<Record<string, string>>(i.outputs, {}),
        error: (i.error as string | undefined) ?? null,
        plan: (i.plan as string | undefined) ?? null,
        inputs: parse<Record<string, unknown> | null>(i.inputs, null),
        intent: parse<Intent | null>(i.intent, null),
        ...(typeof i.fingerprint === "string" ? { fingerprint: i.fingerprint } : {}),
      }));
  }

  async updateStep(runId: string, stepId: string, change: StepChange): Promise<void> {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Item = {};
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) continue;
      if (value === null) remove.push(`#${key}`);
      else {
        set.push(`#${key} = :${key}`);
        values[`:${key}`] = typeof value === "object" ? JSON.stringify(value) : value;
      }
    }
    if (set.length + remove.length === 0) return;
    const expression = [
      set.length ? `SET ${set.join(", ")}` : "",
      remove.length ? `REMOVE ${remove.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    await this.update(runId, `STEP#${stepId}`, expression, values);
  }

  async updateRun(runId: string, change: { status: RunStatus; finishedAt: string | null }): Promise<void> {
    await this.update(
      runId,
      "RUN",
      change.finishedAt === null
        ? "SET #status = :status REMOVE #finishedAt"
        : "SET #status = :status, #finishedAt = :f",
      { ":status": change.status, ...(change.finishedAt === null ? {} : { ":f": change.finishedAt }) },
    );
  }

  private async update(runId: string, sk: string, expression: string, values: Item): Promise<void> {
    try {
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
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            ConditionExpression: "attribute_exists(PK)",
          }),
        ),
      );
    } catch (err) {
      if (conditionFailed(err))
        throw new DrctlError(
          `run ${runId} has no ${sk === "RUN" ? "record" : `step ${sk.replace(/^STEP#/, "")}`} in the ${this.description}`,
        );
      throw err;
    }
  }

  async addEvent(runId: string, what: string): Promise<void> {
    const at = new Date().toISOString();
    await this.send("PutItem", (doc) =>
      doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { PK: `JOURNAL#${runId}`, SK: `EVENT#${at}#${randomBytes(3).toString("hex")}`, at, what },
        }),
      ),
    );
  }

  async events(runId: string): Promise<RunEvent[]> {
    return (await this.query(`JOURNAL#${runId}`, "EVENT#")).map((i) => ({
      at: String(i.at),
      what: String(i.what),
    }));
  }

  private async knownStep(runId: string, stepId: string): Promise<void> {
    const step = await this.get({ PK: `JOURNAL#${runId}`, SK: `STEP#${stepId}` });
    if (!step.Item) throw new DrctlError(`run ${runId} has no step ${stepId}`, { exitCode: 2 });
  }

  private async putOnce(Item: Item): Promise<void> {
    try {
      await this.send("PutItem", (doc) =>
        doc.send(
          new PutCommand({ TableName: this.table, Item, ConditionExpression: "attribute_not_exists(PK)" }),
        ),
      );
    } catch (err) {
      if (!conditionFailed(err)) throw err;
    }
  }

  async approve(runId: string, stepId: string, by: string): Promise<void> {
    await this.knownStep(runId, stepId);
    await this.putOnce({
      PK: `JOURNAL#${runId}`,
      SK: `APPROVAL#${stepId}`,
      by,
      at: new Date().toISOString(),
    });
  }

  async approval(runId: string, stepId: string): Promise<Approval | undefined> {
    const out = await this.get({ PK: `JOURNAL#${runId}`, SK: `APPROVAL#${stepId}` });
    return out.Item ? { by: String(out.Item.by), at: String(out.Item.at) } : undefined;
  }

  async decide(
    runId: string,
    stepId: string,
    intentAt: string,
    decision: Decision,
    by: string,
  ): Promise<void> {
    await this.knownStep(runId, stepId);
    await this.putOnce({
      PK: `JOURNAL#${runId}`,
      SK: `DECISION#${stepId}#${intentAt}`,
      decision,
      by,
      at: new Date().toISOString(),
    });
  }

  async decision(
    runId: string,
    stepId: string,
    intentAt: string,
  ): Promise<(Approval & { decision: Decision }) | undefined> {
    const out = await this.get({ PK: `JOURNAL#${runId}`, SK: `DECISION#${stepId}#${intentAt}` });
    return out.Item
      ? { decision: out.Item.decision as Decision, by: String(out.Item.by), at: String(out.Item.at) }
      : undefined;
  }

  close(): void {
    // The client belongs to AwsClients.
  }
}

function lockOfItem(application: string, i: Item): LockRecord {
  const owner = parse<LockOwner | null>(i.owner, null);
  return {
    application,
    runId: typeof i.runId === "string" ? i.runId : "?",
    owner:
      owner &&
      typeof owner.token === "string" &&
      owner.token === i.ownerToken &&
      typeof owner.pid === "number"
        ? owner
        : null,
    holder: typeof i.holder === "string" ? i.holder : "",
    acquiredAt: typeof i.acquiredAt === "string" ? i.acquiredAt : "",
    leaseUntil: typeof i.leaseUntil === "number" ? i.leaseUntil : null,
  };
}
