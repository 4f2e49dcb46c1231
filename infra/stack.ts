import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type CfnElement,
  type StackProps,
} from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct, IConstruct } from "constructs";
import { packageVersion } from "../src/cli/version.js";
import type { DrctlConfig } from "../src/config/schema.js";
import type { LoadedRunbook } from "../src/runbook/load.js";
import { ChangeEvents } from "./changes.js";
import { FailoverWorkflow } from "./failover.js";
import { batchFanOut } from "./fanout.js";
import { freshnessReadActions, planReadActions, readActions } from "./permissions.js";
import { tracedWorkflow } from "./workflow.js";

export interface DrctlStackProps extends StackProps {
  /** drctl.yaml as text, without the webhook's URL: the functions read it from DRCTL_CONFIG. */
  configText: string;
  /** When drctl.yaml has a webhook: its format; its URL goes in a Secrets Manager secret, never in the template. */
  webhookFormat?: string;
  config: DrctlConfig;
  /** Folder with the bundled handlers (infra/bundle.ts). */
  codeDir: string;
  /** EventBridge schedule expression. */
  schedule: string;
  /** Alarm-triggered failover, when drctl.yaml has triggers: their runbooks, and what they need. */
  failover?: {
    runbooks: LoadedRunbook[];
    notifyTopics: string[];
    approvalMinutes: number;
    alarmNames: string[];
    schedules: { name: string; cron: string; runbook: string }[];
  };
  /**
   * Accounts whose rules forward their resources' changes to this account's default bus
   * (docs/fleet.md); by default those named under `accounts` in drctl.yaml.
   */
  changeSourceAccounts?: readonly string[];
}

/**
 * The scheduled readiness scan in an account: EventBridge starts a Step Functions workflow that
 * plans the run, scans batches of pairs in a Distributed Map (each batch retried, then caught so
 * a failure becomes findings instead of a lost run) and aggregates: history in DynamoDB, email
 * through SES, report site in a private S3 bucket. Then (unless freshness.scheduled is false) it
 * measures freshness, stores that run too and puts each store's exposure into CloudWatch; a
 * freshness failure never holds back the scan's report and email, and fails the execution last.
 * With applications in drctl.yaml it then writes each one's DR plan, published with the site.
 */
/** drctl's version, as the CLI reports it: the functions key carried-over findings on it. */
const DRCTL_VERSION = packageVersion();
// Carried-over findings are keyed on it: a deployment that cannot tell its version must not deploy.
if (DRCTL_VERSION === "0.0.0") throw new Error("infra: drctl's version could not be read from package.json");

