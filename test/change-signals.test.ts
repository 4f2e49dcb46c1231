/**
 * The change signals' adapters on responses shaped as the CloudTrail and AWS Config API references
 * have them: the emulator has no LookupEvents, and its SelectResourceConfig answers canned results
 * whatever the query.
 */
import {
  AccessDeniedException,
  CloudTrailClient,
  CloudTrailServiceException,
  LookupEventsCommand,
  type Event,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  NoSuchConfigurationAggregatorException,
  ResourceType,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
  type ConfigurationRecorder,
} from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsClients } from "../src/aws/client-factory.js";
import { iamActions } from "../src/aws/services.js";
import { RESOURCE_TYPES } from "../src/catalog.js";
import { cloudTrailChanges } from "../src/changes/cloudtrail.js";
import { configChanges } from "../src/changes/config.js";
import { CONFIG_RESOURCE_TYPES, DRCTL_TYPES } from "../src/changes/config-types.js";
import { CHANGE_SIGNAL_PERMISSIONS } from "../src/changes/permissions.js";
import { mockedAws } from "./harness/mocked-aws.js";

const trail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);
let aws: AwsClients;

beforeAll(async () => {
  aws = await mockedAws();
});
afterEach(() => {
  trail.reset();
  config.reset();
});
afterAll(() => {
  trail.restore();
  config.restore();
  aws.destroy();
});

const ACCOUNT = "123456789012";
const SINCE = new Date("2026-12-07T10:00:00.000Z");
const NOW = new Date("2026-12-07T11:00:00.000Z");
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const TG = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067`;

/** One LookupEvents event: its summary fields, and the full record as the CloudTrailEvent string. */
function lookupEvent(name: string, time: string, fields: Record<string, unknown>, readOnly = false): Event {
  const record = {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${ACCOUNT}:user/alice`, userName: "alice" },
    eventTime: time,
    eventSource: "elasticloadbalancing.amazonaws.com",
    eventName: name,
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.10",
    userAgent: "aws-cli/2.15.0",
    requestParameters: null,
    responseElements: null,
    readOnly,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...fields,
  };
  return {
    EventId: `${name}-${time}`,
    EventName: name,
    ReadOnly: String(readOnly),
    AccessKeyId: "AKIAIOSFODNN7EXAMPLE",
    EventTime: new Date(time),
    EventSource: "elasticloadbalancing.amazonaws.com",
    Username: "alice",
    Resources: [{ ResourceType: "AWS::ElasticLoadBalancingV2::Listener", ResourceName: LISTENER }],
    CloudTrailEvent: JSON.stringify(record),
  };
}

