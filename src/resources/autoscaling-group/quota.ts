/**
 * The EC2 On-Demand vCPU quotas of a region, through Service Quotas: the applied value
 * (GetServiceQuota), or AWS's default when the account has none applied
 * (GetAWSDefaultServiceQuota). A quota that cannot be read is a reading with the reason, never a
 * thrown error: it must not keep the rest of the group from being compared.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import type { RegionCache } from "../../aws/region-cache.js";
import { mapAwsError, NotFoundError } from "../../aws/errors.js";

/** A quota as read: its value, or why it could not be read. */
export interface QuotaReading {
  code: string;
  /** What AWS calls it: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances". */
  name: string;
  /** vCPUs; absent when it could not be read. */
  value?: number;
  /** Where the value came from: the account's applied quota or AWS's default. */
  source?: "applied" | "default";
  error?: string;
}

/** The On-Demand vCPU quota of each instance family, by the letters before the generation digit. */
const QUOTA_BY_FAMILY: readonly { families: RegExp; code: string; name: string }[] = [
  {
    families: /^[acdhimrtz]$/,
    code: "L-1216C47A",
    name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
  },
  { families: /^f$/, code: "L-74FC7D96", name: "Running On-Demand F instances" },
  { families: /^(g|vt)$/, code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" },
  { families: /^inf$/, code: "L-1945791B", name: "Running On-Demand Inf instances" },
  { families: /^p$/, code: "L-417A185B", name: "Running On-Demand P instances" },
  { families: /^x$/, code: "L-7295265B", name: "Running On-Demand X instances" },
];

/** The vCPU quota an instance type counts against ("m5.large" -> L-1216C47A), if drctl knows it. */
export function quotaOf(instanceType: string): { code: string; name: string } | undefined {
  const family = /^([a-z]+?)\d/.exec(instanceType.toLowerCase())?.[1];
  const found = family === undefined ? undefined : QUOTA_BY_FAMILY.find((q) => q.families.test(family));
  return found && { code: found.code, name: found.name };
}

/** A quota's value in a region: applied, else AWS's default, else why not. */
export async function readQuota(
  client: ServiceQuotasClient,
  code: string,
  region: string,
): Promise<QuotaReading> {
  const name = QUOTA_BY_FAMILY.find((q) => q.code === code)?.name ?? code;
  const ask = { ServiceCode: "ec2", QuotaCode: code };
  try {
    const applied = await readValue(
      () => client.send(new GetServiceQuotaCommand(ask)),
      region,
      "GetServiceQuota",
    );
    if (applied !== undefined) return { code, name, value: applied, source: "applied" };
    const byDefault = await readValue(
      () => client.send(new GetAWSDefaultServiceQuotaCommand(ask)),
      region,
      "GetAWSDefaultServiceQuota",
    );
    if (byDefault !== undefined) return { code, name, value: byDefault, source: "default" };
    return { code, name, error: `Service Quotas returned no value for ${code} in ${region}` };
  } catch (err) {
    return { code, name, error: quotaError(err as Error, region) };
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
export function quotaIn(cache: RegionCache, code: string): Promise<QuotaReading> {
  return cache.once(`service-quota:ec2:${code}`, () =>
    readQuota(cache.client(ServiceQuotasClient), code, cache.region),
  );
}
