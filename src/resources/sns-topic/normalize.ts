/** What the rules compare of a topic and its subscriptions, as meaning, never as ARNs. */
import type { Subscription } from "@aws-sdk/client-sns";

/** A topic as GetTopicAttributes reads it, with its ARN and name. */
export interface Topic {
  arn: string;
  name: string;
  attributes: Readonly<Record<string, string | undefined>>;
}

/** A subscription as ListSubscriptionsByTopic lists it, with its attributes when it is confirmed. */
export interface ReadSubscription {
  listed: Subscription;
  attributes?: Readonly<Record<string, string | undefined>>;
}

/** Delivery settings of one subscription whose endpoint is the same in both regions. */
export interface Delivery {
  /** The filter policy as canonical JSON (keys sorted), or null when it has none. */
  filterPolicy: string | null;
  filterPolicyScope: string | null;
  rawMessageDelivery: boolean;
}

export interface NormalizedTopic {
  fifo: boolean;
  displayName: string;
  kms: boolean;
  /** null for a standard topic, where content-based deduplication does not apply. */
  contentBasedDeduplication: boolean | null;
  /** Subscriptions of protocols whose endpoints differ per region (sqs, lambda, ...), counted by protocol. */
  subscriptions: Record<string, number>;
  /** Endpoints of protocols whose endpoints are the same in both regions (email, https, ...), by protocol. */
  endpoints: Record<string, { $set: string[] }>;
  /** Subscriptions pending confirmation, counted by protocol. */
  pending: Record<string, number>;
  /** Delivery settings of confirmed subscriptions of those protocols, by "protocol endpoint". */
  delivery: Record<string, Delivery>;
}

/** Protocols whose endpoints (addresses, URLs, phone numbers) a standby shares with its primary. */
export const SHARED_ENDPOINT_PROTOCOLS: ReadonlySet<string> = new Set([
  "email",
  "email-json",
  "http",
  "https",
  "sms",
]);

/** Whether a listed subscription still waits for its endpoint to confirm it. */
export const isPending = (s: Subscription) => s.SubscriptionArn === "PendingConfirmation";

export const deliveryKey = (s: Subscription) => `${s.Protocol ?? ""} ${s.Endpoint ?? ""}`;

/** A filter policy as canonical JSON, so key order and spacing do not count; unparsable text as written. */
export function canonicalPolicy(text: string | undefined): string | null {
  if (text === undefined || text.trim() === "") return null;
  try {
    return JSON.stringify(sortKeys(JSON.parse(text) as unknown));
  } catch {
    return text;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);

function deliveryOf(attributes: Readonly<Record<string, string | undefined>>): Delivery {
  const filterPolicy = canonicalPolicy(attributes.FilterPolicy);
  return {
    filterPolicy,
    // The scope matters only with a policy (and defaults to MessageAttributes).
    filterPolicyScope: filterPolicy ? (attributes.FilterPolicyScope ?? "MessageAttributes") : null,
    rawMessageDelivery: attributes.RawMessageDelivery === "true",
  };
}

function subscriptionsOf(subs: readonly ReadSubscription[]) {
  const out = {
    subscriptions: {} as Record<string, number>,
    endpoints: {} as Record<string, { $set: string[] }>,
    pending: {} as Record<string, number>,
    delivery: {} as Record<string, Delivery>,
  };
  for (const { listed, attributes } of subs) {
    const protocol = listed.Protocol ?? "";
    if (isPending(listed)) count(out.pending, protocol);
    if (!SHARED_ENDPOINT_PROTOCOLS.has(protocol)) {
      count(out.subscriptions, protocol);
      continue;
    }
    (out.endpoints[protocol] ??= { $set: [] }).$set.push(listed.Endpoint ?? "");
    if (attributes) out.delivery[deliveryKey(listed)] = deliveryOf(attributes);
  }
  for (const e of Object.values(out.endpoints)) e.$set.sort();
  return out;
}

export function normalizeTopic(topic: Topic, subs: readonly ReadSubscription[]): NormalizedTopic {
  const a = topic.attributes;
  const fifo = a.FifoTopic === "true";
  return {
    fifo,
    displayName: a.DisplayName ?? "",
    kms: (a.KmsMasterKeyId ?? "") !== "",
    contentBasedDeduplication: fifo ? a.ContentBasedDeduplication === "true" : null,
    ...subscriptionsOf(subs),
  };
}
