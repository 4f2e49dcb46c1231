import { describe, expect, it } from "vitest";
import { parseAlarmEvent } from "./alarm-event.js";

const alarmMessage = {
  AlarmName: "web-5xx",
  AlarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-5xx",
  AWSAccountId: "123456789012",
  NewStateValue: "ALARM",
  NewStateReason: "Threshold Crossed",
  StateChangeTime: "2026-11-22T09:00:00.000+0000",
  Region: "EU (Ireland)",
};

describe("alarm events", () => {
  it("reads SNS notifications of alarm actions, taking the region code from the alarm's ARN", () => {
    const parsed = parseAlarmEvent({
      Records: [{ Sns: { MessageId: "m1", Message: JSON.stringify(alarmMessage) } }],
    });
    expect(parsed).toEqual({
      changes: [
        {
          name: "web-5xx",
          state: "ALARM",
          reason: "Threshold Crossed",
          at: "2026-11-22T09:00:00.000+0000",
          region: "eu-west-1",
          account: "123456789012",
          source: "Records[0] (SNS message m1)",
        },
      ],
      problems: [],
    });
  });

  it("reads EventBridge alarm state changes", () => {
    const parsed = parseAlarmEvent({
      "detail-type": "CloudWatch Alarm State Change",
      id: "e1",
      region: "us-east-1",
      account: "123456789012",
      time: "2026-11-22T09:00:00Z",
      detail: { alarmName: "db-lag", state: { value: "ALARM", reason: "lag" } },
    });
    expect(parsed.changes.map((c) => [c.name, c.state, c.at, c.region])).toEqual([
      ["db-lag", "ALARM", "2026-11-22T09:00:00Z", "us-east-1"],
    ]);
  });

  it("says what each record lacks and keeps the good ones", () => {
    const parsed = parseAlarmEvent({
      Records: [
        { Sns: { Message: JSON.stringify({ AlarmName: "x" }) } },
        { Sqs: {} },
        { Sns: { MessageId: "m3", Message: JSON.stringify(alarmMessage) } },
      ],
    });
    expect(parsed.changes.map((c) => c.name)).toEqual(["web-5xx"]);
    expect(parsed.problems).toEqual([
      "Records[0] (SNS message ): expected a CloudWatch alarm notification with AlarmName and NewStateValue",
      "Records[1]: expected an SNS record with Sns.Message",
    ]);
    expect(parseAlarmEvent("hello").problems).toEqual([
      "expected an SNS event (Records[].Sns) or an EventBridge CloudWatch Alarm State Change event",
    ]);
  });
});
