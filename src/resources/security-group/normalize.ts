import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";

/** The effective rules of all security groups of a load balancer, one string per rule. */
export interface NormalizedSecurityGroups {
  groups: string[];
  ingress: string[];
  egress: string[];
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

/** A group is known by its name (or its Name tag), which twins share; ids differ per region. */
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

/**
 * Expands each permission into one string per source, so rule order, grouping and descriptions
 * never count: "tcp 443-443 ::/0", "tcp 8080-8081 sg:app", "all vpc-cidr", "tcp 443-443 pl:com.amazonaws.global.cloudfront.origin-facing".
 */
export function expandPermission(p: IpPermission, ctx: RuleContext): string[] {
  const raw = (p.IpProtocol ?? "-1").toLowerCase();
  const protocol = PROTOCOLS[raw] ?? raw;
  const head = `${protocol}${portRange(p, protocol)}`;
  const cidr = (c: string) => (ctx.vpcCidrs.includes(c) ? "vpc-cidr" : c);
  return [
    ...(p.IpRanges ?? []).map((r) => `${head} ${cidr(r.CidrIp ?? "")}`),
    ...(p.Ipv6Ranges ?? []).map((r) => `${head} ${cidr(r.CidrIpv6 ?? "")}`),
    ...(p.PrefixListIds ?? []).map(
      (r) => `${head} pl:${ctx.prefixListNames.get(r.PrefixListId ?? "") ?? r.PrefixListId ?? ""}`,
    ),
    ...(p.UserIdGroupPairs ?? []).map((g) => {
      const id = g.GroupId ?? "";
      const known = ctx.groupsById.get(id);
      return `${head} sg:${known ? groupLabel(known, id) : `${id}${g.UserId ? `@${g.UserId}` : ""}`}`;
    }),
  ];
}

export function normalizeSecurityGroups(groups: SecurityGroup[], ctx: RuleContext): NormalizedSecurityGroups {
  const expand = (perms: IpPermission[] | undefined) => perms?.flatMap((p) => expandPermission(p, ctx)) ?? [];
  return {
    groups: groups.map((g) => groupLabel(g, g.GroupId ?? "")).sort(),
    ingress: [...new Set(groups.flatMap((g) => expand(g.IpPermissions)))].sort(),
    egress: [...new Set(groups.flatMap((g) => expand(g.IpPermissionsEgress)))].sort(),
  };
}
