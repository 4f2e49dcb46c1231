/**
 * Changes CloudTrail's event history holds for one region: the write calls made since a time,
 * through LookupEvents (90 days of management events, on in every account, no trail needed).
 * A region this cannot read (denied, not enabled) is `unavailable`, never a throw: the scan then
 * sweeps what it would have told.
 */
import { CloudTrailClient, LookupEventsCommand, type Event } from "@aws-sdk/client-cloudtrail";
import type { AwsClients } from "../aws/client-factory.js";
import type { CallSite } from "../aws/errors.js";
import { ops } from "../aws/services.js";
import type { ChangeSignal, SignalReport } from "../core/changes.js";
import { changeOfCloudTrailEvent } from "./cloudtrail-event.js";
import { attempt, lookBack, overflowed, reasonOf, unavailable } from "./unavailable.js";

export const CLOUDTRAIL_PERMISSIONS = ops("CloudTrail", "LookupEvents");

/**
 * CloudTrail delivers an event to its history minutes after the call (about 5 on average, with
 * no guarantee). A call made just before the last scan began may have been missing from that
 * scan's look-up; reading this far back before `since` finds it now.
 */
export const CLOUDTRAIL_DELIVERY_MARGIN_SECONDS = 900;
/** Beyond this many write events a full read is the cheaper one (LookupEvents gives 50 a call, 2 calls a second). */
export const CLOUDTRAIL_MAX_EVENTS = 10_000;
const PAGE_SIZE = 50;

export interface CloudTrailOptions {
  /** How far before `since` to read (default CLOUDTRAIL_DELIVERY_MARGIN_SECONDS). */
  marginSeconds?: number;
  /** More write events than this: unavailable (default CLOUDTRAIL_MAX_EVENTS). */
  maxEvents?: number;
  /** The end of the window (default: now). */
  now?: Date;
}

/**
 * The change one LookupEvents event says was made: its CloudTrailEvent record, with the event's
 * own name, time and resources where the record lacks them (or is not JSON).
 */
export function changeOfLookupEvent(event: Event, region: string): ChangeSignal | undefined {
  if (event.ReadOnly === "true") return undefined;
  let record: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(event.CloudTrailEvent ?? "{}");
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      record = parsed as Record<string, unknown>;
  } catch {
    // The event's own fields below still say what was called and when.
  }
  const change = changeOfCloudTrailEvent(
    { eventName: event.EventName, eventTime: event.EventTime, ...record },
    region,
    "cloudtrail",
  );
  if (!change) return undefined;
  const named = (event.Resources ?? []).flatMap((r) => (r.ResourceName ? [r.ResourceName] : []));
  return { ...change, resources: [...new Set([...change.resources, ...named])] };
}

/**
 * Every write call CloudTrail recorded in `region` (of `account`, default the caller's) from
 * `since` (less the delivery margin) to now, each a change; reads and failed calls are left out.
 */
export async function cloudTrailChanges(
  aws: AwsClients,
  region: string,
  since: Date,
  account?: string,
  options: CloudTrailOptions = {},
): Promise<SignalReport> {
  const site: CallSite = {
    service: "CloudTrail",
    operation: "LookupEvents",
    region,
    ...(account ? { account } : {}),
  };
  const start = lookBack(since, options.marginSeconds ?? CLOUDTRAIL_DELIVERY_MARGIN_SECONDS);
  const end = options.now ?? new Date();
  const max = options.maxEvents ?? CLOUDTRAIL_MAX_EVENTS;
  const changes: ChangeSignal[] = [];
  try {
    const client = aws.get(CloudTrailClient, region, account);
    let token: string | undefined;
    let events = 0;
    do {
      const page = await attempt(site, () =>
        client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "false" }],
            StartTime: start,
            EndTime: end,
            MaxResults: PAGE_SIZE,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const event of page.Events ?? []) {
        const change = changeOfLookupEvent(event, region);
        // The history read is the account's own: a record that does not say whose it is, is that account's.
        if (change) changes.push(change.account === undefined && account ? { ...change, account } : change);
      }
      events += page.Events?.length ?? 0;
      if (events > max)
        return overflowed(
          "cloudtrail",
          region,
          account,
          `CloudTrail.LookupEvents in ${region}: more than ${max} write events since ${start.toISOString()}; a full read is cheaper`,
        );
      token = page.NextToken;
    } while (token);
  } catch (err) {
    return unavailable("cloudtrail", region, account, reasonOf(err, site));
  }
  return { source: "cloudtrail", region, ...(account ? { account } : {}), changes };
}
