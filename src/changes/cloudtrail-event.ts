/**
 * One CloudTrail record (LookupEvents' CloudTrailEvent, or the detail of an EventBridge "AWS API
 * Call via CloudTrail" event) as a change signal: what was called, when, and every ARN and id its
 * request and response name. The scan maps those to pairs; this never needs to know what a pair is.
 * Records are data from AWS: odd shapes give fewer resources or no signal, never a throw.
 */
import type { ChangeSignal, ChangeSource } from "../core/changes.js";

/** How deep and how wide the request and response are walked: a record is small, a policy document is not. */
const MAX_DEPTH = 8;
const MAX_STRINGS = 200;
const MAX_NODES = 5_000;
/** Longer values are documents (policies, certificates, user data), not names. */
const MAX_VALUE_LENGTH = 1_024;

/** Calls that read: CloudTrail marks most with readOnly, but not every service does. */
const READ_ONLY_CALL = /^(Describe|Get|List|Lookup|Search|Head|BatchGet)/;

/** Ids EC2 gives its resources: a prefix and 8 or 17 hex digits. */
const EC2_ID =
  /^(sg|subnet|vpc|vpce|eni|igw|nat|rtb|acl|i|vol|snap|ami|eipalloc|lt|tgw|tgw-attach|pl|pcx|eigw)-[0-9a-f]{8,17}$/;
