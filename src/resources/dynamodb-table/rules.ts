import { diffMaps, differ, show } from "../../core/compare.js";
import type { Difference, Rule } from "../../core/rule.js";
import type { AutoScaling, Key, NormalizedIndex, NormalizedTable } from "./normalize.js";

type TableRule = Rule<NormalizedTable>;

/** Provisioned units within this fraction of the primary's are the same capacity. */
export const CAPACITY_TOLERANCE = 0.2;

const keyText = (k: Key) =>
  k.sort ? `partition key ${k.partition}, sort key ${k.sort}` : `partition key ${k.partition}`;

function indexText(i: NormalizedIndex | undefined): string {
  if (!i) return "absent";
  const include = i.projection.include.$set;
  const projection = include.length > 0 ? `${i.projection.type} (${include.join(", ")})` : i.projection.type;
  return `${keyText(i.key)}, projecting ${projection}`;
}

function diffIndexes(path: string, what: string, p: NormalizedTable, s: NormalizedTable): Difference[] {
  const [a, b] =
    path === "globalIndexes" ? [p.globalIndexes, s.globalIndexes] : [p.localIndexes, s.localIndexes];
  return diffMaps(path, a, b, (name) =>
    b[name] === undefined
      ? `the standby lacks the ${what} ${name} (primary: ${indexText(a[name])})`
      : a[name] === undefined
        ? `the standby has a ${what} ${name} the primary lacks (${indexText(b[name])})`
        : `the ${what} ${name} is ${indexText(b[name])} on the standby, ${indexText(a[name])} on the primary`,
  );
}

/** Whether `b` is within the tolerance of `a` (the primary's value). */
const within = (a: number, b: number) => Math.abs(b - a) <= a * CAPACITY_TOLERANCE;

/**
 * Provisioned units farther than the tolerance from the primary's, each as a difference. A
 * dimension auto scaled on both sides is left to the auto-scaling rule: its current units follow
 * the load, and an idle standby is scaled down.
 */
function diffCapacity(p: NormalizedTable, s: NormalizedTable): Difference[] {
  if (!p.capacity || !s.capacity) return [];
  // Without either side's auto scaling, a difference in units may be only the load: the
  // auto-scaling rule says what could not be read.
  if (p.autoScalingUnread !== undefined || s.autoScalingUnread !== undefined) return [];
  const [a, b] = [p.capacity, s.capacity];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) => !(p.autoScaling[key] && s.autoScaling[key]))
    .sort();
  return keys.flatMap((key): Difference[] => {
    const [pa, sb] = [a[key] ?? 0, b[key] ?? 0];
    if (within(pa, sb)) return [];
    return [
      {
        path: `capacity.${key}`,
        primary: a[key] ?? null,
        secondary: b[key] ?? null,
        message: `the standby's provisioned ${key} capacity is ${sb} units, the primary's ${pa} (more than ${CAPACITY_TOLERANCE * 100}% apart)`,
      },
    ];
  });
}

const scalingText = (a: AutoScaling) =>
  `${a.min} to ${a.max} units${a.targetUtilization === null ? ", no target-tracking policy" : `, tracking ${a.targetUtilization}% utilisation`}`;

/** One auto scaled dimension on both sides: its bounds and its target, each within the tolerance. */
function diffScalingOf(key: string, a: AutoScaling, b: AutoScaling): Difference[] {
  const bounds = (["min", "max"] as const).flatMap((bound): Difference[] =>
    within(a[bound], b[bound])
      ? []
      : [
          {
            path: `autoScaling.${key}.${bound}`,
            primary: a[bound],
            secondary: b[bound],
            message: `the standby's ${key} capacity auto scales to a ${bound === "min" ? "minimum" : "maximum"} of ${b[bound]} units, the primary's ${a[bound]} (more than ${CAPACITY_TOLERANCE * 100}% apart)`,
          },
        ],
  );
  const [ta, tb] = [a.targetUtilization, b.targetUtilization];
  const target =
    ta === tb || (ta !== null && tb !== null && within(ta, tb))
      ? []
      : [
          {
            path: `autoScaling.${key}.targetUtilization`,
            primary: ta,
            secondary: tb,
            message: `the standby's ${key} capacity tracks ${tb === null ? "no target utilisation" : `${tb}% utilisation`}, the primary's ${ta === null ? "none" : `${ta}%`}`,
          },
        ];
  return [...bounds, ...target];
}

/**
 * Auto scaling that could not be read on either side: a low finding saying what is unknown (the
 * capacity and its auto scaling are not compared), never a pass.
 */
