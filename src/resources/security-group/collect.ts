import { ops } from "../../aws/services.js";
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../../aws/region-cache.js";
import { PREFIX_LIST_NAMES, SECURITY_GROUPS, VPC_CIDRS } from "./list.js";
import type { TwinCandidate } from "../../core/twins.js";
import {
  groupLabel,
  groupShape,
  normalizeSecurityGroups,
  type NormalizedSecurityGroups,
  type RuleContext,
} from "./normalize.js";

export const SECURITY_GROUP_PERMISSIONS = ops(
  "EC2",
  "DescribeSecurityGroups",
  "DescribeVpcs",
  "DescribeManagedPrefixLists",
);

/** A side's effective rules, and the groups that may have a twin: its own, those its rules name, those of its VPC. */
export interface CollectedSecurityGroups {
  rules: NormalizedSecurityGroups;
  candidates: TwinCandidate[];
  /** Ids of the groups the load balancer's rules refer to: only these need a twin. */
  referenced: Set<string>;
}

/** No per-pair calls: groups, VPCs and prefix lists come from region-wide lists read once. */
export async function collectSecurityGroups(
  cache: RegionCache,
  lb: Pick<LoadBalancer, "SecurityGroups" | "VpcId">,
): Promise<CollectedSecurityGroups> {
  const ids = lb.SecurityGroups ?? [];
  if (ids.length === 0)
    return { rules: { groups: [], ingress: [], egress: [] }, candidates: [], referenced: new Set() };
  const [groupsById, vpcs] = await Promise.all([cache.list(SECURITY_GROUPS), cache.list(VPC_CIDRS)]);
  const groups = ids.map(
    (id): SecurityGroup => groupsById.get(id) ?? { GroupId: id, GroupName: `${id} (not found)` },
  );
  // The groups that may be twins: the load balancer's own, those of its VPC, those its rules name.
  const pool = new Map<string, SecurityGroup>();
  for (const g of groupsById.values()) if (g.VpcId === lb.VpcId) pool.set(g.GroupId ?? "", g);
  for (const g of groups) pool.set(g.GroupId ?? "", g);
  const usesPrefixLists = [...pool.values()].some((g) =>
    [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].some((p) => p.PrefixListIds?.length),
  );
  const prefixListNames = usesPrefixLists ? await cache.list(PREFIX_LIST_NAMES) : new Map<string, string>();
  const ctx: RuleContext = { vpcCidrs: vpcs.get(lb.VpcId ?? "") ?? [], groupsById, prefixListNames };
  const rules = normalizeSecurityGroups(groups, ctx);
  const referenced = new Set(
    [...rules.ingress, ...rules.egress].flatMap((p) =>
      typeof p.peer !== "string" && !("external" in p.peer && p.peer.external) ? [p.peer.id] : [],
    ),
  );
  for (const id of referenced) {
    const g = groupsById.get(id);
    if (g) pool.set(id, g);
  }
  const candidates = [...pool.values()].map((g) => ({
    id: g.GroupId ?? "",
    name: groupLabel(g, g.GroupId ?? ""),
    shape: groupShape(g, ctx),
  }));
  return { rules, candidates, referenced };
}
