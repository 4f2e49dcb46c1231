import type { ScalableTarget, ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type {
  ContinuousBackupsDescription,
  KeySchemaElement,
  Projection,
  TableDescription,
  TimeToLiveDescription,
} from "@aws-sdk/client-dynamodb";

/** A key as the rules compare it: its partition (HASH) and sort (RANGE) attributes. */
export interface Key {
  partition: string;
  sort: string | null;
}

export interface NormalizedIndex {
  key: Key;
  /** ALL, KEYS_ONLY or INCLUDE, with the attributes an INCLUDE projects (in any order). */
  projection: { type: string; include: { $set: string[] } };
}

/** How one capacity dimension auto scales: its bounds in units and the utilisation it tracks. */
export interface AutoScaling {
  min: number;
  max: number;
  /** The target utilisation (percent) of its target-tracking policy; null without one. */
  targetUtilization: number | null;
}

/** The table's and its indexes' scalable targets and scaling policies, as Application Auto Scaling lists them. */
export interface TableScaling {
  targets: readonly ScalableTarget[];
  policies: readonly ScalingPolicy[];
  /** Why Application Auto Scaling could not be read (access denied); targets and policies are then empty. */
  unread?: string;
}

/** A table as the readiness rules compare it: meaning only, never its name, ARN or region. */
export interface NormalizedTable {
  key: Key;
  /** Attribute name -> S, N or B (only key attributes of the table and its indexes are declared). */
  attributes: Record<string, string>;
  globalIndexes: Record<string, NormalizedIndex>;
  localIndexes: Record<string, NormalizedIndex>;
  billingMode: string;
  /** Provisioned read and write units, of the table and of each global index; null on demand. */
  capacity: Record<string, number> | null;
  /** The auto scaled dimensions, keyed as `capacity` is ("read", "index byStatus write"); {} on demand. */
  autoScaling: Record<string, AutoScaling>;
  /** Why the auto scaling of a provisioned table could not be read ({} above is then unknown, not none). */
  autoScalingUnread?: string;
  /** "AWS owned key" (the default, no SSEDescription) or the SSEType ("KMS"). */
  encryption: string;
  stream: { enabled: boolean; viewType: string | null };
  pointInTimeRecovery: boolean;
  ttl: { enabled: boolean; attribute: string | null };
  deletionProtection: boolean;
}

export function keyOf(schema: readonly KeySchemaElement[] | undefined): Key {
  const named = (type: string) => schema?.find((k) => k.KeyType === type)?.AttributeName ?? null;
  return { partition: named("HASH") ?? "", sort: named("RANGE") };
}

function indexOf(
  keySchema: KeySchemaElement[] | undefined,
  projection: Projection | undefined,
): NormalizedIndex {
  return {
    key: keyOf(keySchema),
    projection: {
      type: projection?.ProjectionType ?? "ALL",
      include: { $set: [...(projection?.NonKeyAttributes ?? [])].sort() },
    },
  };
}

function indexes(
  list:
    readonly { IndexName?: string; KeySchema?: KeySchemaElement[]; Projection?: Projection }[] | undefined,
): Record<string, NormalizedIndex> {
  return Object.fromEntries((list ?? []).map((i) => [i.IndexName ?? "", indexOf(i.KeySchema, i.Projection)]));
}

/** A table without a BillingModeSummary was created before on-demand existed: provisioned. */
const billingModeOf = (t: TableDescription) => t.BillingModeSummary?.BillingMode ?? "PROVISIONED";

function capacityOf(t: TableDescription): Record<string, number> | null {
  if (billingModeOf(t) !== "PROVISIONED") return null;
  const out: Record<string, number> = {
    read: t.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
    write: t.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
  };
  for (const g of t.GlobalSecondaryIndexes ?? []) {
    out[`index ${g.IndexName ?? ""} read`] = g.ProvisionedThroughput?.ReadCapacityUnits ?? 0;
    out[`index ${g.IndexName ?? ""} write`] = g.ProvisionedThroughput?.WriteCapacityUnits ?? 0;
  }
  return out;
}

/** Encryption at rest: DynamoDB reports no SSEDescription (or DISABLED) for its own key. */
function encryptionOf(t: TableDescription): string {
  const sse = t.SSEDescription;
  if (!sse || sse.Status === "DISABLED" || sse.Status === "DISABLING") return "AWS owned key";
  return sse.SSEType ?? "KMS";
}

/** "dynamodb:index:ReadCapacityUnits" on "table/t/index/byStatus" -> "index byStatus read", as `capacity` keys it. */
export function scalingKey(tableName: string, resourceId: string, dimension: string): string | undefined {
  const unit = /^dynamodb:(table|index):(Read|Write)CapacityUnits$/.exec(dimension);
  if (!unit) return undefined;
  const what = unit[2] === "Read" ? "read" : "write";
  if (unit[1] === "table") return resourceId === `table/${tableName}` ? what : undefined;
  const prefix = `table/${tableName}/index/`;
  return resourceId.startsWith(prefix) ? `index ${resourceId.slice(prefix.length)} ${what}` : undefined;
}

/** The table's auto scaled dimensions; a target without a target-tracking policy tracks nothing. */
function autoScalingOf(t: TableDescription, scaling: TableScaling): Record<string, AutoScaling> {
  if (billingModeOf(t) !== "PROVISIONED") return {};
  const name = t.TableName ?? "";
  const out: Record<string, AutoScaling> = {};
  for (const target of scaling.targets) {
    const key = scalingKey(name, target.ResourceId ?? "", target.ScalableDimension ?? "");
    if (key === undefined) continue;
    const policy = scaling.policies.find(
      (p) =>
        p.PolicyType === "TargetTrackingScaling" &&
        p.ResourceId === target.ResourceId &&
        p.ScalableDimension === target.ScalableDimension,
    );
    out[key] = {
      min: target.MinCapacity ?? 0,
      max: target.MaxCapacity ?? 0,
      targetUtilization: policy?.TargetTrackingScalingPolicyConfiguration?.TargetValue ?? null,
    };
  }
  return out;
}

export function normalizeTable(
  t: TableDescription,
  backups: ContinuousBackupsDescription | undefined,
  ttl: TimeToLiveDescription | undefined,
  scaling: TableScaling = { targets: [], policies: [] },
): NormalizedTable {
  const ttlOn = ttl?.TimeToLiveStatus === "ENABLED" || ttl?.TimeToLiveStatus === "ENABLING";
  const streamOn = t.StreamSpecification?.StreamEnabled === true;
  return {
    key: keyOf(t.KeySchema),
    attributes: Object.fromEntries(
      (t.AttributeDefinitions ?? []).map((a) => [a.AttributeName ?? "", a.AttributeType ?? ""]),
    ),
    globalIndexes: indexes(t.GlobalSecondaryIndexes),
    localIndexes: indexes(t.LocalSecondaryIndexes),
    billingMode: billingModeOf(t),
    capacity: capacityOf(t),
    autoScaling: autoScalingOf(t, scaling),
    ...(scaling.unread !== undefined && billingModeOf(t) === "PROVISIONED"
      ? { autoScalingUnread: scaling.unread }
      : {}),
    encryption: encryptionOf(t),
    stream: {
      enabled: streamOn,
      viewType: streamOn ? (t.StreamSpecification?.StreamViewType ?? null) : null,
    },
    pointInTimeRecovery: backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === "ENABLED",
    ttl: { enabled: ttlOn, attribute: ttlOn ? (ttl?.AttributeName ?? null) : null },
    deletionProtection: t.DeletionProtectionEnabled === true,
  };
}
