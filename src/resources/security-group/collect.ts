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
  const region = regionGroups(groupsById);
  const vpc = region.vpc(lb.VpcId);
  const pool = new Map<string, SecurityGroup>();
  for (const g of vpc.groups) pool.set(g.GroupId ?? "", g);
  for (const g of groups) pool.set(g.GroupId ?? "", g);
  const usesPrefixLists = vpc.usesPrefixLists || groups.some(usesPrefixList);
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
  const candidates = [...pool.values()].map((g) =>
    region.candidate(`${lb.VpcId ?? ""}|${usesPrefixLists ? "pl" : ""}|${g.GroupId ?? ""}`, () => ({
      id: g.GroupId ?? "",
      name: groupLabel(g, g.GroupId ?? ""),
      shape: groupShape(g, ctx),
    })),
  );
  return { rules, candidates, referenced };
}

const usesPrefixList = (g: SecurityGroup) =>
  [...(g.IpPermissions ?? []), ...(g.IpPermissionsEgress ?? [])].some((p) => p.PrefixListIds?.length);

/**
 * What every load balancer of a region derives alike from the region's groups, derived once per
 * region and scan: each VPC's groups, and each group as a candidate twin. Every pair considers every
 * group of its VPC, so deriving these per pair would cost each pair as much as the whole VPC.
 * A candidate's shape depends only on region-wide lists, the VPC (its CIDRs) and whether prefix
 * list names were read, which its key names; candidates are shared, never changed.
 */
class RegionGroups {
  private readonly vpcs = new Map<
    string | undefined,
    { groups: SecurityGroup[]; usesPrefixLists: boolean }
  >();
  private readonly candidates = new Map<string, TwinCandidate>();

  constructor(private readonly groupsById: ReadonlyMap<string, SecurityGroup>) {}

  vpc(vpcId: string | undefined): { groups: readonly SecurityGroup[]; usesPrefixLists: boolean } {
    let found = this.vpcs.get(vpcId);
    if (!found) {
      const groups = [...this.groupsById.values()].filter((g) => g.VpcId === vpcId);
      found = { groups, usesPrefixLists: groups.some(usesPrefixList) };
      this.vpcs.set(vpcId, found);
    }
    return found;
  }

  candidate(key: string, make: () => TwinCandidate): TwinCandidate {
    let found = this.candidates.get(key);
    if (!found) this.candidates.set(key, (found = make()));
    return found;
  }
}

/** Keyed by the region's list of groups, so it lives exactly as long as that list (one scan's cache). */
const byRegion = new WeakMap<ReadonlyMap<string, SecurityGroup>, RegionGroups>();

function regionGroups(groupsById: ReadonlyMap<string, SecurityGroup>): RegionGroups {
  let found = byRegion.get(groupsById);
  if (!found) byRegion.set(groupsById, (found = new RegionGroups(groupsById)));
  return found;
}
