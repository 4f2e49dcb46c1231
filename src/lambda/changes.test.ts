import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClients } from "../aws/client-factory.js";
import { SqliteHistory } from "../history/sqlite.js";
import { changes } from "./changes.js";

const ACCOUNT = "123456789012";
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;

// Recent: the history prunes changes older than its retention.
const eventTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();

/** An EventBridge "AWS API Call via CloudTrail" event as the event rule hands it to the function. */
const modifyRule = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.elasticloadbalancing",
  account: ACCOUNT,
  time: eventTime,
  region: "us-east-1",
  resources: [],
  detail: {
    eventVersion: "1.09",
    userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice` },
    eventTime,
    eventSource: "elasticloadbalancing.amazonaws.com",
    eventName: "ModifyRule",
    awsRegion: "us-east-1",
    requestParameters: { ruleArn: RULE, actions: [{ type: "fixed-response" }] },
    responseElements: { rules: [{ ruleArn: RULE, priority: "10" }] },
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
  },
};

let dir: string;
let aws: AwsClients;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "drctl-changes-"));
  // The SQLite history needs no AWS client; the runtime carries one all the same.
  aws = await AwsClients.create({
    endpointUrl: "http://127.0.0.1:9",
    credentials: () => Promise.resolve({ accessKeyId: "test", secretAccessKey: "test" }),
  });
});
afterAll(() => {
  aws.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("the event rule's function", () => {
  it("keeps an API call once however often it is delivered, and ignores other events", async () => {
    const file = join(dir, "history.sqlite");
    const rt = { store: file, aws, log: (line: string) => void lines.push(line) };
    expect(await changes(rt, modifyRule)).toEqual({ events: 1, recorded: 1, ignored: 0 });
    // EventBridge delivers at least once: the same event again.
    expect(await changes(rt, structuredClone(modifyRule))).toEqual({ events: 1, recorded: 1, ignored: 0 });
    const other = { ...modifyRule, "detail-type": "EC2 Instance State-change Notification", detail: {} };
    expect(await changes(rt, other)).toEqual({ events: 1, recorded: 0, ignored: 1 });

    const store = SqliteHistory.open(file);
    try {
      expect(await store.changesSince(new Date(Date.parse(eventTime) - 1000).toISOString())).toEqual([
        {
          source: "event-rule",
          what: "ModifyRule",
          at: eventTime,
          region: "us-east-1",
          account: ACCOUNT,
          resources: [RULE],
          recordedAt: expect.any(String) as unknown,
        },
      ]);
    } finally {
      store.close();
    }
    expect(lines).toEqual([
      "changes: 1 recorded, 0 ignored of 1 events",
      "changes: 1 recorded, 0 ignored of 1 events",
      "changes: 0 recorded, 1 ignored of 1 events",
    ]);
  });
});
