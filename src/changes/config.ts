/**
 * Changes AWS Config recorded: the resources whose configuration item was captured since a time,
 * through an advanced query, in one region, or across the accounts and regions of an aggregator.
 * Config says only what its recorder records, and only continuously recorded types are told in
 * time: the types it misses are `notCovered`. A region without a recording recorder, or one this
 * cannot read, is `unavailable`, never a throw.
 */
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
  type ConfigurationRecorder,
} from "@aws-sdk/client-config-service";
import type { AwsClients } from "../aws/client-factory.js";
import type { CallSite } from "../aws/errors.js";
import { ops } from "../aws/services.js";
import type { ChangeSignal, SignalReport } from "../core/changes.js";
import { isoTime } from "./cloudtrail-event.js";
import { typesNotCovered } from "./config-types.js";
import { attempt, lookBack, overflowed, reasonOf, unavailable } from "./unavailable.js";

export const CONFIG_PERMISSIONS = ops(
  "Config",
  "DescribeConfigurationRecorders",
  "DescribeConfigurationRecorderStatus",
  "SelectResourceConfig",
);
export const CONFIG_AGGREGATOR_PERMISSIONS = ops("Config", "SelectAggregateResourceConfig");

/** How far before `since` rows are kept: capture times are Config's clock, `since` is this machine's. */
export const CONFIG_CLOCK_MARGIN_SECONDS = 300;
/** Beyond this many changed configuration items a full read is the cheaper one. */
export const CONFIG_MAX_ROWS = 10_000;
const PAGE_SIZE = 100;

export interface ConfigOptions {
  /** A configuration aggregator to query (its accounts and regions) instead of the region's recorder. */
  aggregator?: string;
  /** The account whose Config (or aggregator) is read; default the caller's. */
  account?: string;
  /** How far before `since` to read (default CONFIG_CLOCK_MARGIN_SECONDS). */
  marginSeconds?: number;
  /** More changed items than this: unavailable (default CONFIG_MAX_ROWS). */
  maxRows?: number;
}

/** Whether one recorder records a Config resource type, and continuously (a daily record is a day late). */
export function recordsContinuously(recorder: ConfigurationRecorder, configType: string): boolean {
  const group = recorder.recordingGroup;
  const strategy = group?.recordingStrategy?.useOnly;
  // Config's type names are a closed list in the SDK; drctl's table holds plain strings.
  const excluded: readonly string[] = group?.exclusionByResourceTypes?.resourceTypes ?? [];
  const included: readonly string[] = group?.resourceTypes ?? [];
  const recorded =
    strategy === "EXCLUSION_BY_RESOURCE_TYPES"
      ? !excluded.includes(configType)
      : strategy === "INCLUSION_BY_RESOURCE_TYPES"
        ? included.includes(configType)
        : // No group, or all supported: the API's default is every supported type.
          group === undefined || group.allSupported !== false || included.includes(configType);
  if (!recorded) return false;
  const override = recorder.recordingMode?.recordingModeOverrides?.find((o) =>
    (o.resourceTypes as readonly string[] | undefined)?.includes(configType),
  );
  return (
    (override?.recordingFrequency ?? recorder.recordingMode?.recordingFrequency ?? "CONTINUOUS") ===
    "CONTINUOUS"
  );
}

/**
 * The recorders whose items this account can query and that are recording now; or why there is
 * none. A service-linked recorder with an internal scope keeps its items for its service only.
 */
async function recordingRecorders(
  client: ConfigServiceClient,
  site: CallSite,
): Promise<ConfigurationRecorder[] | string> {
  const described = await attempt({ ...site, operation: "DescribeConfigurationRecorders" }, () =>
    client.send(new DescribeConfigurationRecordersCommand({})),
  );
  const recorders = (described.ConfigurationRecorders ?? []).filter((r) => r.recordingScope !== "INTERNAL");
  if (recorders.length === 0) return `AWS Config has no configuration recorder in ${site.region}`;
  const statuses = await attempt({ ...site, operation: "DescribeConfigurationRecorderStatus" }, () =>
    client.send(new DescribeConfigurationRecorderStatusCommand({})),
  );
  const byName = new Map((statuses.ConfigurationRecordersStatus ?? []).map((s) => [s.name ?? "", s]));
  const recording = recorders.filter((r) => {
    const status = byName.get(r.name ?? "");
    return status?.recording === true && status.lastStatus !== "Failure";
  });
  if (recording.length > 0) return recording;
  const why = recorders.map((r) => {
    const status = byName.get(r.name ?? "");
    return status?.recording === true
      ? `${r.name ?? "?"} failed its last recording (${status.lastErrorCode ?? "no error code"})`
      : `${r.name ?? "?"} is not recording`;
  });
  return `AWS Config in ${site.region}: the configuration recorder ${why.join("; ")}`;
}

