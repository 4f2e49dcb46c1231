import type { StepKind } from "./step.js";
import { approvalStep } from "./steps/approval.js";
import { autoscalingSetCapacityStep } from "./steps/autoscaling-set-capacity.js";
import { fencePrimaryStep } from "./steps/fence-primary.js";
import { rdsCreateReadReplicaStep } from "./steps/rds-create-read-replica.js";
import { rdsPromoteReadReplicaStep } from "./steps/rds-promote-read-replica.js";
import { route53ChangeRecordsStep } from "./steps/route53-change-records.js";
import { route53HealthCheckStep } from "./steps/route53-health-check.js";
import { sleepStep } from "./steps/sleep.js";
import { ssmPutParametersStep } from "./steps/ssm-put-parameters.js";

/** Every step kind a runbook may use; adding one is a file in steps/ and a line here. */
export const STEP_KINDS: ReadonlyMap<string, StepKind<unknown>> = new Map(
  (
    [
      sleepStep,
      ssmPutParametersStep,
      autoscalingSetCapacityStep,
      route53ChangeRecordsStep,
      rdsPromoteReadReplicaStep,
      approvalStep,
      route53HealthCheckStep,
      rdsCreateReadReplicaStep,
      fencePrimaryStep,
    ] as StepKind<never>[]
  ).map((k) => [k.kind, k as StepKind<unknown>]),
);
