import { CfnResource, Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { ACM_CERTIFICATE_EVENTS } from "../src/changes/cloudtrail-event.js";

/** The services whose resources the readiness types read, as CloudTrail's events name their source. */
export const CHANGE_SOURCES = [
  "aws.elasticloadbalancing",
  "aws.ec2",
  "aws.acm",
  "aws.route53",
  "aws.autoscaling",
  "aws.cloudwatch",
  "aws.sqs",
  "aws.lambda",
  "aws.rds",
  "aws.dynamodb",
  "aws.sns",
  "aws.apigateway",
  "aws.kafka",
  "aws.tag",
] as const;

/** The verbs of calls that may change what a scan reads; Describe, List and Get change nothing. */
export const CHANGE_VERBS = [
  "Create",
  "Modify",
  "Delete",
  "Set",
  "Add",
  "Remove",
  "Register",
  "Deregister",
  "Put",
  "Update",
  "Attach",
  "Detach",
  "Associate",
  "Disassociate",
  "Authorize",
  "Revoke",
  "Change",
  "Tag",
  "Untag",
  "Import",
  "Enable",
  "Disable",
  "Apply",
  "Subscribe",
  "Unsubscribe",
  "Confirm",
  "Suspend",
  "Resume",
  "Promote",
  "Failover",
  "Switchover",
  "Start",
  "Stop",
  "Reboot",
  "Restore",
  "Request",
  "Renew",
  "Replace",
  "Publish",
] as const;

/**
 * The EventBridge patterns of the changes a scan learns of, as EventBridge writes them: calls that
 * succeeded (a call AWS refused changed nothing), alarms changing state and certificates ACM
 * renewed, rotated, revoked or let expire. The same patterns
 * serve the rules that forward them from other accounts and regions (docs/fleet.md).
 */
export function changeEventPatterns(): Record<
  "apiCalls" | "alarmStates" | "certificates",
  Record<string, unknown>
> {
  return {
    apiCalls: {
      source: [...CHANGE_SOURCES],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventName: CHANGE_VERBS.map((verb) => ({ prefix: verb })),
        errorCode: [{ exists: false }],
      },
    },
    alarmStates: { source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] },
    // A managed renewal makes no API call: ACM says it with its own events.
    certificates: { source: ["aws.acm"], "detail-type": [...ACM_CERTIFICATE_EVENTS] },
  };
}

/** A pattern as the CDK takes it. */
function cdkPattern({ "detail-type": detailType, ...rest }: Record<string, unknown>): events.EventPattern {
  return { ...rest, detailType } as events.EventPattern;
}

export interface ChangeEventsProps {
  table: dynamodb.TableV2;
  /** Makes a function of the bundled handlers (shared settings). */
  fn(name: string, handler: string, timeout: Duration, extraEnv?: Record<string, string>): lambda.Function;
  /**
   * Accounts whose forwarding rules may put events on this account's default bus (a resource
   * policy); events of this account's other regions need no policy.
   */
  sourceAccounts: readonly string[];
}

/**
 * What tells an incremental scan which pairs may have changed: rules on the default bus for the
 * readiness types' write calls (CloudTrail management events), alarm state changes and ACM's
 * certificate events, of this account and region and of what other accounts and regions forward here, each given to the
 * changes function, which records them in the history table and may do nothing else.
 */
export class ChangeEvents extends Construct {
  readonly function: lambda.Function;
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = props.fn("Changes", "changesHandler", Duration.minutes(1));
    props.table.grant(this.function, "dynamodb:BatchWriteItem", "dynamodb:PutItem");
    const patterns = changeEventPatterns();
    // Retried for a while, then dropped: the rolling full sweep re-reads every pair anyway.
    const target = new targets.LambdaFunction(this.function, {
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
    });
    this.rules = [
      new events.Rule(this, "ApiCalls", {
        description: "drctl: write calls to the services the readiness scan reads",
        eventPattern: cdkPattern(patterns.apiCalls),
        targets: [target],
      }),
      new events.Rule(this, "AlarmStates", {
        description: "drctl: alarm state changes",
        eventPattern: cdkPattern(patterns.alarmStates),
        targets: [target],
      }),
      new events.Rule(this, "Certificates", {
        description: "drctl: certificates ACM renewed, rotated, revoked or let expire",
        eventPattern: cdkPattern(patterns.certificates),
        targets: [target],
      }),
    ];
    const accounts = [...new Set(props.sourceAccounts)].filter((a) => a !== stack.account).sort();
    // The resource itself, not events.CfnEventBusPolicy, whose rendering reads (and warns of) its
    // deprecated Principal property; the default bus cannot take an L2 policy when imported.
    if (accounts.length > 0)
      new CfnResource(this, "FromAccounts", {
        type: "AWS::Events::EventBusPolicy",
        properties: {
          EventBusName: "default",
          StatementId: "drctl-changes-from-accounts",
          Statement: {
            Sid: "drctl-changes-from-accounts",
            Effect: "Allow",
            Principal: { AWS: accounts.map((a) => `arn:${stack.partition}:iam::${a}:root`) },
            Action: "events:PutEvents",
            Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
          },
        },
      });
  }
}