/** The query: every resource whose configuration item was captured after `from`. */
export function changedSinceQuery(from: Date): string {
  return (
    "SELECT resourceId, resourceName, resourceType, arn, awsRegion, accountId, configurationItemCaptureTime " +
    `WHERE configurationItemCaptureTime > '${from.toISOString()}'`
  );
}

/** One result row (a JSON string) as a change, or undefined when it is not one captured after `from`. */
export function changeOfConfigRow(row: string, from: Date, region: string): ChangeSignal | undefined {
  let item: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    item = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const at = isoTime(item["configurationItemCaptureTime"]);
  const what = item["resourceType"];
  if (at === undefined || typeof what !== "string" || what === "" || Date.parse(at) < from.getTime())
    return undefined;
  const names = [item["arn"], item["resourceId"], item["resourceName"]];
  const account = item["accountId"];
  return {
    source: "config",
    what,
    at,
    region: typeof item["awsRegion"] === "string" && item["awsRegion"] !== "" ? item["awsRegion"] : region,
    ...(typeof account === "string" && account !== "" ? { account } : {}),
    resources: [...new Set(names.filter((n): n is string => typeof n === "string" && n !== ""))],
  };
}

type Page = { Results?: string[]; NextToken?: string };

/** Every row of a paged query, or undefined when there are more than `max`. */
async function allRows(fetch: (token: string | undefined) => Promise<Page>, max: number) {
  const rows: string[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    rows.push(...(page.Results ?? []));
    if (rows.length > max) return undefined;
    token = page.NextToken;
  } while (token);
  return rows;
}

/**
 * Every resource AWS Config captured a configuration item of since `since` (less the clock
 * margin): in `region`'s recorder, or with `aggregator`, in every account and region it gathers
 * (each change then says its own account and region).
 */
export async function configChanges(
  aws: AwsClients,
  region: string,
  since: Date,
  options: ConfigOptions = {},
): Promise<SignalReport> {
  const { account, aggregator } = options;
  const site: CallSite = { service: "Config", operation: "", region, ...(account ? { account } : {}) };
  const from = lookBack(since, options.marginSeconds ?? CONFIG_CLOCK_MARGIN_SECONDS);
  const max = options.maxRows ?? CONFIG_MAX_ROWS;
  const query = changedSinceQuery(from);
  const operation = aggregator ? "SelectAggregateResourceConfig" : "SelectResourceConfig";
  try {
    const client = aws.get(ConfigServiceClient, region, account);
    let notCovered: string[] = [];
    if (!aggregator) {
      const recorders = await recordingRecorders(client, site);
      if (typeof recorders === "string") return unavailable("config", region, account, recorders);
      notCovered = typesNotCovered((type) => recorders.some((r) => recordsContinuously(r, type)));
    }
    const rows = await allRows(
      (token) =>
        attempt({ ...site, operation }, () =>
          aggregator
            ? client.send(
                new SelectAggregateResourceConfigCommand({
                  Expression: query,
                  ConfigurationAggregatorName: aggregator,
                  Limit: PAGE_SIZE,
                  ...(token ? { NextToken: token } : {}),
                }),
              )
            : client.send(
                new SelectResourceConfigCommand({
                  Expression: query,
                  Limit: PAGE_SIZE,
                  ...(token ? { NextToken: token } : {}),
                }),
              ),
        ),
      max,
    );
    if (!rows)
      return overflowed(
        "config",
        region,
        account,
        `Config.${operation} in ${region}: more than ${max} configuration items changed since ${from.toISOString()}; a full read is cheaper`,
      );
    const changes = rows.flatMap((row) => changeOfConfigRow(row, from, region) ?? []);
    return {
      source: "config",
      region,
      ...(account ? { account } : {}),
      changes,
      ...(notCovered.length > 0 ? { notCovered } : {}),
    };
  } catch (err) {
    return unavailable("config", region, account, reasonOf(err, { ...site, operation }));
  }
}