export class DrctlStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly stateMachine: sfn.StateMachine;
  readonly failover: FailoverWorkflow | undefined;
  readonly changes: ChangeEvents;
  /** Scan batches that run at once: each holds its limiter to its share of every rate. */
  readonly scanFanOut: number;

  constructor(scope: Construct, id: string, props: DrctlStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.TableV2(this, "History", {
      partitionKey: { name: "PK", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "SK", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const accessLogs = new s3.Bucket(this, "AccessLogs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: "AwsSolutions::AwsSolutions-S1",
      reason: "This is the bucket that receives the other buckets' access logs.",
    });
    const privateBucket = (name: string, expireDays?: number) =>
      new s3.Bucket(this, name, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: expireDays === undefined,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name.toLowerCase()}/`,
        ...(expireDays ? { lifecycleRules: [{ expiration: Duration.days(expireDays) }] } : {}),
      });
    const site = privateBucket("Site");
    const results = privateBucket("BatchResults", 7);

    const environment = {
      DRCTL_CONFIG: props.configText,
      DRCTL_STORE: `dynamodb://${this.table.tableName}?region=${this.region}`,
      DRCTL_SITE: `s3://${site.bucketName}/reports`,
      DRCTL_RESULTS: `s3://${results.bucketName}/work`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Findings of another drctl are never carried over by an incremental run.
      DRCTL_VERSION: DRCTL_VERSION,
    };
    const code = lambda.Code.fromAsset(props.codeDir);
    const fn = (name: string, handler: string, timeout: Duration, extraEnv: Record<string, string> = {}) =>
      new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        code,
        handler: `handlers.${handler}`,
        timeout,
        memorySize: 1024,
        environment: { ...environment, ...extraEnv },
        tracing: lambda.Tracing.ACTIVE,
        logGroup: new logs.LogGroup(this, `${name}Logs`, {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });
    const plan = fn("Plan", "planHandler", Duration.minutes(5));
    // Batches running at once share each account's rates: each one's configuration says its share.
    const fanOut = batchFanOut(props.config, props.configText);
    this.scanFanOut = fanOut.maxConcurrency;
    const batch = fn("ScanBatch", "scanBatchHandler", Duration.minutes(15), {
      DRCTL_CONFIG: fanOut.configText,
    });
    const aggregate = fn("Aggregate", "aggregateHandler", Duration.minutes(5));
    const publish = fn("Publish", "publishHandler", Duration.minutes(5));
    const measured = props.config.freshness.scheduled;
    const freshness = measured ? fn("Freshness", "freshnessHandler", Duration.minutes(15)) : undefined;
    // Each application's DR plan, written after the runs it rests on and published with the site.
    const plans =
      props.config.applications.length > 0 ? fn("Plans", "plansHandler", Duration.minutes(10)) : undefined;
    // The webhook's URL is a credential: a secret only the notify function reads (set its value
    // after deploying: aws secretsmanager put-secret-value --secret-id <WebhookUrlSecret> --secret-string URL).
    const webhook =
      props.webhookFormat === undefined
        ? undefined
        : new secretsmanager.Secret(this, "WebhookUrl", {
            secretName: `${this.stackName}/notify-webhook-url`,
            description:
              "The URL of drctl's notification webhook (Slack, Teams): put it here after deploying.",
          });
    const notify = fn(
      "Notify",
      "notifyHandler",
      Duration.minutes(2),
      webhook
        ? {
            DRCTL_WEBHOOK_SECRET: `${this.stackName}/notify-webhook-url`,
            DRCTL_WEBHOOK_FORMAT: props.webhookFormat ?? "slack",
          }
        : {},
    );
    if (webhook) {
      webhook.grantRead(notify);
      // Read through Parameter Store's reference to Secrets Manager (the SSM client drctl has).
      notify.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["ssm:GetParameter"],
          resources: [
            `arn:${this.partition}:ssm:${this.region}:${this.account}:parameter/aws/reference/secretsmanager/${this.stackName}/notify-webhook-url`,
          ],
        }),
      );
      new CfnOutput(this, "WebhookUrlSecret", { value: webhook.secretArn });
      Validations.of(webhook).acknowledge({
        id: "AwsSolutions::AwsSolutions-SMG4",
        reason: "A webhook URL is issued and rotated by the chat service, not by a Lambda rotation.",
      });
    }

    // Least privilege, from what the collectors and steps declare (src/permissions.ts).
    const sesRegion = props.config.notify.email.ses?.region ?? this.region;
    const read = new iam.PolicyStatement({ actions: readActions(), resources: ["*"] });
    for (const f of [plan, batch]) f.addToRolePolicy(read);
    const roles = Object.values(props.config.accounts).map((a) => a.roleArn);
    if (roles.length > 0)
      for (const f of [plan, batch])
        f.addToRolePolicy(new iam.PolicyStatement({ actions: ["sts:AssumeRole"], resources: roles }));
    if (freshness) {
      freshness.addToRolePolicy(
        new iam.PolicyStatement({ actions: freshnessReadActions(), resources: ["*"] }),
      );
      if (roles.length > 0)
        freshness.addToRolePolicy(new iam.PolicyStatement({ actions: ["sts:AssumeRole"], resources: roles }));
      // PutMetricData has no resource-level scope; the namespace condition keeps it to drctl's own.
      freshness.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["cloudwatch:PutMetricData"],
          resources: ["*"],
          conditions: { StringEquals: { "cloudwatch:namespace": props.config.freshness.metrics.namespace } },
        }),
      );
      this.table.grant(freshness, "dynamodb:PutItem");
    }
    if (plans) {
      plans.addToRolePolicy(new iam.PolicyStatement({ actions: planReadActions(), resources: ["*"] }));
      if (roles.length > 0)
        plans.addToRolePolicy(new iam.PolicyStatement({ actions: ["sts:AssumeRole"], resources: roles }));
      this.table.grant(plans, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem");
    }
    results.grantPut(plan);
    results.grantPut(batch);
    results.grantRead(aggregate);
    this.table.grant(aggregate, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query");
    for (const f of [publish, notify]) this.table.grant(f, "dynamodb:GetItem", "dynamodb:Query");
    site.grantPut(publish);
    publish.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [site.bucketArn] }),
    );
    notify.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["ses:SendEmail", "ses:SendRawEmail"],
        resources: [`arn:${this.partition}:ses:${sesRegion}:${this.account}:identity/*`],
      }),
    );

    const planStep = new tasks.LambdaInvoke(this, "Plan pairs", {
      lambdaFunction: plan,
      payloadResponseOnly: true,
    });
    const scanStep = new tasks.LambdaInvoke(this, "Scan batch", {
      lambdaFunction: batch,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        "runId.$": "$.runId",
        "generatedAt.$": "$.generatedAt",
        "index.$": "$.batch.index",
        "pairs.$": "$.batch.pairs",
      }),
    });
    scanStep.addRetry({
      errors: ["States.ALL"],
      maxAttempts: 2,
      interval: Duration.seconds(30),
      backoffRate: 2,
    });
    scanStep.addCatch(
      new sfn.Pass(this, "Batch failed", {
        parameters: {
          "index.$": "$.batch.index",
          failed: true,
          "error.$": "$.failure.Cause",
          "pairs.$": "$.batch.pairs",
        },
      }),
      { resultPath: "$.failure" },
    );
    const map = new sfn.DistributedMap(this, "Scan batches", {
      itemsPath: "$.batches",
      itemSelector: {
        "runId.$": "$.runId",
        "generatedAt.$": "$.generatedAt",
        "batch.$": "$$.Map.Item.Value",
      },
      maxConcurrency: fanOut.maxConcurrency,
      resultPath: "$.outcomes",
    });
    new CfnOutput(this, "ScanBatchConcurrency", {
      description: `Scan batches run at once: each at 1/${fanOut.maxConcurrency} of every rate (${fanOut.binding}: ${fanOut.perBatch[fanOut.binding]?.perSecond ?? "?"} calls/s, burst ${fanOut.perBatch[fanOut.binding]?.burst ?? "?"}), ${props.config.scan.concurrency} pairs at once`,
      value: String(fanOut.maxConcurrency),
    });
    map.itemProcessor(scanStep);
    const aggregateStep = new tasks.LambdaInvoke(this, "Aggregate and store", {
      lambdaFunction: aggregate,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        "runId.$": "$.runId",
        "generatedAt.$": "$.generatedAt",
        "discoveryKey.$": "$.discoveryKey",
        "batches.$": "$.outcomes",
      }),
    });
    // The run is stored before either of these; each is retried on its own.
    const runOnly = sfn.TaskInput.fromObject({ "runId.$": "$.runId" });
    const publishStep = new tasks.LambdaInvoke(this, "Publish the report site", {
      lambdaFunction: publish,
      payloadResponseOnly: true,
      payload: runOnly,
      resultPath: "$.published",
    });
    const notifyStep = new tasks.LambdaInvoke(this, "Send notifications", {
      lambdaFunction: notify,
      payloadResponseOnly: true,
      payload: runOnly,
      resultPath: "$.notified",
    });
    for (const step of [publishStep, notifyStep])
      step.addRetry({
        errors: ["States.ALL"],
        maxAttempts: 2,
        interval: Duration.seconds(60),
        backoffRate: 2,
      });
    const retried = (step: tasks.LambdaInvoke) => {
      step.addRetry({
        errors: ["States.ALL"],
        maxAttempts: 2,
        interval: Duration.seconds(60),
        backoffRate: 2,
      });
      return step;
    };
    const plansStep = plans
      ? retried(
          new tasks.LambdaInvoke(this, "Write the DR plans", {
            lambdaFunction: plans,
            payloadResponseOnly: true,
            payload: runOnly,
            resultPath: "$.plans",
          }),
        )
      : undefined;
    // A failure of freshness or the plans never holds back the scan's report and email: each is
    // caught, the next part goes on, and the execution fails at the end with the cause.
    plansStep?.addCatch(publishStep, { resultPath: "$.plansFailure" });
    const freshnessStep = freshness
      ? retried(
          new tasks.LambdaInvoke(this, "Measure freshness", {
            lambdaFunction: freshness,
            payloadResponseOnly: true,
            payload: runOnly,
            resultPath: "$.freshness",
          }),
        )
      : undefined;
    freshnessStep?.addCatch(plansStep ?? publishStep, { resultPath: "$.freshnessFailure" });
    let chain = planStep.next(map).next(aggregateStep);
    if (freshnessStep) chain = chain.next(freshnessStep);
    if (plansStep) chain = chain.next(plansStep);
    chain = chain.next(publishStep).next(notifyStep);
    let definition: sfn.IChainable = chain;
    if (freshnessStep || plansStep) {
      const done = new sfn.Succeed(this, "Done");
      const verdict = new sfn.Choice(this, "Did every part finish?")
        .when(
          sfn.Condition.isPresent("$.freshnessFailure"),
          new sfn.Fail(this, "Freshness could not be measured", {
            error: "FreshnessFailed",
            causePath: "$.freshnessFailure.Cause",
          }),
        )
        .when(
          sfn.Condition.isPresent("$.plansFailure"),
          new sfn.Fail(this, "The DR plans could not be written", {
            error: "PlansFailed",
            causePath: "$.plansFailure.Cause",
          }),
        )
        .otherwise(done);
      if (freshnessStep) {
        const notifyFreshnessStep = retried(
          new tasks.LambdaInvoke(this, "Send freshness notifications", {
            lambdaFunction: notify,
            payloadResponseOnly: true,
            payload: sfn.TaskInput.fromObject({ "runId.$": "$.freshness.runId" }),
            resultPath: "$.freshnessNotified",
          }),
        );
        definition = chain.next(
          new sfn.Choice(this, "Was freshness measured?")
            .when(sfn.Condition.isString("$.freshness.runId"), notifyFreshnessStep.next(verdict))
            .otherwise(verdict),
        );
      } else definition = chain.next(verdict);
    }
    this.stateMachine = tracedWorkflow(this, "ScheduledScan", definition, Duration.hours(2));

    new events.Rule(this, "Schedule", {
      schedule: events.Schedule.expression(props.schedule),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });

    this.changes = new ChangeEvents(this, "ChangeEvents", {
      table: this.table,
      fn,
      sourceAccounts: props.changeSourceAccounts ?? Object.keys(props.config.accounts),
    });

    this.failover = props.failover
      ? new FailoverWorkflow(this, "Failover", { table: this.table, fn, ...props.failover })
      : undefined;

    // Every cdk-nag finding accepted, one by one, each with its reason.
    const logicalId = (c: IConstruct) => this.getLogicalId(c.node.defaultChild as CfnElement);
    const accept = (finding: string, reason: string) =>
      Validations.of(this).acknowledge({ id: `AwsSolutions::${finding}`, reason });
    accept(
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "Grants only writes to each function's own CloudWatch log group.",
    );
    accept(
      "AwsSolutions-IAM5[Resource::*]",
      "The scan's and the runbooks' Describe/List/Get actions (ELBv2, EC2, ACM, Route 53, Auto Scaling, RDS, CloudWatch) and X-Ray writes support no resource-level permissions; KMS is allowed only through SSM (kms:ViaService). The failover function's mutating actions are granted on the resources its runbooks name.",
    );
    for (const action of ["s3:Abort*", "s3:GetBucket*", "s3:GetObject*", "s3:List*"]) {
      accept(`AwsSolutions-IAM5[Action::${action}]`, "CDK's object grants, limited to drctl's own buckets.");
    }
    for (const bucket of [site, results])
      accept(
        `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/*]`,
        "Objects under drctl's own bucket.",
      );
    for (const f of [
      plan,
      batch,
      aggregate,
      publish,
      notify,
      ...(freshness ? [freshness] : []),
      ...(plans ? [plans] : []),
    ])
      accept(
        `AwsSolutions-IAM5[Resource::<${logicalId(f)}.Arn>:*]`,
        "The workflow invokes any version of its own function.",
      );
    accept(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:${sesRegion}:<AWS::AccountId>:identity/*]`,
      "The sender identity is chosen in drctl.yaml; sending stays within this account's SES identities.",
    );
    const executions = `arn:<AWS::Partition>:states:${this.region}:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}`;
    for (const suffix of [":*", "/*:*"])
      accept(
        `AwsSolutions-IAM5[Resource::${executions}${suffix}]`,
        "The Distributed Map's child executions of this very workflow.",
      );
  }
}