function unreadScaling(p: NormalizedTable, s: NormalizedTable): Difference | undefined {
  const sides = [
    ...(p.autoScalingUnread !== undefined ? [`the primary's: ${p.autoScalingUnread}`] : []),
    ...(s.autoScalingUnread !== undefined ? [`the standby's: ${s.autoScalingUnread}`] : []),
  ];
  if (sides.length === 0) return undefined;
  return {
    path: "autoScaling",
    primary: p.autoScalingUnread === undefined ? p.autoScaling : null,
    secondary: s.autoScalingUnread === undefined ? s.autoScaling : null,
    severity: "low",
    message:
      `auto scaling could not be read (${sides.join("; ")}), so the provisioned capacity and its auto scaling were not compared; ` +
      "grant application-autoscaling:DescribeScalableTargets and application-autoscaling:DescribeScalingPolicies to the scanning role",
  };
}

/** Auto scaling of each dimension: on one side only, or bounds and targets more than the tolerance apart. */
function diffAutoScaling(p: NormalizedTable, s: NormalizedTable): Difference[] {
  if (p.billingMode !== "PROVISIONED" || s.billingMode !== "PROVISIONED") return [];
  const unread = unreadScaling(p, s);
  if (unread) return [unread];
  const [a, b] = [p.autoScaling, s.autoScaling];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key): Difference[] => {
    const [pa, sb] = [a[key], b[key]];
    if (pa && sb) return diffScalingOf(key, pa, sb);
    const path = `autoScaling.${key}`;
    if (pa)
      return [
        {
          path,
          primary: pa,
          secondary: null,
          message: `the standby's ${key} capacity does not auto scale, the primary's does (${scalingText(pa)})`,
        },
      ];
    if (!sb) return [];
    return [
      {
        path,
        primary: null,
        secondary: sb,
        message: `the standby's ${key} capacity auto scales (${scalingText(sb)}), the primary's does not`,
        // The standby is the better provisioned: still drift, less grave.
        severity: "medium",
      },
    ];
  });
}

function diffPointInTimeRecovery(p: NormalizedTable, s: NormalizedTable): Difference[] {
  if (p.pointInTimeRecovery === s.pointInTimeRecovery) return [];
  const on = (v: boolean) => (v ? "on" : "off");
  return [
    {
      path: "pointInTimeRecovery",
      primary: p.pointInTimeRecovery,
      secondary: s.pointInTimeRecovery,
      message: `point-in-time recovery is ${on(s.pointInTimeRecovery)} on the standby, ${on(p.pointInTimeRecovery)} on the primary`,
      // Off on the primary only: the standby is the better protected; still drift, less grave.
      ...(s.pointInTimeRecovery ? { severity: "medium" as const } : {}),
    },
  ];
}

const streamText = (v: NormalizedTable["stream"]) => (v.enabled ? `on (${v.viewType ?? "?"})` : "off");
const ttlText = (v: NormalizedTable["ttl"]) => (v.enabled ? `on (attribute ${v.attribute ?? "?"})` : "off");
const onOff = (v: boolean) => (v ? "on" : "off");

const keyRules: TableRule[] = [
  {
    id: "dynamodb-table.key-schema",
    resourceType: "dynamodb-table",
    severity: "critical",
    title: "Primary key",
    compares: "the table's partition and sort key attribute names",
    rationale:
      "Every read and write names the key; an application that fails over to a table keyed otherwise fails on every call.",
    remediation:
      "Recreate the standby table with the primary's key schema (a key cannot be changed in place) and copy the data.",
    check: (p, s) =>
      differ("key", p.key, s.key, `the standby's key is ${keyText(s.key)}, the primary's ${keyText(p.key)}`),
  },
  {
    id: "dynamodb-table.attribute-definitions",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Key attribute types",
    compares: "the declared attributes (the keys of the table and of its indexes) and their types, S, N or B",
    rationale: "A key attribute typed otherwise rejects the items the application writes after failover.",
    remediation:
      "Recreate the standby table (or the index) with the primary's attribute definitions and copy the data.",
    check: (p, s) =>
      diffMaps(
        "attributes",
        p.attributes,
        s.attributes,
        (name, a, b) =>
          `attribute ${name} is ${b === undefined ? "not declared" : `of type ${show(b)}`} on the standby, ${a === undefined ? "not declared" : `of type ${show(a)}`} on the primary`,
      ),
  },
  {
    id: "dynamodb-table.global-indexes",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Global secondary indexes",
    compares:
      "the global secondary indexes by name: their keys and projections (type and projected attributes)",
    rationale:
      "A query on an index the standby lacks fails; one that projects fewer attributes returns items missing what the application reads.",
    remediation:
      "Create or update the index on the standby with the primary's keys and projection (update-table --global-secondary-index-updates).",
    check: (p, s) => diffIndexes("globalIndexes", "global secondary index", p, s),
  },
  {
    id: "dynamodb-table.local-indexes",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Local secondary indexes",
    compares:
      "the local secondary indexes by name: their keys and projections (type and projected attributes)",
    rationale: "A query on a local index the standby lacks fails after failover.",
    remediation:
      "Local indexes are made only with the table: recreate the standby table with the primary's local secondary indexes.",
    check: (p, s) => diffIndexes("localIndexes", "local secondary index", p, s),
  },
];

