/**
 * The catalogue: every resource type the scan compares, every data-store type freshness measures,
 * every rule either can report, and every step kind a runbook (or a drill's fault) may use. The
 * top of the dependency order: the only module that imports every type and kind; engines receive
 * these lists as arguments and never import a type themselves. Adding a type is its folder, one
 * line here and its entry in src/resources/readiness-types.ts (what a scan knows of it before
 * loading it); adding a step or fault kind is its file in src/runbook/steps/ and one line here.
 */
import type { RuleInfo } from "./core/finding.js";
import { auroraStoreType } from "./datastores/aurora/index.js";
import { backupStoreType } from "./datastores/backup/index.js";
import { dynamodbStoreType } from "./datastores/dynamodb/index.js";
import { efsStoreType } from "./datastores/efs/index.js";
import { elasticacheStoreType } from "./datastores/elasticache/index.js";
import { imagesStoreType } from "./datastores/images/index.js";
import { rdsStoreType } from "./datastores/rds/index.js";
import { s3StoreType } from "./datastores/s3/index.js";
import { storeReadError, type StoreType } from "./datastores/type.js";
import { drillRuleInfos } from "./drill/rules.js";
import { PAIR_RULES } from "./pairs/rules.js";
import { apigatewayStageType } from "./resources/apigateway-stage/type.js";
import { autoscalingGroupType } from "./resources/autoscaling-group/type.js";
import { classicLoadBalancerType } from "./resources/classic-load-balancer/type.js";
import { cloudwatchAlarmType } from "./resources/cloudwatch-alarm/type.js";
import { dynamodbTableType } from "./resources/dynamodb-table/type.js";
import { ebsVolumeType } from "./resources/ebs-volume/type.js";
import { loadBalancerType } from "./resources/load-balancer/type.js";
import { mskClusterType } from "./resources/msk-cluster/type.js";
import { rdsClusterType } from "./resources/rds-cluster/type.js";
import { rdsInstanceType } from "./resources/rds-instance/type.js";
import { vpcType } from "./resources/vpc/type.js";
import { readErrorRule, type ResourceModule, type ResourceType, type ScanType } from "./resources/module.js";
import { READINESS_TYPES } from "./resources/readiness-types.js";
import { route53HealthCheckType } from "./resources/route53-health-check/type.js";
import { lambdaFunctionType } from "./resources/lambda-function/type.js";
import { sqsQueueType } from "./resources/sqs-queue/type.js";
import { snsTopicType } from "./resources/sns-topic/type.js";
import { StepKinds } from "./runbook/kinds.js";
import type { StepKind } from "./runbook/step.js";
import { approvalStep } from "./runbook/steps/approval.js";
import { auroraGlobalFailoverStep } from "./runbook/steps/aurora-global-failover.js";
import { auroraGlobalSwitchoverStep } from "./runbook/steps/aurora-global-switchover.js";
import { autoscalingSetCapacityStep } from "./runbook/steps/autoscaling-set-capacity.js";
import { ec2CopyImageStep } from "./runbook/steps/ec2-copy-image.js";
import { ec2CreateImageStep } from "./runbook/steps/ec2-create-image.js";
import { ec2PruneImagesStep } from "./runbook/steps/ec2-prune-images.js";
import { elbv2WaitHealthyStep } from "./runbook/steps/elbv2-wait-healthy.js";
import { faultAutoscalingZeroStep } from "./runbook/steps/fault-autoscaling-zero.js";
import { commandStep, faultCommandStep } from "./runbook/steps/fault-command.js";
import { ec2StartInstancesStep, faultEc2StopStep } from "./runbook/steps/fault-ec2-stop.js";
import { faultFisExperimentStep, fisStopExperimentStep } from "./runbook/steps/fault-fis-experiment.js";
import { faultRoute53HealthCheckStep } from "./runbook/steps/fault-route53-health-check.js";
import { faultSecurityGroupDenyStep } from "./runbook/steps/fault-security-group-deny.js";
import {
  elbv2HealthCheckPathStep,
  faultTargetGroupHealthPathStep,
} from "./runbook/steps/fault-target-group-health-path.js";
import { fencePrimaryStep } from "./runbook/steps/fence-primary.js";
import { globalAcceleratorTrafficDialStep } from "./runbook/steps/globalaccelerator-traffic-dial.js";
import { httpCheckStep } from "./runbook/steps/http-check.js";
import { lambdaInvokeStep } from "./runbook/steps/lambda-invoke.js";
import { notifyStep } from "./runbook/steps/notify.js";
import { rdsCreateReadReplicaStep } from "./runbook/steps/rds-create-read-replica.js";
import { rdsPromoteReadReplicaStep } from "./runbook/steps/rds-promote-read-replica.js";
import { route53ChangeRecordsStep } from "./runbook/steps/route53-change-records.js";
import { route53HealthCheckStep } from "./runbook/steps/route53-health-check.js";
import { sleepStep } from "./runbook/steps/sleep.js";
import { ssmPutParametersStep } from "./runbook/steps/ssm-put-parameters.js";

