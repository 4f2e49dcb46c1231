/**
 * How CloudWatch alarms pair: the tagging API returns alarms, so tagged primaries come from the
 * run's one region-wide GetResources listing; alarms are described by name, 100 a call, in their
 * own region and account (DescribeAlarms takes names, not ARNs).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type CompositeAlarm,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import type { Arn } from "../../aws/arn.js";
import type { AwsClients } from "../../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { PairKind } from "../../pairs/kind.js";
import { taggedThroughTaggingApi } from "../../pairs/tagging-api.js";
import { ownsAlarm } from "../owns.js";

/** An alarm as described: a metric alarm, or a composite one (a rule over other alarms). */
export type Alarm = { composite: false; alarm: MetricAlarm } | { composite: true; alarm: CompositeAlarm };

const NAMES_PER_DESCRIBE = 100;

const arnText = (a: Arn) => `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
}

/** One region's and account's alarms by name; a name AWS does not return does not exist. */
async function describeBatch(aws: AwsClients, batch: readonly Arn[], result: Map<string, Alarm | Error>) {
  const { region, account } = batch[0] as Arn;
  const site = { service: "CloudWatch", operation: "DescribeAlarms", region, account };
  try {
    const out = await aws.get(CloudWatchClient, region, account).send(
      new DescribeAlarmsCommand({
        AlarmNames: batch.map((a) => a.resourceId),
        AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
        MaxRecords: NAMES_PER_DESCRIBE,
      }),
    );
    const byName = new Map<string, Alarm>();
    for (const alarm of out.MetricAlarms ?? [])
      byName.set(alarm.AlarmName ?? "", { composite: false, alarm });
    for (const alarm of out.CompositeAlarms ?? [])
      byName.set(alarm.AlarmName ?? "", { composite: true, alarm });
    for (const a of batch)
      result.set(
        arnText(a),
        byName.get(a.resourceId) ??
          new NotFoundError(
            `no alarm named ${a.resourceId} in ${region}`,
            site,
            "ResourceNotFound",
            undefined,
          ),
      );
  } catch (err) {
    const mapped = mapAwsError(err, site);
    for (const a of batch) result.set(arnText(a), mapped);
  }
}

/** Alarms by ARN, 100 names a call, grouped by region and account. */
async function describe(aws: AwsClients, arns: readonly Arn[]): Promise<Map<string, Alarm | Error>> {
  const result = new Map<string, Alarm | Error>();
  const groups = new Map<string, Arn[]>();
  for (const arn of arns) {
    const key = `${arn.region}|${arn.account}`;
    groups.set(key, [...(groups.get(key) ?? []), arn]);
  }
  await Promise.all(
    [...groups.values()].flatMap((group) =>
      chunks(group, NAMES_PER_DESCRIBE).map((batch) => describeBatch(aws, batch, result)),
    ),
  );
  return result;
}

const kind = {
  type: "cloudwatch-alarm",
  title: "CloudWatch alarm",
  owns: ownsAlarm,
  describe,
  nameOf: (a: Alarm) => a.alarm.AlarmName ?? "",
};

export const cloudwatchAlarmPairing: PairKind<Alarm> = {
  ...kind,
  tagged: taggedThroughTaggingApi(kind),
  incompatible: (primary, standby) =>
    primary.composite === standby.composite
      ? undefined
      : {
          message: `${primary.alarm.AlarmName ?? "?"} is a ${primary.composite ? "composite" : "metric"} alarm but its standby is a ${standby.composite ? "composite" : "metric"} one`,
          primary: primary.composite ? "composite" : "metric",
          standby: standby.composite ? "composite" : "metric",
        },
};

export { ownsAlarm };
