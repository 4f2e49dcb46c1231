/** CloudWatch alarm pairs: twins on their own region's load balancer, and a planted difference. */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../../../src/aws/client-factory.js";
import { regionTag } from "../../../demo/world/options.js";
import { drTagList, required, twinNames, type BuiltPairs, type PairRegions } from "./common.js";

/** An alarm on the region's load balancer's 5xx count; its ARN. */
export async function createAlarm(
  aws: AwsClients,
  region: string,
  name: string,
  over: Partial<PutMetricAlarmCommandInput> = {},
): Promise<string> {
  const cloudwatch = aws.get(CloudWatchClient, region);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_ELB_5XX_Count",
      Dimensions: [{ Name: "LoadBalancer", Value: `app/api-${regionTag(region)}/0123456789abcdef` }],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      ...over,
    }),
  );
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return required(out.MetricAlarms?.[0]?.AlarmArn, `ARN for alarm ${name}`);
}

async function alarmPair(
  aws: AwsClients,
  r: PairRegions,
  names: { primary: string; standby: string },
  standby: Partial<PutMetricAlarmCommandInput>,
) {
  const standbyArn = await createAlarm(aws, r.standbyRegion, names.standby, standby);
  const primaryArn = await createAlarm(aws, r.primaryRegion, names.primary, { Tags: drTagList(standbyArn) });
  return { name: names.primary, primaryArn, standbyArn };
}

export async function buildCloudwatchAlarmPairs(aws: AwsClients, r: PairRegions): Promise<BuiltPairs> {
  const identical = [await alarmPair(aws, r, twinNames("region-code", "api-5xx", r), {})];
  const planted = [
    {
      ...(await alarmPair(aws, r, twinNames("role", "errors", r), { Threshold: 50 })),
      ruleId: "cloudwatch-alarm.threshold",
    },
  ];
  return { type: "cloudwatch-alarm", identical, planted };
}
