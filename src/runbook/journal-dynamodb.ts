import { ops } from "../aws/services.js";
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { randomBytes } from "node:crypto";
import { mapAwsError } from "../aws/errors.js";
import {
  cancellationReasons,
  conditionFailed,
  DynamoDbTable,
  parse,
  retryConflicts,
  TRANSACTION_ITEMS,
  type Item,
  type TransactItem,
} from "./dynamodb-table.js";
import { lockOfItem, ownedCondition } from "./dynamodb-lock-item.js";
import { DrctlError } from "../errors.js";
import {
  JOURNAL_FORMAT,
  LeaseLostError,
  staleFence,
  type Approval,
  type Decision,
  type Fence,
  type Intent,
  type Journal,
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
 *   LOCK#<application>   LOCK                           the run holding the application, its owner, lease and generation
 *   JOURNAL#<run>        RUN                            the run
 *   JOURNAL#<run>        STEP#<step>                    each step, with seq for the order
 *   JOURNAL#<run>        APPROVAL#<step>                an operator's approval (first one kept)
 *   JOURNAL#<run>        DECISION#<step>#<intent at>    a person's decision on a step in doubt
 *   JOURNAL#<run>        EVENT#<at>#<random>            what happened to the run (lock taken over, interrupted)
 *   JOURNALS             <startedAt>#<run>              listing, newest first
 *   LOCKS                <application>                  listing of the applications that were locked
 */
export const DYNAMODB_JOURNAL_PERMISSIONS = ops(
  "DynamoDB",
  "PutItem",
  "GetItem",
  "Query",
  "UpdateItem",
  "DeleteItem",
  "TransactWriteItems",
);

export class DynamoDbJournal extends DynamoDbTable implements Journal {
  get description(): string {
    return `journal in DynamoDB table ${this.table} (${this.region})`;
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
        ? ownedCondition(expected, expected.owner.token)
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
              ...(lock.generation !== null ? { generation: lock.generation } : {}),
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

  async renewLock(
    application: string,
    token: string,
    leaseUntil: number,
    generation?: number,
  ): Promise<boolean> {
    try {
      await retryConflicts(() =>
        this.send("UpdateItem", (doc) =>
          doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { PK: `LOCK#${application}`, SK: "LOCK" },
              UpdateExpression: "SET leaseUntil = :l",
              ConditionExpression:
                generation === undefined ? "ownerToken = :t" : "ownerToken = :t AND generation = :g",
              ExpressionAttributeValues: {
                ":l": leaseUntil,
                ":t": token,
                ...(generation === undefined ? {} : { ":g": generation }),
              },
            }),
          ),
        ),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async unlock(application: string, runId: string, fence?: Fence): Promise<boolean> {
    try {
      await retryConflicts(() =>
        this.send("DeleteItem", (doc) =>
          doc.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { PK: `LOCK#${application}`, SK: "LOCK" },
              ConditionExpression: fence
                ? "runId = :me AND ownerToken = :t AND generation = :g"
                : "runId = :me",
              ExpressionAttributeValues: {
                ":me": runId,
                ...(fence ? { ":t": fence.token, ":g": fence.generation } : {}),
              },
            }),
          ),
        ),
      );
      return true;
    } catch (err) {
      // Not ours (taken over by a failback) or already gone: nothing to release.
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Writes `items` in transactions of at most 99, each with a condition check that `fence` is
   * still the lock: throws LeaseLostError (nothing of that transaction written) when it is not.
   * Returns the indexes of the items whose own condition failed.
   */
  private async fenced(items: TransactItem[], fence: Fence): Promise<number[]> {
    const check: TransactItem = {
      ConditionCheck: {
        TableName: this.table,
        Key: { PK: `LOCK#${fence.application}`, SK: "LOCK" },
        ConditionExpression: "ownerToken = :t AND generation = :g",
        ExpressionAttributeValues: { ":t": fence.token, ":g": fence.generation },
      },
    };
    const failed: number[] = [];
    for (let from = 0; from < items.length; from += TRANSACTION_ITEMS) {
      const chunk = items.slice(from, from + TRANSACTION_ITEMS);
      try {
        await retryConflicts(() =>
          this.send("TransactWriteItems", (doc) =>
            doc.send(new TransactWriteCommand({ TransactItems: [check, ...chunk] })),
          ),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.[0] === "ConditionalCheckFailed")
          throw new LeaseLostError(
            fence.application,
            staleFence(await this.lockOf(fence.application), fence) ?? "the lock changed during the write",
          );
        const own = (reasons ?? []).flatMap((r, i) =>
          i > 0 && r === "ConditionalCheckFailed" ? [from + i - 1] : [],
        );
        // Cancelled for something else than a condition (a conflict that outlasted the retries).
        if (own.length === 0)
          throw mapAwsError(err, {
            service: "DynamoDB",
            operation: `TransactWriteItems on table ${this.table}`,
            region: this.region,
          });
        failed.push(...own);
      }
    }
    return failed;
  }

  /** One item written, under `fence` if given: whether its own condition held. */
  private async writeItem(item: TransactItem, fence: Fence | undefined): Promise<boolean> {
    if (fence) return (await this.fenced([item], fence)).length === 0;
    try {
      const { Put, Update } = item;
      if (Put) await this.send("PutItem", (doc) => doc.send(new PutCommand(Put)));
      else if (Update) await this.send("UpdateItem", (doc) => doc.send(new UpdateCommand(Update)));
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async startRun(run: NewRun, steps: NewStep[], fence?: Fence): Promise<void> {
    const put = (Item: Item): TransactItem => ({
      Put: { TableName: this.table, Item, ConditionExpression: "attribute_not_exists(PK)" },
    });
    const items = [
      put({
        PK: `JOURNAL#${run.runId}`,
        SK: "RUN",
        ...run,
        set: JSON.stringify(run.set),
        format: run.format ?? JOURNAL_FORMAT,
        status: "running",
      }),
      ...steps.map((s, seq) =>
        put({
          PK: `JOURNAL#${run.runId}`,
          SK: `STEP#${s.id}`,
          stepId: s.id,
          kind: s.kind,
          ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
          seq,
          status: "pending",
          attempts: 0,
          outputs: "{}",
        }),
      ),
      // Listed last: a listed run is complete.
      put({ PK: "JOURNALS", SK: `${run.startedAt}#${run.runId}`, runId: run.runId }),
    ];
    if (fence) {
      if ((await this.fenced(items, fence)).length > 0)
        throw new DrctlError(`run ${run.runId} is already in the ${this.description}`);
      return;
    }
    for (const item of items)
      if (!(await this.writeItem(item, undefined)))
        throw new DrctlError(`run ${run.runId} is already in the ${this.description}`);
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

  async updateStep(runId: string, stepId: string, change: StepChange, fence?: Fence): Promise<void> {
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
    await this.update(runId, `STEP#${stepId}`, expression, values, fence);
  }

  async updateRun(
    runId: string,
    change: { status: RunStatus; finishedAt: string | null },
    fence?: Fence,
  ): Promise<void> {
    await this.update(
      runId,
      "RUN",
      change.finishedAt === null
        ? "SET #status = :status REMOVE #finishedAt"
        : "SET #status = :status, #finishedAt = :f",
      { ":status": change.status, ...(change.finishedAt === null ? {} : { ":f": change.finishedAt }) },
      fence,
    );
  }

  private async update(
    runId: string,
    sk: string,
    expression: string,
    values: Item,
    fence: Fence | undefined,
  ): Promise<void> {
    const updated = await this.writeItem(
      {
        Update: {
          TableName: this.table,
          Key: { PK: `JOURNAL#${runId}`, SK: sk },
          UpdateExpression: expression,
          // Every name through a placeholder: several (plan, status) are reserved words.
          ExpressionAttributeNames: Object.fromEntries(
            [...new Set(expression.match(/#\w+/g) ?? [])].map((n) => [n, n.slice(1)]),
          ),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
          ConditionExpression: "attribute_exists(PK)",
        },
      },
      fence,
    );
    if (!updated)
      throw new DrctlError(
        `run ${runId} has no ${sk === "RUN" ? "record" : `step ${sk.replace(/^STEP#/, "")}`} in the ${this.description}`,
      );
  }

  async addEvent(runId: string, what: string, fence?: Fence): Promise<void> {
    const at = new Date().toISOString();
    await this.writeItem(
      {
        Put: {
          TableName: this.table,
          Item: { PK: `JOURNAL#${runId}`, SK: `EVENT#${at}#${randomBytes(3).toString("hex")}`, at, what },
        },
      },
      fence,
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

  /** Writes the item unless there is one (the first one stands). */
  private async putOnce(Item: Item, fence?: Fence): Promise<void> {
    await this.writeItem(
      { Put: { TableName: this.table, Item, ConditionExpression: "attribute_not_exists(PK)" } },
      fence,
    );
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
    fence?: Fence,
  ): Promise<void> {
    await this.knownStep(runId, stepId);
    await this.putOnce(
      {
        PK: `JOURNAL#${runId}`,
        SK: `DECISION#${stepId}#${intentAt}`,
        decision,
        by,
        at: new Date().toISOString(),
      },
      fence,
    );
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
