import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import { ref, type Ref, type ResolvedRef } from "../../core/refs.js";

/**
 * One effective rule of a load balancer's security groups: protocol and ports, and one source or
 * destination (a CIDR, "vpc-cidr" for the VPC's own range, a prefix list by name, or a reference
 * to a security group, compared through the pair's twins).
 */
export interface Permission {
  /** "tcp 443-443", "all", "icmp type 8 code -1". */
  head: string;
  peer: string | Ref | ResolvedRef;
}

/** The effective rules of all security groups of a load balancer. */
export interface NormalizedSecurityGroups {
  /** The load balancer's own groups. */
  groups: Ref[];
  ingress: Permission[];
  egress: Permission[];
}

export interface RuleContext {
  /** The load balancer's VPC CIDRs: a rule for "the VPC" is written "vpc-cidr". */
  vpcCidrs: readonly string[];
  groupsById: ReadonlyMap<string, SecurityGroup>;
  prefixListNames: ReadonlyMap<string, string>;
}

const PROTOCOLS: Record<string, string> = {
  "-1": "all",
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  "58": "icmpv6",
};

/** A group is known by its name (or its Name tag) in messages; ids differ per region. */
export function groupLabel(group: SecurityGroup | undefined, fallbackId: string): string {
  const tagName = group?.Tags?.find((t) => t.Key === "Name")?.Value;
  return group?.GroupName ?? tagName ?? fallbackId;
}

function portRange(p: IpPermission, protocol: string): string {
  if (protocol === "all") return "";
  const from = p.FromPort ?? -1;
  const to = p.ToPort ?? -1;
  if (protocol === "icmp" || protocol === "icmpv6") return ` type ${from} code ${to}`;
  return from === -1 ? " all ports" : ` ${from}-${to}`;
}

/** A group a rule names: one of this region's groups, or (another account's, or gone) compared as written. */
function groupRef(id: string, userId: string | undefined, ctx: RuleContext): Ref {
  const known = ctx.groupsById.get(id);
  if (known) return ref("security-group", id, groupLabel(known, id));
  return ref(
    "security-group",
    userId ? `${id}@${userId}` : id,
    userId ? `${id}@${userId}` : `${id} (not found)`,
    true,
  );
}

/**
 * Expands each permission into one entry per source, so rule order, grouping and descriptions
 * never count.
 */
export function expandPermission(p: IpPermission, ctx: RuleContext): Permission[] {
  const raw = (p.IpProtocol ?? "-1").toLowerCase();
  const protocol = PROTOCOLS[raw] ?? raw;
  const head = `${protocol}${portRange(p, protocol)}`;
  const cidr = (c: string) => (ctx.vpcCidrs.includes(c) ? "vpc-cidr" : c);
  return [
    ...(p.IpRanges ?? []).map((r) => ({ head, peer: cidr(r.CidrIp ?? "") })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({ head, peer: cidr(r.CidrIpv6 ?? "") })),
    ...(p.PrefixListIds ?? []).map((r) => ({
      head,
      peer: `pl:${ctx.prefixListNames.get(r.PrefixListId ?? "") ?? r.PrefixListId ?? ""}`,
    })),
    ...(p.UserIdGroupPairs ?? []).map((g) => ({ head, peer: groupRef(g.GroupId ?? "", g.UserId, ctx) })),
  ];
}

/** A rule as people write it: "tcp 443-443 ::/0", "tcp 8080-8081 sg:app". */
export function permissionLabel(p: Permission): string {
  return `${p.head} ${typeof p.peer === "string" ? p.peer : `sg:${p.peer.name}`}`;
}

const identity = (p: Permission) => `${p.head} ${typeof p.peer === "string" ? p.peer : `sg:${p.peer.id}`}`;

function unique(perms: Permission[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const p of perms) if (!seen.has(identity(p))) seen.set(identity(p), p);
  return [...seen.values()].sort((a, b) => permissionLabel(a).localeCompare(permissionLabel(b)));
}

export function normalizeSecurityGroups(groups: SecurityGroup[], ctx: RuleContext): NormalizedSecurityGroups {
  const expand = (perms: IpPermission[] | undefined) => perms?.flatMap((p) => expandPermission(p, ctx)) ?? [];
  return {
    groups: groups.map((g) => ref("security-group", g.GroupId ?? "", groupLabel(g, g.GroupId ?? ""))),
    ingress: unique(groups.flatMap((g) => expand(g.IpPermissions))),
    egress: unique(groups.flatMap((g) => expand(g.IpPermissionsEgress))),
  };
}

/** What a group is without its name or the names of the groups it refers to: for matching by shape. */
export function groupShape(group: SecurityGroup, ctx: RuleContext): string {
  const line = (p: Permission) => `${p.head} ${typeof p.peer === "string" ? p.peer : "sg"}`;
  const expand = (perms: IpPermission[] | undefined) =>
    (perms?.flatMap((p) => expandPermission(p, ctx)) ?? []).map(line).sort();
  return JSON.stringify([expand(group.IpPermissions), expand(group.IpPermissionsEgress)]);
}