/** A Route 53 hosted zone id (Z, then capitals and digits), bare or as the API's /hostedzone/ path. */
const HOSTED_ZONE = /^(?:\/hostedzone\/)?(Z(?=[A-Z]*[0-9])[0-9A-Z]{9,32})$/;
/** An SQS queue URL: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or the legacy queue.amazonaws.com). */
const QUEUE_URL = /^https:\/\/(?:sqs\.[a-z0-9-]+|queue)\.amazonaws\.com(?:\.cn)?\/\d{12}\/([^/?#]+)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** What CloudTrail writes in place of a secret (a private key, a password). */
const REDACTED = "HIDDEN_DUE_TO_SECURITY_REASONS";
const ACCOUNT = /^\d{12}$/;

/** Keys whose string values name a resource, whatever the value looks like. */
const NAMING_KEY = /(Name|name|Arn|ARN|arn|Arns|Id|ID|Ids|Identifier)$/;
const NAMING_KEYS = new Set([
  "id",
  "queueUrl",
  "functionName",
  "tableName",
  "topicArn",
  "groupName",
  "autoScalingGroupName",
  "dBInstanceIdentifier",
  "dBClusterIdentifier",
  "alarmName",
  "healthCheckId",
  "restApiId",
  "stageName",
  "clusterArn",
  "volumeId",
  "resource",
]);
/** Keys that end like names but carry the caller's request or an owner, not a resource. */
const NOT_NAMING_KEYS = new Set([
  "requestId",
  "clientToken",
  "accountId",
  "eventId",
  "keyName",
  "roleSessionName",
  // A Route 53 record's routing label ("primary"): the record is named by its name.
  "setIdentifier",
]);

type Json = unknown;

interface Walk {
  found: Set<string>;
  strings: number;
  nodes: number;
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function namesResource(key: string | undefined): boolean {
  if (key === undefined || NOT_NAMING_KEYS.has(key) || /OwnerId$|ownerId$/.test(key)) return false;
  return NAMING_KEYS.has(key) || NAMING_KEY.test(key);
}

/** What one string value adds: itself when it is an ARN, an id or under a naming key; a queue URL's name. */
function addString(walk: Walk, value: string, key: string | undefined): void {
  const text = value.trim();
  if (text === "" || text.length > MAX_VALUE_LENGTH || ACCOUNT.test(text) || text === REDACTED) return;
  const queue = QUEUE_URL.exec(text);
  if (queue?.[1]) {
    walk.found.add(text);
    walk.found.add(decodeURIComponent(queue[1]));
    return;
  }
  const zone = HOSTED_ZONE.exec(text);
  if (zone?.[1]) {
    walk.found.add(zone[1]);
    return;
  }
  if (text.startsWith("arn:") || EC2_ID.test(text) || (namesResource(key) && !text.startsWith("/change/")))
    walk.found.add(text);
}

function walkValue(walk: Walk, value: Json, key: string | undefined, depth: number): void {
  if (depth > MAX_DEPTH || walk.strings >= MAX_STRINGS || walk.nodes >= MAX_NODES) return;
  walk.nodes++;
  if (typeof value === "string") {
    walk.strings++;
    addString(walk, value, key);
  } else if (Array.isArray(value)) {
    // An array's items are named by the array's key (resourceArns: [...], targets: [{ id }]).
    for (const item of value) walkValue(walk, item, key, depth + 1);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) walkValue(walk, v, k, depth + 1);
  }
}

/** Every ARN and id the values name, each once, in the order met. */
export function resourcesIn(...values: Json[]): string[] {
  const walk: Walk = { found: new Set(), strings: 0, nodes: 0 };
  for (const value of values) walkValue(walk, value, undefined, 0);
  return [...walk.found];
}

/** The record's resources[].ARN (CloudTrail fills it for the services that say what they touched). */
function recordArns(record: Record<string, Json>): string[] {
  const listed = Array.isArray(record["resources"]) ? record["resources"] : [];
  return listed.flatMap((r) => (isRecord(r) && typeof r["ARN"] === "string" ? [r["ARN"]] : []));
}

/** An ISO 8601 time from what a record or an event carries, or undefined when it is not a time. */
export function isoTime(value: Json): string | undefined {
  if (typeof value !== "string" && typeof value !== "number" && !(value instanceof Date)) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** Whether the record is a call that changed something and succeeded. */
function isSuccessfulChange(record: Record<string, Json>, eventName: string): boolean {
  const readOnly = record["readOnly"];
  if (readOnly === true || readOnly === "true") return false;
  if (READ_ONLY_CALL.test(eventName)) return false;
  if (record["errorCode"] !== undefined && record["errorCode"] !== null) return false;
  // Console sign-ins and the like change no resource.
  return record["eventType"] !== "AwsConsoleSignIn";
}

/**
 * The change one CloudTrail record says was made, or undefined for a read, a failed call or a
 * record that names no call or no time. `fallbackRegion`: where the record was read (LookupEvents'
 * region, the EventBridge event's), for a record without awsRegion.
 */
export function changeOfCloudTrailEvent(
  record: Json,
  fallbackRegion: string,
  source: ChangeSource = "cloudtrail",
): ChangeSignal | undefined {
  if (!isRecord(record)) return undefined;
  const what = record["eventName"];
  const at = isoTime(record["eventTime"]);
  if (typeof what !== "string" || what === "" || at === undefined) return undefined;
  if (!isSuccessfulChange(record, what)) return undefined;
  const region = record["awsRegion"];
  const account = record["recipientAccountId"];
  const resources = [
    ...new Set([
      ...recordArns(record),
      ...resourcesIn(record["requestParameters"], record["responseElements"]),
    ]),
  ];
  return {
    source,
    what,
    at,
    region: typeof region === "string" && REGION.test(region) ? region : fallbackRegion,
    ...(typeof account === "string" && ACCOUNT.test(account) ? { account } : {}),
    resources,
  };
}

const CLOUDTRAIL_CALL = "AWS API Call via CloudTrail";
const ALARM_STATE_CHANGE = "CloudWatch Alarm State Change";

/**
 * ACM's own events that change what a scan reads of a certificate without an API call anyone
 * made: a managed renewal (Available), a rotation, a revocation, an expiry. Each names the
 * certificate's ARN in `resources`. ACM's daily "Approaching Expiration" changes nothing: a scan
 * already computes expiry from what it stored.
 */
export const ACM_CERTIFICATE_EVENTS = [
  "ACM Certificate Available",
  "ACM Certificate Rotated",
  "ACM Certificate Revoked",
  "ACM Certificate Expired",
] as const;

/** A service's own event naming what changed in `resources` (and `also`), at the event's time. */
function serviceEventChange(
  event: Record<string, Json>,
  region: string,
  what: string,
  also: Json[] = [],
): ChangeSignal | undefined {
  const at = isoTime(event["time"]);
  if (at === undefined) return undefined;
  const listed: Json[] = Array.isArray(event["resources"]) ? (event["resources"] as Json[]) : [];
  const names = [...listed, ...also].filter((v): v is string => typeof v === "string" && v !== "");
  if (names.length === 0) return undefined;
  const account = event["account"];
  return {
    source: "event-rule",
    what,
    at,
    region,
    ...(typeof account === "string" && ACCOUNT.test(account) ? { account } : {}),
    resources: [...new Set(names)],
  };
}

/** An alarm that changed state: its ARN and name. */
function alarmStateChange(event: Record<string, Json>, region: string): ChangeSignal | undefined {
  const detail = isRecord(event["detail"]) ? event["detail"] : {};
  const listed: Json[] = Array.isArray(event["resources"]) ? (event["resources"] as Json[]).slice(0, 1) : [];
  return serviceEventChange({ ...event, resources: listed }, region, "AlarmStateChange", [
    detail["alarmName"],
  ]);
}

/**
 * The change an EventBridge event says was made: an API call CloudTrail delivered, an alarm's
 * state change, or a certificate ACM renewed, rotated, revoked or let expire; any other event, or
 * one that is not a change, is undefined.
 */
export function changeOfEventBridgeEvent(event: Json): ChangeSignal | undefined {
  if (!isRecord(event)) return undefined;
  const region = typeof event["region"] === "string" && REGION.test(event["region"]) ? event["region"] : "";
  const kind = event["detail-type"];
  if (kind === CLOUDTRAIL_CALL) {
    const change = changeOfCloudTrailEvent(event["detail"], region, "event-rule");
    if (!change || change.region === "") return undefined;
    const account = event["account"];
    return change.account === undefined && typeof account === "string" && ACCOUNT.test(account)
      ? { ...change, account }
      : change;
  }
  if (kind === ALARM_STATE_CHANGE && region !== "") return alarmStateChange(event, region);
  const acm = ACM_CERTIFICATE_EVENTS.find((k) => k === kind);
  if (acm && event["source"] === "aws.acm" && region !== "")
    return serviceEventChange(event, region, acm.replace(/ /g, ""));
  return undefined;
}
