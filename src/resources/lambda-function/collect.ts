import {
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  paginateListEventSourceMappings,
  paginateListProvisionedConcurrencyConfigs,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  type FunctionEventInvokeConfig,
  type ProvisionedConcurrencyConfigListItem,
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { parseArn } from "../../aws/arn.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";
import type { RegionCache } from "../../aws/region-cache.js";
import { ops } from "../../aws/services.js";
import { SERVICE_QUOTA_PERMISSIONS } from "../../aws/service-quotas.js";
import { accountConcurrency } from "./concurrency.js";
import type { Side } from "../side.js";
import { queueUrlOf, sqsError } from "../sqs-queue/pairing.js";
import { normalizeFunction, sourceTypeOf, type NormalizedFunction, type QueueSource } from "./normalize.js";

export const LAMBDA_FUNCTION_PERMISSIONS = [
  ...ops("ResourceGroupsTaggingAPI", "GetResources"),
  ...ops(
    "Lambda",
    "ListFunctions",
    "GetFunctionConfiguration",
    "GetFunctionConcurrency",
    "GetFunctionEventInvokeConfig",
    "ListEventSourceMappings",
    "GetAccountSettings",
    "ListProvisionedConcurrencyConfigs",
  ),
  ...SERVICE_QUOTA_PERMISSIONS,
  ...ops("SQS", "GetQueueUrl", "GetQueueAttributes"),
];

async function reservedConcurrency(lambda: LambdaClient, name: string): Promise<number | undefined> {
  const out = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
  return out.ReservedConcurrentExecutions;
}

/** The function's asynchronous invocation config; AWS answers "not found" when it has none. */
async function invokeConfig(
  cache: RegionCache,
  name: string,
): Promise<FunctionEventInvokeConfig | undefined> {
  try {
    return await cache
      .client(LambdaClient)
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
  } catch (err) {
    const mapped = mapAwsError(err, cache.site("Lambda", "GetFunctionEventInvokeConfig"));
    if (mapped instanceof NotFoundError) return undefined;
    throw mapped;
  }
}

async function mappingsOf(lambda: LambdaClient, name: string): Promise<EventSourceMappingConfiguration[]> {
  const all: EventSourceMappingConfiguration[] = [];
  for await (const page of paginateListEventSourceMappings(
    { client: lambda, pageSize: 100 },
    { FunctionName: name },
  ))
    all.push(...(page.EventSourceMappings ?? []));
  return all;
}

/** The provisioned concurrency of the function's aliases and versions (none: an empty list). */
async function provisionedConfigs(
  lambda: LambdaClient,
  name: string,
): Promise<ProvisionedConcurrencyConfigListItem[]> {
  const all: ProvisionedConcurrencyConfigListItem[] = [];
  for await (const page of paginateListProvisionedConcurrencyConfigs(
    { client: lambda, pageSize: 50 },
    { FunctionName: name },
  ))
    all.push(...(page.ProvisionedConcurrencyConfigs ?? []));
  return all;
}

/** A queue's visibility timeout, through its URL from its ARN; a failure is kept as its reason. */
async function queueSource(cache: RegionCache, queueArn: string): Promise<QueueSource> {
  const arn = parseArn(queueArn);
  const sqs = cache.client(SQSClient);
  try {
    const url = await queueUrlOf(sqs, arn);
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }),
    );
    const value = Number(out.Attributes?.["VisibilityTimeout"]);
    return { queue: arn.resourceId, visibilityTimeoutSeconds: Number.isFinite(value) ? value : null };
  } catch (err) {
    const reason = sqsError(err, cache.site("SQS", "GetQueueAttributes")).message;
    return { queue: arn.resourceId, visibilityTimeoutSeconds: null, error: reason };
  }
}

/**
 * Four calls per function (its reserved concurrency, its asynchronous invocation config, its
 * event-source mappings, its provisioned concurrency) and, on the standby, two per SQS queue it
 * consumes (the queue's visibility timeout against the function's timeout) and the region's
 * account concurrency (two reads a region); the configuration came with the pairing.
 */
export async function collectFunction(side: Side<FunctionConfiguration>): Promise<NormalizedFunction> {
  const name = side.anchor.FunctionName ?? "";
  const lambda = side.cache.client(LambdaClient);
  const [reserved, invoke, mappings, provisioned] = await Promise.all([
    reservedConcurrency(lambda, name).catch((err: unknown) => {
      throw mapAwsError(err, side.cache.site("Lambda", "GetFunctionConcurrency"));
    }),
    invokeConfig(side.cache, name),
    mappingsOf(lambda, name).catch((err: unknown) => {
      throw mapAwsError(err, side.cache.site("Lambda", "ListEventSourceMappings"));
    }),
    provisionedConfigs(lambda, name).catch((err: unknown) => {
      throw mapAwsError(err, side.cache.site("Lambda", "ListProvisionedConcurrencyConfigs"));
    }),
  ]);
  const queues =
    side.role === "standby"
      ? mappings
          .filter((m) => sourceTypeOf(m) === "sqs" && m.EventSourceArn)
          .map((m) => m.EventSourceArn ?? "")
      : [];
  const [sqsSources, account] = await Promise.all([
    Promise.all(queues.map((q) => queueSource(side.cache, q))),
    side.role === "standby" ? accountConcurrency(side.cache) : undefined,
  ]);
  const normalized = normalizeFunction(side.anchor, {
    reservedConcurrency: reserved,
    invokeConfig: invoke,
    mappings,
    sqsSources,
    provisioned,
  });
  return account ? { ...normalized, accountConcurrency: account } : normalized;
}
