import { diffMaps, diffSets, differ } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { Delivery, NormalizedTopic } from "./normalize.js";

type TopicRule = Rule<NormalizedTopic>;

const onOff = (v: boolean | null) => (v ? "on" : "off");
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** Endpoints by protocol on one side only (an email address, a URL), each as a difference. */
function diffEndpoints(p: NormalizedTopic, s: NormalizedTopic): Difference[] {
  const protocols = [...new Set([...Object.keys(p.endpoints), ...Object.keys(s.endpoints)])].sort();
  return protocols.flatMap((protocol) =>
    diffSets(
      (endpoint) => `endpoints.${protocol}.${endpoint}`,
      p.endpoints[protocol]?.$set ?? [],
      s.endpoints[protocol]?.$set ?? [],
      `the ${protocol} subscription to`,
    ),
  );
}

/** One delivery setting of the subscriptions both sides have (same protocol and endpoint). */
function diffDelivery(
  p: NormalizedTopic,
  s: NormalizedTopic,
  path: string,
  pick: (d: Delivery) => unknown,
  say: (key: string, primary: Delivery, standby: Delivery) => string,
): Difference[] {
  const shared = Object.keys(p.delivery).filter((k) => k in s.delivery);
  return shared.sort().flatMap((key) => {
    const [a, b] = [p.delivery[key] as Delivery, s.delivery[key] as Delivery];
    return differ(`${path}.${key}`, pick(a), pick(b), say(key, a, b));
  });
}

const policyText = (d: Delivery) =>
  d.filterPolicy
    ? `a filter policy on the message ${d.filterPolicyScope === "MessageBody" ? "body" : "attributes"}`
    : "no filter policy";

const topicRules: TopicRule[] = [
  {
    id: "sns-topic.display-name",
    resourceType: "sns-topic",
    severity: "low",
    title: "Display name",
    compares: "the topic's display name (the sender name of its SMS and email messages)",
    rationale: "Recipients see a different sender after failover, and may ignore or filter its messages.",
    remediation: "Set the standby's DisplayName to the primary's (sns set-topic-attributes).",
    check: (p, s) =>
      differ(
        "displayName",
        p.displayName,
        s.displayName,
        `the standby's display name is ${s.displayName || "empty"}, the primary's ${p.displayName || "empty"}`,
      ),
  },
  {
    id: "sns-topic.encryption",
    resourceType: "sns-topic",
    severity: "medium",
    title: "Encryption at rest (KMS)",
    compares:
      "whether the topic encrypts its messages with a KMS key (the key itself is regional and not compared)",
    rationale:
      "Messages published after failover must be protected as the primary's are, for the same audits.",
    remediation: "Set KmsMasterKeyId on the standby topic to a key of its region (sns set-topic-attributes).",
    check: (p, s) =>
      differ(
        "kms",
        p.kms,
        s.kms,
        `KMS encryption is ${onOff(s.kms)} on the standby, ${onOff(p.kms)} on the primary`,
      ),
  },
  {
    id: "sns-topic.content-based-deduplication",
    resourceType: "sns-topic",
    severity: "medium",
    title: "Content-based deduplication (FIFO)",
    compares: "on FIFO topics, whether content-based deduplication is on",
    rationale:
      "Publishers that send no deduplication id are rejected by a FIFO topic without it, and duplicates pass where the primary dropped them.",
    remediation:
      "Set ContentBasedDeduplication on the standby topic to the primary's (sns set-topic-attributes).",
    check: (p, s) =>
      differ(
        "contentBasedDeduplication",
        p.contentBasedDeduplication,
        s.contentBasedDeduplication,
        `content-based deduplication is ${onOff(s.contentBasedDeduplication)} on the standby, ${onOff(p.contentBasedDeduplication)} on the primary`,
      ),
  },
];

