import { ops } from "../aws/services.js";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AwsClients } from "../aws/client-factory.js";
import { awsErrorCode, mapAwsError } from "../aws/errors.js";

/** What a trigger records when it starts a run: enough to start it again if it was not started. */
export interface TriggerClaim {
  runId: string;
  alarm: string;
  claimedAt: string;
  /** Until when alarms for the same application start no other run. */
  until: string;
  /** The execution's input, as JSON. */
  input: string;
  /** Set once the execution has started. */
  executionArn?: string;
}

export const TRIGGER_WINDOW_PERMISSIONS = ops("DynamoDB", "PutItem", "GetItem", "UpdateItem");

/**
 * One item per application in the history's DynamoDB table (PK TRIGGER#<application>, SK WINDOW):
 * the run the last alarm started and until when later alarms count as duplicates. Claimed with a
 * conditional write, so two alarms arriving at once start one run between them.
 */
export class TriggerWindows {
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

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (awsErrorCode(err) === "ConditionalCheckFailedException") throw err;
      throw mapAwsError(err, {
        service: "DynamoDB",
        operation: `${operation} on table ${this.table}`,
        region: this.region,
      });
    }
  }

  /** Takes the application's window for `claim`, or returns the claim that holds it. */
  claim(
    application: string,
    claim: TriggerClaim,
    now: Date,
  ): Promise<{ claimed: true } | { claimed: false; holder: TriggerClaim }> {
    return this.claimKey({ PK: `TRIGGER#${application}`, SK: "WINDOW" }, claim, now);
  }

  /**
   * Takes one firing of a schedule (PK SCHEDULE#<name>, SK its time) for `claim`: a firing that
   * EventBridge delivers twice starts one run. Its own items: a scheduled run never takes an
   * application's alarm window, so it never keeps an alarm from starting a failover.
   */
  claimFiring(
    schedule: string,
    time: string,
    claim: TriggerClaim,
    now: Date,
  ): Promise<{ claimed: true } | { claimed: false; holder: TriggerClaim }> {
    return this.claimKey({ PK: `SCHEDULE#${schedule}`, SK: time }, claim, now);
  }

  /** Records that a schedule's firing started its run (as `executionArn`). */
  firingStarted(schedule: string, time: string, runId: string, executionArn: string): Promise<void> {
    return this.startedKey({ PK: `SCHEDULE#${schedule}`, SK: time }, runId, executionArn);
  }

  private async claimKey(
    key: { PK: string; SK: string },
    claim: TriggerClaim,
    now: Date,
  ): Promise<{ claimed: true } | { claimed: false; holder: TriggerClaim }> {
    const untilMs = Date.parse(claim.until);
    try {
      await this.send("PutItem", () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...key,
              ...claim,
              untilMs,
              // The table's TTL removes the item a day after its window closed.
              expiresAt: Math.floor(untilMs / 1000) + 86400,
            },
            ConditionExpression: "attribute_not_exists(PK) OR untilMs < :now",
            ExpressionAttributeValues: { ":now": now.getTime() },
          }),
        ),
      );
      return { claimed: true };
    } catch (err) {
      if (awsErrorCode(err) !== "ConditionalCheckFailedException") throw err;
      const held = await this.send("GetItem", () =>
        this.doc.send(
          new GetCommand({
            TableName: this.table,
            Key: key,
            ConsistentRead: true,
          }),
        ),
      );
      const item = (held.Item ?? {}) as Partial<TriggerClaim>;
      return {
        claimed: false,
        holder: {
          runId: item.runId ?? "?",
          alarm: item.alarm ?? "?",
          claimedAt: item.claimedAt ?? "?",
          until: item.until ?? "?",
          input: item.input ?? "{}",
          ...(item.executionArn ? { executionArn: item.executionArn } : {}),
        },
      };
    }
  }

  /** Records that the claim's run has started (as `executionArn`). */
  started(application: string, runId: string, executionArn: string): Promise<void> {
    return this.startedKey({ PK: `TRIGGER#${application}`, SK: "WINDOW" }, runId, executionArn);
  }

  private async startedKey(
    key: { PK: string; SK: string },
    runId: string,
    executionArn: string,
  ): Promise<void> {
    try {
      await this.send("UpdateItem", () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: "SET executionArn = :arn",
            ConditionExpression: "runId = :run",
            ExpressionAttributeValues: { ":arn": executionArn, ":run": runId },
          }),
        ),
      );
    } catch (err) {
      // A later window already replaced this one: its run has started anyway.
      if (awsErrorCode(err) !== "ConditionalCheckFailedException") throw err;
    }
  }
}
