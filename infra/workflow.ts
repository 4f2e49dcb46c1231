import { RemovalPolicy, type Duration } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";

/** A Step Functions workflow as drctl deploys them: traced, every state's transition logged (not its data) for a month. */
export function tracedWorkflow(
  scope: Construct,
  id: string,
  chain: sfn.IChainable,
  timeout: Duration,
): sfn.StateMachine {
  return new sfn.StateMachine(scope, id, {
    definitionBody: sfn.DefinitionBody.fromChainable(chain),
    timeout,
    tracingEnabled: true,
    logs: {
      destination: new logs.LogGroup(scope, "WorkflowLogs", {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: sfn.LogLevel.ALL,
      // States' input and output stay out of the logs: they carry plans and messages of runs.
      includeExecutionData: false,
    },
  });
}
