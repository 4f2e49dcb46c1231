/**
 * CloudWatch alarm state changes as they reach a Lambda: SNS notifications of an alarm action
 * (the message is the alarm's JSON), or EventBridge "CloudWatch Alarm State Change" events.
 */

export interface AlarmChange {
  name: string;
  state: string;
  reason: string;
  /** When the alarm changed state (ISO 8601). */
  at: string;
  region: string;
  account: string;
  /** Where it came from: the SNS message id or the event id, for the log. */
  source: string;
}

export interface ParsedAlarms {
  changes: AlarmChange[];
  /** Records that are not alarm state changes, each with what was expected and where. */
  problems: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** Region names in SNS alarm messages are long ("US East (N. Virginia)"); the ARN has the code. */
const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";

function fromSnsMessage(raw: string, where: string): AlarmChange | string {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return `${where}: expected the JSON of a CloudWatch alarm notification, got text starting "${raw.slice(0, 40)}"`;
  }
  if (
    !isObject(message) ||
    typeof message.AlarmName !== "string" ||
    typeof message.NewStateValue !== "string"
  )
    return `${where}: expected a CloudWatch alarm notification with AlarmName and NewStateValue`;
  const arn = text(message.AlarmArn);
  return {
    name: message.AlarmName,
    state: message.NewStateValue,
    reason: text(message.NewStateReason),
    at: text(message.StateChangeTime) || new Date().toISOString(),
    region: regionOfArn(arn) || text(message.Region),
    account: text(message.AWSAccountId) || (arn.split(":")[4] ?? ""),
    source: where,
  };
}

function fromEventBridge(event: Record<string, unknown>): AlarmChange | string {
  const detail = isObject(event.detail) ? event.detail : {};
  const state = isObject(detail.state) ? detail.state : {};
  if (typeof detail.alarmName !== "string" || typeof state.value !== "string")
    return `event ${text(event.id)}: expected detail.alarmName and detail.state.value`;
  return {
    name: detail.alarmName,
    state: state.value,
    reason: text(state.reason),
    at: text(state.timestamp) || text(event.time) || new Date().toISOString(),
    region: text(event.region),
    account: text(event.account),
    source: `event ${text(event.id)}`,
  };
}

/** Every alarm change in `event`; whatever is not one is a problem, and the rest still counts. */
export function parseAlarmEvent(event: unknown): ParsedAlarms {
  const changes: AlarmChange[] = [];
  const problems: string[] = [];
  const add = (r: AlarmChange | string) => (typeof r === "string" ? problems.push(r) : changes.push(r));
  if (isObject(event) && Array.isArray(event.Records)) {
    event.Records.forEach((record: unknown, i) => {
      const sns = isObject(record) && isObject(record.Sns) ? record.Sns : undefined;
      if (!sns || typeof sns.Message !== "string") {
        problems.push(`Records[${i}]: expected an SNS record with Sns.Message`);
        return;
      }
      add(fromSnsMessage(sns.Message, `Records[${i}] (SNS message ${text(sns.MessageId)})`));
    });
  } else if (isObject(event) && event["detail-type"] === "CloudWatch Alarm State Change") {
    add(fromEventBridge(event));
  } else {
    problems.push(
      "expected an SNS event (Records[].Sns) or an EventBridge CloudWatch Alarm State Change event",
    );
  }
  return { changes, problems };
}
