/**
 * Which EC2 On-Demand vCPU quota an instance type counts against, and its value in a region,
 * read through the shared Service Quotas reader (src/aws/service-quotas.ts).
 */
import type { RegionCache } from "../../aws/region-cache.js";
import { quotaIn, type QuotaId, type QuotaReading } from "../../aws/service-quotas.js";

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
export function quotaOf(instanceType: string): QuotaId | undefined {
  const family = /^([a-z]+?)\d/.exec(instanceType.toLowerCase())?.[1];
  const found = family === undefined ? undefined : QUOTA_BY_FAMILY.find((q) => q.families.test(family));
  return found && { service: "ec2", code: found.code, name: found.name };
}

/** The region's On-Demand vCPU quota `code`, read once per region and account for the whole scan. */
export function vcpuQuotaIn(cache: RegionCache, code: string): Promise<QuotaReading> {
  const name = QUOTA_BY_FAMILY.find((q) => q.code === code)?.name ?? code;
  return quotaIn(cache, { service: "ec2", code, name });
}