/**
 * Every type the readiness scan pairs, each with the modules that compare a pair of it (a load
 * balancer with its listeners, target groups, security groups, certificates and DNS records),
 * imported here in full for the rule catalogue and the permissions.
 */
const LOADED_TYPES: readonly ResourceType<never>[] = [
  loadBalancerType,
  autoscalingGroupType,
  cloudwatchAlarmType,
  route53HealthCheckType,
  sqsQueueType,
  lambdaFunctionType,
  rdsInstanceType,
  rdsClusterType,
  dynamodbTableType,
  snsTopicType,
  vpcType,
  ebsVolumeType,
  classicLoadBalancerType,
  apigatewayStageType,
  mskClusterType,
] as ResourceType<never>[];

/**
 * The same types as a scan receives them: each loads its pairing and modules (and their AWS SDK
 * clients) when it needs them, so a scan loads only the types it finds. catalog.test.ts checks
 * that they are these types.
 */
export const RESOURCE_TYPES: readonly ScanType<never>[] = READINESS_TYPES;

/** The types as loaded here, in the order of RESOURCE_TYPES (for the check that they agree). */
export const RESOURCE_TYPES_LOADED = LOADED_TYPES;

/** Every module of every resource type, for the rule catalogue and the permissions. */
export const RESOURCE_MODULES: readonly ResourceModule<unknown>[] = LOADED_TYPES.flatMap(
  (t) => t.modules as readonly ResourceModule<unknown>[],
);

/** Every data-store type freshness measures. */
export const STORE_TYPES: readonly StoreType[] = [
  rdsStoreType,
  auroraStoreType,
  dynamodbStoreType,
  s3StoreType,
  efsStoreType,
  elasticacheStoreType,
  imagesStoreType,
  backupStoreType,
];

/**
 * Every step kind a runbook may use, and the faults a drill may inject (their names start with
 * "fault."), each fault beside the kind that undoes it where no other does.
 */
export const STEP_KINDS = new StepKinds([
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
] as StepKind<never>[]);

/** Every rule a scan, a freshness run or a drill can report, grouped by resource type, in report order. */
export function ruleCatalog(): { type: string; title: string; rules: RuleInfo[] }[] {
  return [
    { type: "pair", title: "Pairs", rules: Object.values(PAIR_RULES) },
    ...RESOURCE_MODULES.map((m) => ({
      type: m.type,
      title: m.title,
      rules: [
        ...m.rules,
        ...(m.missingRule ? [m.missingRule] : []),
        ...(m.extraRules ?? []),
        readErrorRule(m),
      ],
    })),
    // drctl freshness reports data-protection posture in the same shape.
    ...STORE_TYPES.map((t) => ({
      type: t.type,
      title: `${t.title} (drctl freshness)`,
      rules: [...t.rules, storeReadError(t)],
    })),
    // drctl drill reports what it saw before, during and after its fault in the same shape.
    { type: "drill", title: "Drills (drctl drill)", rules: drillRuleInfos() },
  ];
}

/** Every rule id a scan, a freshness run or a drill can report (what drctl.yaml's suppressions may name). */
export function ruleIds(): string[] {
  return ruleCatalog().flatMap((g) => g.rules.map((r) => r.id));
}

export function rulesMarkdown(): string {
  const out = [
    "# Readiness and data-protection rules",
    "",
    "Generated from the rule objects in `src/` by `npm run docs`; a test fails when this file is stale.",
    "Each finding names its rule id. Severities: critical, high, medium, low, info.",
  ];
  for (const group of ruleCatalog()) {
    out.push("", `## ${group.title} (\`${group.type}\`)`);
    for (const r of group.rules) {
      out.push(
        "",
        `### \`${r.id}\` (${r.severity})`,
        "",
        `**${r.title}.**`,
        "",
        `- Compares: ${r.compares}.`,
        `- Why it matters in a failover: ${r.rationale}`,
        `- How to fix: ${r.remediation}`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}
