import type { StepKind } from "./step.js";
import { approvalStep } from "./steps/approval.js";
import { auroraGlobalFailoverStep } from "./steps/aurora-global-failover.js";
import { auroraGlobalSwitchoverStep } from "./steps/aurora-global-switchover.js";
import { ec2CopyImageStep } from "./steps/ec2-copy-image.js";
import { ec2CreateImageStep } from "./steps/ec2-create-image.js";
import { ec2PruneImagesStep } from "./steps/ec2-prune-images.js";
import { elbv2WaitHealthyStep } from "./steps/elbv2-wait-healthy.js";
import { globalAcceleratorTrafficDialStep } from "./steps/globalaccelerator-traffic-dial.js";
import { httpCheckStep } from "./steps/http-check.js";
import { lambdaInvokeStep } from "./steps/lambda-invoke.js";
import { notifyStep } from "./steps/notify.js";
import { autoscalingSetCapacityStep } from "./steps/autoscaling-set-capacity.js";
import { fencePrimaryStep } from "./steps/fence-primary.js";
import { rdsCreateReadReplicaStep } from "./steps/rds-create-read-replica.js";
import { rdsPromoteReadReplicaStep } from "./steps/rds-promote-read-replica.js";
import { route53ChangeRecordsStep } from "./steps/route53-change-records.js";
import { route53HealthCheckStep } from "./steps/route53-health-check.js";
import { sleepStep } from "./steps/sleep.js";
import { ssmPutParametersStep } from "./steps/ssm-put-parameters.js";
import { faultAutoscalingZeroStep } from "./steps/fault-autoscaling-zero.js";
import { commandStep, faultCommandStep } from "./steps/fault-command.js";
import { ec2StartInstancesStep, faultEc2StopStep } from "./steps/fault-ec2-stop.js";
import { faultFisExperimentStep, fisStopExperimentStep } from "./steps/fault-fis-experiment.js";
import { faultRoute53HealthCheckStep } from "./steps/fault-route53-health-check.js";
import { faultSecurityGroupDenyStep } from "./steps/fault-security-group-deny.js";
import {
  elbv2HealthCheckPathStep,
  faultTargetGroupHealthPathStep,
} from "./steps/fault-target-group-health-path.js";

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
      auroraGlobalSwitchoverStep,
      auroraGlobalFailoverStep,
      globalAcceleratorTrafficDialStep,
      elbv2WaitHealthyStep,
      httpCheckStep,
      notifyStep,
      lambdaInvokeStep,
      ec2CreateImageStep,
      ec2CopyImageStep,
      ec2PruneImagesStep,
      // Faults for drills (drctl drill), each with the kind that undoes it where no other does.
      faultRoute53HealthCheckStep,
      faultAutoscalingZeroStep,
      faultEc2StopStep,
      ec2StartInstancesStep,
      faultSecurityGroupDenyStep,
      faultTargetGroupHealthPathStep,
      elbv2HealthCheckPathStep,
      faultFisExperimentStep,
      fisStopExperimentStep,
      faultCommandStep,
      commandStep,
    ] as StepKind<never>[]
  ).map((k) => [k.kind, k as StepKind<unknown>]),
);
