/**
 * A service quota of a region, through Service Quotas: the account's applied value
 * (GetServiceQuota), else AWS's default (GetAWSDefaultServiceQuota). Every readiness type that
 * checks what a failover needs against a quota reads it here, once per region and account. A
 * quota that cannot be read is a reading with the reason, never a thrown error: it must not keep
 * the rest of a pair from being compared.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import type { RegionCache } from "./region-cache.js";
import { mapAwsError, NotFoundError } from "./errors.js";
import { ops } from "./services.js";

/** The operations a quota read makes: a module that reads quotas declares these. */
export const SERVICE_QUOTA_PERMISSIONS = ops("ServiceQuotas", "GetServiceQuota", "GetAWSDefaultServiceQuota");

/** Which quota: Service Quotas' service code ("ec2", "vpc", "rds", "lambda") and quota code ("L-..."). */
export interface QuotaId {
  service: string;
  code: string;
  /** What AWS calls it ("Network interfaces per Region"), for messages. */
  name: string;
}

/** A quota as read: its value, or why it could not be read. */
export interface QuotaReading extends QuotaId {
  /** Absent when it could not be read. */
  value?: number;
  /** Where the value came from: the account's applied quota or AWS's default. */
  source?: "applied" | "default";
  error?: string;
}

/** A quota's value in a region: applied, else AWS's default, else why not. */
export async function readQuota(
  client: ServiceQuotasClient,
  quota: QuotaId,
  region: string,
): Promise<QuotaReading> {
  const ask = { ServiceCode: quota.service, QuotaCode: quota.code };
  try {
    const applied = await readValue(
      () => client.send(new GetServiceQuotaCommand(ask)),
      region,
      "GetServiceQuota",
    );
    if (applied !== undefined) return { ...quota, value: applied, source: "applied" };
    const byDefault = await readValue(
      () => client.send(new GetAWSDefaultServiceQuotaCommand(ask)),
      region,
      "GetAWSDefaultServiceQuota",
    );
    if (byDefault !== undefined) return { ...quota, value: byDefault, source: "default" };
    return {
      ...quota,
      error: `Service Quotas returned no value for ${quota.service} ${quota.code} in ${region}`,
    };
  } catch (err) {
    return { ...quota, error: quotaError(err as Error, region) };
  }
}

/**
 * Why a quota could not be read, in one line. An endpoint that answers Service Quotas with
 * something else (an emulator without it, a proxy's error page) is said as such, not as the
 * SDK's parse error.
 */
function quotaError(err: Error, region: string): string {
  if (/not valid JSON|Deserialization error|Unexpected token/.test(err.message))
    return `the Service Quotas endpoint of ${region} did not answer as Service Quotas does (an emulator or proxy without it?)`;
  return err.message.split("\n")[0] ?? err.message;
}

/** The quota's value, or undefined when AWS has none to give (no applied value: NoSuchResource). */
async function readValue(
  call: () => Promise<{ Quota?: { Value?: number } }>,
  region: string,
  operation: string,
): Promise<number | undefined> {
  try {
    const out = await call();
    return out.Quota?.Value;
  } catch (err) {
    const mapped = mapAwsError(err, { service: "ServiceQuotas", operation, region });
    if (mapped instanceof NotFoundError && operation === "GetServiceQuota") return undefined;
    throw mapped;
  }
}

/** The region's quota, read once per region and account for the whole scan. */
export function quotaIn(cache: RegionCache, quota: QuotaId): Promise<QuotaReading> {
  return cache.once(`service-quota:${quota.service}:${quota.code}`, () =>
    readQuota(cache.client(ServiceQuotasClient), quota, cache.region),
  );
}

/** The quotas the readiness types check, by what they limit. */
export const QUOTAS = {
  networkInterfaces: { service: "vpc", code: "L-DF5E4CA3", name: "Network interfaces per Region" },
  elasticIps: { service: "ec2", code: "L-0263D0A3", name: "EC2-VPC Elastic IPs" },
  dbInstances: { service: "rds", code: "L-7B6409FD", name: "DB instances" },
  dbStorage: { service: "rds", code: "L-7ADDB58A", name: "Total storage for all DB instances" },
  lambdaConcurrency: { service: "lambda", code: "L-B99A9384", name: "Concurrent executions" },
} as const satisfies Record<string, QuotaId>;
