import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../../scan/region-cache.js";
import { normalizeSecurityGroups, type NormalizedSecurityGroups } from "./normalize.js";

export const SECURITY_GROUP_PERMISSIONS = [
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "ec2:DescribeManagedPrefixLists",
];

/** No per-pair calls: groups, VPCs and prefix lists come from region-wide lists read once. */
export async function collectSecurityGroups(
  cache: RegionCache,
  lb: LoadBalancer,
): Promise<NormalizedSecurityGroups> {
  const ids = lb.SecurityGroups ?? [];
  if (ids.length === 0) return { groups: [], ingress: [], egress: [] };
  const [groupsById, vpcs] = await Promise.all([cache.securityGroups(), cache.vpcCidrs()]);
  const groups = ids.map((id) => groupsById.get(id) ?? { GroupId: id, GroupName: `${id} (not found)` });
  const usesPrefixLists = groups.some((g) =>
    [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].some((p) => p.PrefixListIds?.length),
  );
  const prefixListNames = usesPrefixLists ? await cache.prefixListNames() : new Map<string, string>();
  return normalizeSecurityGroups(groups, {
    vpcCidrs: vpcs.get(lb.VpcId ?? "") ?? [],
    groupsById,
    prefixListNames,
  });
}