const subscriptionRules: TopicRule[] = [
  {
    id: "sns-topic.subscriptions",
    resourceType: "sns-topic",
    severity: "high",
    title: "Subscriptions to regional endpoints, by protocol",
    compares:
      "how many subscriptions of each protocol whose endpoints differ per region (sqs, lambda, firehose, application) each topic has",
    rationale:
      "A message published on the standby reaches no queue or function the primary's would have reached.",
    remediation:
      "Subscribe the standby topic to the standby region's queues and functions, as the primary is to its own.",
    check: (p, s) =>
      diffMaps(
        "subscriptions",
        p.subscriptions,
        s.subscriptions,
        (protocol, a, b) =>
          `the standby has ${plural(Number(b ?? 0), `${protocol} subscription`)}, the primary ${Number(a ?? 0)}`,
      ),
  },
  {
    id: "sns-topic.endpoints",
    resourceType: "sns-topic",
    severity: "high",
    title: "Subscribed addresses and URLs",
    compares: "the endpoints of email, email-json, http, https and sms subscriptions, as sets per protocol",
    rationale: "People and webhooks subscribed to the primary hear nothing from the standby after failover.",
    remediation:
      "Subscribe the same endpoints to the standby topic (sns subscribe), and have them confirmed.",
    check: diffEndpoints,
  },
  {
    id: "sns-topic.pending-confirmation",
    resourceType: "sns-topic",
    severity: "high",
    title: "Subscriptions pending confirmation",
    compares: "how many subscriptions of each protocol wait for their endpoint to confirm them",
    rationale:
      "A subscription pending confirmation receives nothing: the standby delivers to fewer endpoints than it lists.",
    remediation:
      "Have the endpoint confirm the subscription (the link in the confirmation email, or the webhook's SubscribeURL), or subscribe it again.",
    check: (p, s) =>
      diffMaps(
        "pending",
        p.pending,
        s.pending,
        (protocol, a, b) =>
          `the standby has ${plural(Number(b ?? 0), `${protocol} subscription`)} pending confirmation, the primary ${Number(a ?? 0)}`,
      ).map((d) =>
        Number(d.secondary ?? 0) < Number(d.primary ?? 0) ? { ...d, severity: "medium" as const } : d,
      ),
  },
  {
    id: "sns-topic.filter-policy",
    resourceType: "sns-topic",
    severity: "medium",
    title: "Subscription filter policies",
    compares:
      "the filter policy (and its scope) of each email, http(s) or sms subscription both topics have, matched by protocol and endpoint",
    rationale:
      "A subscriber filtered otherwise on the standby receives messages it did not want, or misses those it did.",
    remediation:
      "Set the primary's FilterPolicy and FilterPolicyScope on the standby's subscription (sns set-subscription-attributes).",
    check: (p, s) =>
      diffDelivery(
        p,
        s,
        "filterPolicy",
        (d) => [d.filterPolicy, d.filterPolicyScope],
        (key, a, b) =>
          a.filterPolicy && b.filterPolicy && a.filterPolicyScope === b.filterPolicyScope
            ? `the subscription ${key} filters messages otherwise on the standby than on the primary`
            : `the subscription ${key} has ${policyText(b)} on the standby, ${policyText(a)} on the primary`,
      ),
  },
  {
    id: "sns-topic.raw-message-delivery",
    resourceType: "sns-topic",
    severity: "medium",
    title: "Raw message delivery",
    compares: "whether raw message delivery is on for each http(s) or other subscription both topics have",
    rationale:
      "A subscriber that parses raw messages cannot read JSON envelopes from the standby, and the reverse.",
    remediation:
      "Set RawMessageDelivery on the standby's subscription to the primary's (sns set-subscription-attributes).",
    check: (p, s) =>
      diffDelivery(
        p,
        s,
        "rawMessageDelivery",
        (d) => d.rawMessageDelivery,
        (key, a, b) =>
          `raw message delivery is ${onOff(b.rawMessageDelivery)} for the subscription ${key} on the standby, ${onOff(a.rawMessageDelivery)} on the primary`,
      ),
  },
];

export const snsTopicRules: TopicRule[] = [...topicRules, ...subscriptionRules];