const capacityRules: TableRule[] = [
  {
    id: "dynamodb-table.billing-mode",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Billing mode",
    compares: "the billing mode, PROVISIONED or PAY_PER_REQUEST (on demand)",
    rationale:
      "A provisioned standby behind an on-demand primary throttles the moment the primary's traffic arrives.",
    remediation: "Set the standby's billing mode to the primary's (update-table --billing-mode).",
    check: (p, s) =>
      differ(
        "billingMode",
        p.billingMode,
        s.billingMode,
        `the standby is billed ${s.billingMode}, the primary ${p.billingMode}`,
      ),
  },
  {
    id: "dynamodb-table.provisioned-capacity",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Provisioned capacity within 20%",
    compares:
      "when both are provisioned: the read and write capacity units of the table and of each global index, within 20% of the primary's (a dimension auto scaled on both sides is compared by its auto scaling instead: its current units follow the load)",
    rationale:
      "A standby with less capacity throttles the traffic it takes over; one with much more costs for nothing.",
    remediation:
      "Set the standby's provisioned throughput to the primary's (update-table --provisioned-throughput), or give it the same auto scaling.",
    check: diffCapacity,
  },
  {
    id: "dynamodb-table.auto-scaling",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Auto scaling within 20%",
    compares:
      "when both are provisioned: whether the read and write capacity of the table and of each global index auto scales (Application Auto Scaling), and its minimum, maximum and target utilisation within 20% of the primary's; auto scaling that cannot be read (access denied) is a low finding saying so, and the capacity is then not compared",
    rationale:
      "A standby that does not scale, or scales to a lower ceiling, throttles the traffic it takes over once it outgrows its units.",
    remediation:
      "Register the standby's table and indexes as scalable targets with the primary's minimum and maximum, and a target-tracking policy at the primary's utilisation (application-autoscaling register-scalable-target, put-scaling-policy).",
    check: diffAutoScaling,
  },
];

const protectionRules: TableRule[] = [
  {
    id: "dynamodb-table.encryption",
    resourceType: "dynamodb-table",
    severity: "medium",
    title: "Encryption at rest",
    compares: "the key encrypting the table: the AWS owned key (default) or KMS",
    rationale: "Data written after failover must be protected as the primary's is, for the same audits.",
    remediation: "Set the standby's encryption to the primary's (update-table --sse-specification).",
    check: (p, s) =>
      differ(
        "encryption",
        p.encryption,
        s.encryption,
        `the standby is encrypted with ${s.encryption}, the primary with ${p.encryption}`,
      ),
  },
  {
    id: "dynamodb-table.stream",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "DynamoDB Streams",
    compares: "whether the table's stream is on and what it records (its view type)",
    rationale:
      "Consumers of the stream (triggers, replication, search indexes) see nothing, or less, from a standby whose stream differs.",
    remediation: "Set the standby's stream to the primary's (update-table --stream-specification).",
    check: (p, s) =>
      differ(
        "stream",
        p.stream,
        s.stream,
        `the standby's stream is ${streamText(s.stream)}, the primary's ${streamText(p.stream)}`,
      ),
  },
  {
    id: "dynamodb-table.point-in-time-recovery",
    resourceType: "dynamodb-table",
    severity: "high",
    title: "Point-in-time recovery",
    compares: "whether point-in-time recovery is on (DescribeContinuousBackups)",
    rationale:
      "A failed-over table without point-in-time recovery cannot be restored to before a bad write or a deletion.",
    remediation:
      "Turn point-in-time recovery on for the standby table (update-continuous-backups --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true).",
    check: diffPointInTimeRecovery,
  },
  {
    id: "dynamodb-table.ttl",
    resourceType: "dynamodb-table",
    severity: "medium",
    title: "Time to live",
    compares: "whether time to live is on and the attribute it reads (DescribeTimeToLive)",
    rationale:
      "Without the primary's time to live, expired items pile up on the standby, or live ones are deleted.",
    remediation: "Set the standby's time to live to the primary's (update-time-to-live).",
    check: (p, s) =>
      differ(
        "ttl",
        p.ttl,
        s.ttl,
        `time to live is ${ttlText(s.ttl)} on the standby, ${ttlText(p.ttl)} on the primary`,
      ),
  },
  {
    id: "dynamodb-table.deletion-protection",
    resourceType: "dynamodb-table",
    severity: "low",
    title: "Deletion protection",
    compares: "whether deletion protection is on",
    rationale:
      "The table that carries the traffic after failover should be as hard to delete by mistake as the primary.",
    remediation:
      "Set the standby's deletion protection to the primary's (update-table --deletion-protection-enabled).",
    check: (p, s) =>
      differ(
        "deletionProtection",
        p.deletionProtection,
        s.deletionProtection,
        `deletion protection is ${onOff(s.deletionProtection)} on the standby, ${onOff(p.deletionProtection)} on the primary`,
      ),
  },
];

export const dynamodbTableRules: TableRule[] = [...keyRules, ...capacityRules, ...protectionRules];