describe("CloudTrail's event history as a change signal (LookupEvents)", () => {
  it("follows NextToken with the same window, from `since` less the delivery margin to now, 50 a page", async () => {
    trail
      .on(LookupEventsCommand)
      .resolvesOnce({
        Events: [
          lookupEvent("ModifyListener", "2026-12-07T10:40:00Z", {
            requestParameters: { listenerArn: LISTENER },
          }),
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        Events: [
          lookupEvent("RegisterTargets", "2026-12-07T10:20:00Z", {
            requestParameters: { targetGroupArn: TG, targets: [{ id: "i-0abcdef1234567890" }] },
          }),
        ],
      });
    const report = await cloudTrailChanges(aws, "us-east-1", SINCE, ACCOUNT, { now: NOW });
    expect(report).toEqual({
      source: "cloudtrail",
      region: "us-east-1",
      account: ACCOUNT,
      changes: [
        {
          source: "cloudtrail",
          what: "ModifyListener",
          at: "2026-12-07T10:40:00.000Z",
          region: "us-east-1",
          account: ACCOUNT,
          resources: [LISTENER],
        },
        {
          source: "cloudtrail",
          what: "RegisterTargets",
          at: "2026-12-07T10:20:00.000Z",
          region: "us-east-1",
          account: ACCOUNT,
          resources: [TG, "i-0abcdef1234567890", LISTENER],
        },
      ],
    });
    const calls = trail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    const window = {
      LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "false" }],
      StartTime: new Date("2026-12-07T09:45:00.000Z"),
      EndTime: NOW,
      MaxResults: 50,
    };
    expect(calls).toEqual([window, { ...window, NextToken: "page-2" }]);
  });

  it("leaves out reads and failed calls, and keeps what an event whose record is not JSON says", async () => {
    trail.on(LookupEventsCommand).resolves({
      Events: [
        lookupEvent("DescribeListeners", "2026-12-07T10:10:00Z", {}, true),
        lookupEvent("ModifyListener", "2026-12-07T10:11:00Z", {
          errorCode: "AccessDenied",
          errorMessage: "User: alice is not authorized to perform: elasticloadbalancing:ModifyListener",
        }),
        { ...lookupEvent("DeleteRule", "2026-12-07T10:12:00Z", {}), CloudTrailEvent: "not json" },
      ],
    });
    const report = await cloudTrailChanges(aws, "us-east-1", SINCE, ACCOUNT, { now: NOW });
    expect(report.changes).toEqual([
      {
        source: "cloudtrail",
        what: "DeleteRule",
        at: "2026-12-07T10:12:00.000Z",
        region: "us-east-1",
        // The record could not say whose it is: the account whose history was read.
        account: ACCOUNT,
        resources: [LISTENER],
      },
    ]);
    expect(report.unavailable).toBeUndefined();
  });

  it("is unavailable, naming the call and region, when denied or in a region the account has not enabled", async () => {
    trail.on(LookupEventsCommand).rejects(
      new AccessDeniedException({
        message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: cloudtrail:LookupEvents`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const denied = await cloudTrailChanges(aws, "eu-west-1", SINCE, ACCOUNT);
    expect(denied.changes).toEqual([]);
    expect(denied.unavailable).toMatch(
      /^access denied to CloudTrail\.LookupEvents in eu-west-1 \(account 123456789012\): .*cloudtrail:LookupEvents$/,
    );

    trail.reset();
    trail.on(LookupEventsCommand).rejects(
      new CloudTrailServiceException({
        name: "UnrecognizedClientException",
        $fault: "client",
        message: "The security token included in the request is invalid.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const optIn = await cloudTrailChanges(aws, "ap-east-1", SINCE);
    expect(optIn).toEqual({
      source: "cloudtrail",
      region: "ap-east-1",
      changes: [],
      unavailable:
        "access denied to CloudTrail.LookupEvents in ap-east-1: The security token included in the request is invalid.",
    });
  });

  it("is unavailable past its event budget rather than read for minutes at 2 calls a second", async () => {
    const event = lookupEvent("ModifyListener", "2026-12-07T10:40:00Z", {});
    trail
      .on(LookupEventsCommand)
      .resolves({ Events: Array.from({ length: 50 }, () => event), NextToken: "more" });
    const report = await cloudTrailChanges(aws, "us-east-1", SINCE, undefined, { now: NOW, maxEvents: 120 });
    expect(report.changes).toEqual([]);
    expect(report.unavailable).toBe(
      "CloudTrail.LookupEvents in us-east-1: more than 120 write events since 2026-12-07T09:45:00.000Z; a full read is cheaper",
    );
    expect(report.overflow).toBe(true);
    expect(trail.commandCalls(LookupEventsCommand)).toHaveLength(3);
  });
});

/** A recorder as DescribeConfigurationRecorders returns it. */
function recorder(fields: Partial<ConfigurationRecorder> = {}): ConfigurationRecorder {
  return {
    name: "default",
    roleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    recordingGroup: {
      allSupported: true,
      includeGlobalResourceTypes: false,
      resourceTypes: [],
      exclusionByResourceTypes: { resourceTypes: [] },
      recordingStrategy: { useOnly: "ALL_SUPPORTED_RESOURCE_TYPES" },
    },
    recordingMode: { recordingFrequency: "CONTINUOUS", recordingModeOverrides: [] },
    ...fields,
  };
}

function recording(recorders: ConfigurationRecorder[], isRecording = true) {
  config
    .on(DescribeConfigurationRecordersCommand)
    .resolves({ ConfigurationRecorders: recorders })
    .on(DescribeConfigurationRecorderStatusCommand)
    .resolves({
      ConfigurationRecordersStatus: recorders.map((r) => ({
        name: r.name,
        lastStartTime: new Date("2026-01-01T00:00:00Z"),
        recording: isRecording,
        lastStatus: "Success",
        lastStatusChangeTime: new Date("2026-12-07T10:59:00Z"),
      })),
    });
}

/** One SelectResourceConfig result: a JSON string of the selected properties. */
const row = (type: string, id: string, name: string, arn: string, at: string, region = "us-east-1") =>
  JSON.stringify({
    resourceId: id,
    resourceName: name,
    resourceType: type,
    arn,
    awsRegion: region,
    accountId: ACCOUNT,
    configurationItemCaptureTime: at,
  });
const SG_ARN = `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-0a1b2c3d4e5f67890`;

describe("AWS Config as a change signal (SelectResourceConfig)", () => {
  it("pages the query 100 a row from `since` less the clock margin, and drops rows captured before it", async () => {
    recording([recorder()]);
    config
      .on(SelectResourceConfigCommand)
      .resolvesOnce({
        Results: [
          row("AWS::EC2::SecurityGroup", "sg-0a1b2c3d4e5f67890", "web", SG_ARN, "2026-12-07T10:30:00.000Z"),
          // Captured 2 minutes before `since` by Config's clock: within the margin, kept.
          row(
            "AWS::SQS::Queue",
            "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "orders",
            `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`,
            "2026-12-07T09:58:00.000Z",
          ),
        ],
        QueryInfo: { SelectFields: [{ Name: "resourceId" }] },
        NextToken: "next",
      })
      .resolvesOnce({
        Results: [
          // Before the margin: an answer the query should not have given, dropped.
          row(
            "AWS::EC2::VPC",
            "vpc-0a1b2c3d4e5f67890",
            "",
            `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-0a1b2c3d4e5f67890`,
            "2026-12-07T09:50:00.000Z",
          ),
          "not json",
        ],
      });
    const report = await configChanges(aws, "us-east-1", SINCE, {});
    expect(report).toEqual({
      source: "config",
      region: "us-east-1",
      changes: [
        {
          source: "config",
          what: "AWS::EC2::SecurityGroup",
          at: "2026-12-07T10:30:00.000Z",
          region: "us-east-1",
          account: ACCOUNT,
          resources: [SG_ARN, "sg-0a1b2c3d4e5f67890", "web"],
        },
        {
          source: "config",
          what: "AWS::SQS::Queue",
          at: "2026-12-07T09:58:00.000Z",
          region: "us-east-1",
          account: ACCOUNT,
          resources: [
            `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`,
            "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "orders",
          ],
        },
      ],
      notCovered: ["route53-health-check"],
    });
    const expression =
      "SELECT resourceId, resourceName, resourceType, arn, awsRegion, accountId, configurationItemCaptureTime " +
      "WHERE configurationItemCaptureTime > '2026-12-07T09:55:00.000Z'";
    expect(config.commandCalls(SelectResourceConfigCommand).map((c) => c.args[0].input)).toEqual([
      { Expression: expression, Limit: 100 },
      { Expression: expression, Limit: 100, NextToken: "next" },
    ]);
  });

  it("reads back as far as it is told for clock skew", async () => {
    recording([recorder()]);
    config.on(SelectResourceConfigCommand).resolves({ Results: [] });
    await configChanges(aws, "us-east-1", SINCE, { marginSeconds: 60 });
    expect(config.commandCalls(SelectResourceConfigCommand)[0]?.args[0].input.Expression).toContain(
      "> '2026-12-07T09:59:00.000Z'",
    );
  });

  it("is unavailable when the recorder is not recording, or there is none", async () => {
    recording([recorder()], false);
    expect(await configChanges(aws, "eu-west-1", SINCE, { account: ACCOUNT })).toEqual({
      source: "config",
      region: "eu-west-1",
      account: ACCOUNT,
      changes: [],
      unavailable: "AWS Config in eu-west-1: the configuration recorder default is not recording",
    });
    config.reset();
    recording([]);
    expect((await configChanges(aws, "eu-west-1", SINCE)).unavailable).toBe(
      "AWS Config has no configuration recorder in eu-west-1",
    );
    expect(config.commandCalls(SelectResourceConfigCommand)).toHaveLength(0);
  });

  it("is unavailable, naming the call and region, when denied", async () => {
    config.on(DescribeConfigurationRecordersCommand).rejects(
      new ConfigServiceServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: config:DescribeConfigurationRecorders`,
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const report = await configChanges(aws, "us-west-2", SINCE);
    expect(report.changes).toEqual([]);
    expect(report.unavailable).toMatch(
      /^access denied to Config\.DescribeConfigurationRecorders in us-west-2: /,
    );
  });

  it("names the types a recorder does not record, or records only daily, as not covered", async () => {
    recording([
      recorder({
        recordingGroup: {
          allSupported: false,
          exclusionByResourceTypes: { resourceTypes: ["AWS::EC2::SecurityGroup"] },
          recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
        },
        recordingMode: {
          recordingFrequency: "CONTINUOUS",
          recordingModeOverrides: [{ resourceTypes: ["AWS::DynamoDB::Table"], recordingFrequency: "DAILY" }],
        },
      }),
    ]);
    config.on(SelectResourceConfigCommand).resolves({ Results: [] });
    expect((await configChanges(aws, "us-east-1", SINCE)).notCovered).toEqual([
      "load-balancer",
      "route53-health-check",
      "dynamodb-table",
    ]);

    config.reset();
    recording([
      recorder({
        recordingGroup: {
          allSupported: false,
          resourceTypes: ["AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Lambda::Function"],
          recordingStrategy: { useOnly: "INCLUSION_BY_RESOURCE_TYPES" },
        },
      }),
    ]);
    config.on(SelectResourceConfigCommand).resolves({ Results: [] });
    const notCovered = (await configChanges(aws, "us-east-1", SINCE)).notCovered ?? [];
    expect(DRCTL_TYPES.filter((t) => !notCovered.includes(t))).toEqual([
      "sqs-queue",
      "lambda-function",
      "sns-topic",
    ]);
  });
});

describe("AWS Config as a change signal through an aggregator (SelectAggregateResourceConfig)", () => {
  it("queries the aggregator once a page, each change in the account and region its row names", async () => {
    const other = "210987654321";
    config.on(SelectAggregateResourceConfigCommand).resolves({
      Results: [
        row("AWS::EC2::SecurityGroup", "sg-0a1b2c3d4e5f67890", "web", SG_ARN, "2026-12-07T10:30:00.000Z"),
        JSON.stringify({
          resourceId: "orders",
          resourceType: "AWS::DynamoDB::Table",
          arn: `arn:aws:dynamodb:eu-west-1:${other}:table/orders`,
          awsRegion: "eu-west-1",
          accountId: other,
          configurationItemCaptureTime: "2026-12-07T10:31:00.000Z",
        }),
      ],
    });
    const report = await configChanges(aws, "us-east-1", SINCE, { aggregator: "org", account: ACCOUNT });
    expect(report.unavailable).toBeUndefined();
    expect(report.notCovered).toBeUndefined();
    expect(report.changes.map((c) => [c.account, c.region, c.what, c.resources])).toEqual([
      [ACCOUNT, "us-east-1", "AWS::EC2::SecurityGroup", [SG_ARN, "sg-0a1b2c3d4e5f67890", "web"]],
      [
        other,
        "eu-west-1",
        "AWS::DynamoDB::Table",
        [`arn:aws:dynamodb:eu-west-1:${other}:table/orders`, "orders"],
      ],
    ]);
    expect(config.commandCalls(SelectAggregateResourceConfigCommand).map((c) => c.args[0].input)).toEqual([
      {
        Expression:
          "SELECT resourceId, resourceName, resourceType, arn, awsRegion, accountId, configurationItemCaptureTime " +
          "WHERE configurationItemCaptureTime > '2026-12-07T09:55:00.000Z'",
        ConfigurationAggregatorName: "org",
        Limit: 100,
      },
    ]);
    // An aggregator is read as it is: no recorder of this region is asked.
    expect(config.commandCalls(DescribeConfigurationRecordersCommand)).toHaveLength(0);
  });

  it("is unavailable when the aggregator does not exist", async () => {
    config.on(SelectAggregateResourceConfigCommand).rejects(
      new NoSuchConfigurationAggregatorException({
        message: "The configuration aggregator does not exist.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const report = await configChanges(aws, "us-east-1", SINCE, { aggregator: "gone" });
    expect(report.unavailable).toBe(
      "not found: Config.SelectAggregateResourceConfig in us-east-1: The configuration aggregator does not exist.",
    );
  });
});

describe("what the change signals declare", () => {
  it("maps every drctl resource type to Config resource types AWS Config knows", () => {
    expect([...DRCTL_TYPES].sort()).toEqual(RESOURCE_TYPES.map((t) => t.pairing.type).sort());
    const known = new Set<string>(Object.values(ResourceType));
    for (const types of Object.values(CONFIG_RESOURCE_TYPES))
      for (const t of types) expect(known).toContain(t);
  });

  it("needs CloudTrail's and Config's read actions only", () => {
    expect(iamActions(CHANGE_SIGNAL_PERMISSIONS)).toEqual([
      "cloudtrail:LookupEvents",
      "config:DescribeConfigurationRecorderStatus",
      "config:DescribeConfigurationRecorders",
      "config:SelectAggregateResourceConfig",
      "config:SelectResourceConfig",
    ]);
  });
});
