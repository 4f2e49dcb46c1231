import { Duration, Stack, Validations, type CfnElement } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { iamActions } from "../src/aws/services.js";
import { DYNAMODB_JOURNAL_PERMISSIONS } from "../src/runbook/journal-dynamodb.js";
import type { LoadedRunbook } from "../src/runbook/load.js";
import { SCHEDULE_EVENT_KEY } from "../src/trigger/schedule.js";
import { TRIGGER_WINDOW_PERMISSIONS } from "../src/trigger/window.js";
import { runbookGrants } from "./permissions.js";
import { tracedWorkflow } from "./workflow.js";

export interface FailoverProps {
  table: dynamodb.TableV2;
  /** Makes a function of the bundled handlers (shared settings). */
  fn(name: string, handler: string, timeout: Duration, extraEnv?: Record<string, string>): lambda.Function;
  /** The triggers' runbooks (with their set: values): the failover function may do what their steps do, where. */
  runbooks: LoadedRunbook[];
  /** The triggers' notification topics. */
  notifyTopics: string[];
  /** The longest approval timeout of the triggers, in minutes. */
  approvalMinutes: number;
  /** The alarm names (with * wildcards) the triggers name. */
  alarmNames: string[];
  /** drctl.yaml's schedules: a rule each, whose firings the trigger function starts as runs. */
  schedules: { name: string; cron: string; runbook: string }[];
}

/**
 * Alarm-triggered failover and scheduled runbooks: CloudWatch alarms publish to the Alarms topic
 * (or reach the function as EventBridge alarm state changes), schedules' rules fire; the function
 * starts one execution of the failover workflow per application and window (per firing, for a
 * schedule); the workflow advances the
 * run turn by turn (each turn a function invocation that resumes from the journal), waiting
 * between turns, until the run ends. A turn that crashes is retried: the journal makes it safe.
 */
export class FailoverWorkflow extends Construct {
  readonly topic: sns.Topic;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FailoverProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const advance = props.fn("AdvanceRunbook", "advanceHandler", Duration.minutes(15));
    // Each mutating action on what the runbooks name, where the action takes resource-level permissions.
    for (const g of runbookGrants(
      props.runbooks,
      { partition: stack.partition, account: stack.account },
      props.notifyTopics,
    ))
      advance.addToRolePolicy(
        new iam.PolicyStatement({
          actions: g.actions,
          resources: g.resources,
          ...(g.conditions ? { conditions: g.conditions } : {}),
        }),
      );
    // A wildcard in a granted ARN stands where the runbook does not name the resource (an id not
    // known before the run, a group's generated id): each is acknowledged, by the resource.
    const named = runbookGrants(
      props.runbooks,
      { partition: "<AWS::Partition>", account: "<AWS::AccountId>" },
      props.notifyTopics,
    );
    for (const resource of new Set(named.flatMap((g) => g.resources)))
      if (resource !== "*" && resource.includes("*"))
        Validations.of(stack).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
          reason: "The runbook names this resource by a part of its ARN only (a name, not its generated id).",
        });
    props.table.grant(advance, ...iamActions(DYNAMODB_JOURNAL_PERMISSIONS));

    // Each turn gets the execution's input (and the last turn's progress beside it).
    const turn = new tasks.LambdaInvoke(this, "Advance the run", {
      lambdaFunction: advance,
      payloadResponseOnly: true,
      resultPath: "$.progress",
    });
    turn.addRetry({ errors: ["States.ALL"], maxAttempts: 3, interval: Duration.seconds(30), backoffRate: 2 });
    const status = (path: string, value: string) => sfn.Condition.stringEquals(path, value);
    const again = (name: string, seconds: number) =>
      new sfn.Wait(this, name, { time: sfn.WaitTime.duration(Duration.seconds(seconds)) }).next(turn);
    const where = new sfn.Choice(this, "Where is the run?")
      .when(status("$.progress.status", "running"), again("Let steps progress", 10))
      .when(status("$.progress.status", "awaiting-approval"), again("Wait for approval", 30))
      .when(status("$.progress.status", "succeeded"), new sfn.Succeed(this, "Run succeeded"))
      .otherwise(
        new sfn.Fail(this, "Run failed or refused", {
          causePath: "$.progress.summary",
          errorPath: "$.progress.status",
        }),
      );
    // Long enough for the longest approval wait and a day of steps.
    this.stateMachine = tracedWorkflow(
      this,
      "Workflow",
      turn.next(where),
      Duration.minutes(props.approvalMinutes + 24 * 60),
    );

    // CloudWatch alarms publish here; a customer key, since alarms cannot use the AWS managed SNS key.
    const key = new kms.Key(this, "AlarmTopicKey", { enableKeyRotation: true });
    key.grant(new iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.topic = new sns.Topic(this, "Alarms", { masterKey: key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
        },
      }),
    );
    const trigger = props.fn("AlarmTrigger", "alarmHandler", Duration.minutes(1), {
      DRCTL_FAILOVER_STATE_MACHINE: this.stateMachine.stateMachineArn,
    });
    this.stateMachine.grantStartExecution(trigger);
    props.table.grant(trigger, ...iamActions(TRIGGER_WINDOW_PERMISSIONS));
    this.topic.addSubscription(new subscriptions.LambdaSubscription(trigger));
    // Alarm state changes also arrive as EventBridge events: from this region's alarms, and from
    // the primary region's when a rule there forwards them to this region's default bus (an alarm
    // action can only publish to a topic in its own region, the region that may be failing).
    if (props.alarmNames.length > 0)
      new events.Rule(this, "AlarmStateChanges", {
        eventPattern: {
          source: ["aws.cloudwatch"],
          detailType: ["CloudWatch Alarm State Change"],
          detail: {
            alarmName: props.alarmNames.flatMap((n) => (n.includes("*") ? events.Match.wildcard(n) : [n])),
            state: { value: ["ALARM"] },
          },
        },
        targets: [new targets.LambdaFunction(trigger)],
      });
    // Each schedule: its firings reach the trigger function, which starts the run in this workflow
    // (once per firing, however often EventBridge delivers it).
    for (const schedule of props.schedules)
      new events.Rule(this, `Schedule-${schedule.name}`, {
        description: `drctl schedule ${schedule.name}: ${schedule.runbook}`.slice(0, 512),
        schedule: events.Schedule.expression(schedule.cron),
        targets: [
          new targets.LambdaFunction(trigger, {
            event: events.RuleTargetInput.fromObject({
              [SCHEDULE_EVENT_KEY]: schedule.name,
              time: events.EventField.time,
              id: events.EventField.eventId,
            }),
            retryAttempts: 8,
          }),
        ],
      });

    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    Validations.of(this).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId(advance)}.Arn>:*]`,
      reason: "The workflow invokes any version of its own function.",
    });
  }
}
