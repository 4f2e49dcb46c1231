/**
 * What the rules compare of a function: its meaning only. Layers by name and version (their ARNs
 * name the region), environment variables by NAME only (their values hold regional endpoints and
 * secrets and never leave this file), dead-letter and on-failure targets by presence, the VPC by
 * whether it is attached and how many subnets and security groups it uses.
 */
import type {
  EventSourceMappingConfiguration,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  ProvisionedConcurrencyConfigListItem,
} from "@aws-sdk/client-lambda";
import type { AccountConcurrency } from "./concurrency.js";

/** The visibility timeout of a queue a function consumes, or why it could not be read. */
export interface QueueSource {
  queue: string;
  visibilityTimeoutSeconds: number | null;
  error?: string;
}

export interface NormalizedFunction {
  runtime: string;
  architecture: string;
  handler: string;
  memoryMb: number | null;
  timeoutSeconds: number | null;
  ephemeralStorageMb: number | null;
  /** null: no reserved concurrency (the function shares the account's unreserved pool). */
  reservedConcurrency: number | null;
  /**
   * Provisioned concurrent executions requested, by alias name (traffic reaches a function through
   * its aliases, named alike in both regions); published versions together under PUBLISHED_VERSIONS,
   * as a version's number differs between regions. {} without any.
   */
  provisionedConcurrency: Record<string, number>;
  deadLetterQueue: boolean;
  onFailureDestination: boolean;
  vpc: { attached: boolean; subnets: number; securityGroups: number };
  /** Layer name -> version. */
  layers: Record<string, string>;
  environmentNames: string[];
  /** Source type (sqs, kinesis, dynamodb, kafka, mq, ...) -> its mappings as "batch 10, Enabled", sorted. */
  eventSources: Record<string, string[]>;
  /** The SQS queues the function consumes, with their visibility timeouts (read on the standby only). */
  sqsSources: QueueSource[];
  /** The region's account concurrency, for the primary's reservation to fit in (read on the standby only). */
  accountConcurrency?: AccountConcurrency;
}

/** What a function's side adds to its configuration: read by the collector. */
export interface FunctionExtras {
  reservedConcurrency: number | undefined;
  invokeConfig: FunctionEventInvokeConfig | undefined;
  mappings: EventSourceMappingConfiguration[];
  sqsSources: QueueSource[];
  /** Its provisioned concurrency configurations (ListProvisionedConcurrencyConfigs). */
  provisioned: ProvisionedConcurrencyConfigListItem[];
}

/** A layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION) as its name and version. */
export function layerOf(arn: string): [string, string] {
  const parts = arn.split(":");
  return parts.length >= 8 ? [parts[6] ?? arn, parts[7] ?? ""] : [arn, ""];
}

/** The kind of source a mapping reads: the service of its ARN, or self-managed Kafka. */
export function sourceTypeOf(m: EventSourceMappingConfiguration): string {
  if (m.EventSourceArn) return m.EventSourceArn.split(":")[2] ?? "unknown";
  return m.SelfManagedEventSource ? "kafka (self-managed)" : "unknown";
}

function eventSourcesOf(mappings: readonly EventSourceMappingConfiguration[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of mappings) {
    const words = `batch ${m.BatchSize ?? "default"}, ${m.State ?? "state unknown"}`;
    (out[sourceTypeOf(m)] ??= []).push(words);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** The key of provisioned concurrency on published versions, whose numbers differ between regions. */
export const PUBLISHED_VERSIONS = "published versions";

/**
 * Requested provisioned concurrency by alias (the qualifier ending the config's FunctionArn), and
 * on published versions together. What is requested, not what is allocated: allocation lags
 * behind while AWS prepares the environments.
 */
function provisionedByAlias(
  configs: readonly ProvisionedConcurrencyConfigListItem[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of configs) {
    const qualifier = (c.FunctionArn ?? "").split(":")[7] ?? "";
    const key = /^\d+$/.test(qualifier) || qualifier === "" ? PUBLISHED_VERSIONS : qualifier;
    out[key] = (out[key] ?? 0) + (c.RequestedProvisionedConcurrentExecutions ?? 0);
  }
  return out;
}

export function normalizeFunction(f: FunctionConfiguration, extras: FunctionExtras): NormalizedFunction {
  const subnets = f.VpcConfig?.SubnetIds?.length ?? 0;
  return {
    runtime: f.Runtime ?? (f.PackageType === "Image" ? "container image" : "unknown"),
    architecture: f.Architectures?.[0] ?? "x86_64",
    handler: f.Handler ?? "",
    memoryMb: f.MemorySize ?? null,
    timeoutSeconds: f.Timeout ?? null,
    ephemeralStorageMb: f.EphemeralStorage?.Size ?? null,
    reservedConcurrency: extras.reservedConcurrency ?? null,
    provisionedConcurrency: provisionedByAlias(extras.provisioned),
    deadLetterQueue: Boolean(f.DeadLetterConfig?.TargetArn),
    onFailureDestination: Boolean(extras.invokeConfig?.DestinationConfig?.OnFailure?.Destination),
    vpc: { attached: subnets > 0, subnets, securityGroups: f.VpcConfig?.SecurityGroupIds?.length ?? 0 },
    layers: Object.fromEntries((f.Layers ?? []).map((l) => layerOf(l.Arn ?? ""))),
    environmentNames: Object.keys(f.Environment?.Variables ?? {}).sort(),
    eventSources: eventSourcesOf(extras.mappings),
    sqsSources: extras.sqsSources,
  };
}
