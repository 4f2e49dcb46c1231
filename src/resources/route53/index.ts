import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RuleInfo } from "../../core/finding.js";
import { ambiguousTwinRule, unmatchedOf, type PairContext, type ResourceModule } from "../module.js";
import { matchTwins, type TwinCandidate, type TwinEvidence } from "../../core/twins.js";
import { LOAD_BALANCERS_BY_DNS } from "../load-balancer/list.js";
import { RecordIndex, ROUTE53_PERMISSIONS } from "./collect.js";
import {
  loadBalancerRegion,
  normalizeDnsName,
  type FailoverSet,
  type RecordRef,
  type RecordTarget,
  type Route53View,
} from "./normalize.js";
import { route53Rules } from "./rules.js";

const missingRecord: RuleInfo = {
  id: "route53.records",
  resourceType: "route53",
  severity: "medium",
  title: "Records pointing at each load balancer",
  compares:
    "the alias (A/AAAA) and CNAME records in every hosted zone that point at each load balancer, other than failover records (checked as sets by the failover rules), matched as twins: the same name on both sides (a weighted or latency set), then the name without region codes and role words (web.use1.example.com and web.usw2.example.com)",
  rationale:
    "A name that resolves to the primary but has no standby counterpart stops working when the primary is gone.",
  remediation: "Create the record for the standby load balancer (or a failover record set that covers both).",
};

const recordId = (r: RecordRef) => `${r.name} ${r.type}`;

/** Each name and type that points at a load balancer, once. */
function candidates(records: RecordRef[]): TwinCandidate[] {
  return [...new Map(records.map((r) => [recordId(r), { id: recordId(r), name: recordId(r) }])).values()];
}

/** Where a record points, named: the pair's own load balancers, or the one that DNS name belongs to. */
async function targetOf(
  record: RecordRef | undefined,
  pair: { primary: string; standby: string; primaryName: string; standbyName: string },
  context: PairContext,
): Promise<RecordTarget> {
  if (!record) return { role: "none", dnsName: null, loadBalancer: null };
  if (record.target === pair.primary)
    return { role: "primary", dnsName: record.target, loadBalancer: pair.primaryName };
  if (record.target === pair.standby)
    return { role: "standby", dnsName: record.target, loadBalancer: pair.standbyName };
  const region = loadBalancerRegion(record.target);
  // One region-wide list per region and scan, shared by every pair: the name of what it points at.
  // Not being able to name it makes the finding less precise, not the pair unreadable.
  const owner = region
    ? await context
        .region(region)
        .list(LOAD_BALANCERS_BY_DNS)
        .then((byDns) => byDns.get(record.target))
        .catch(() => undefined)
    : undefined;
  return { role: "other", dnsName: record.target, loadBalancer: owner?.LoadBalancerName ?? null };
}

async function failoverSets(
  index: RecordIndex,
  records: RecordRef[],
  pair: { primary: string; standby: string; primaryName: string; standbyName: string },
  context: PairContext,
): Promise<FailoverSet[]> {
  const keys = [...new Set(records.filter((r) => r.failover).map((r) => `${r.name}|${r.type}`))].sort();
  return Promise.all(
    keys.map(async (key) => {
      const [name = "", type = ""] = key.split("|");
      const group = index.named(name, type);
      const prim = group.find((x) => x.failover === "PRIMARY");
      const sec = group.find((x) => x.failover === "SECONDARY");
      return {
        name,
        type,
        primary: await targetOf(prim, pair, context),
        secondary: await targetOf(sec, pair, context),
        primaryHasHealthCheck: Boolean(prim?.healthCheckId),
      };
    }),
  );
}

export const route53Module: ResourceModule<Route53View, LoadBalancer> = {
  type: "route53",
  title: "Route 53 records",
  permissions: ROUTE53_PERMISSIONS,
  rules: route53Rules,
  extraRules: [ambiguousTwinRule({ type: "route53", title: "Route 53 records" })],
  missingRule: missingRecord,
  async twins(primary, standby, context) {
    const index = await context.scanWide("route53-records", (aws, home) => RecordIndex.load(aws, home));
    const pair = {
      primary: normalizeDnsName(primary.anchor.DNSName ?? ""),
      standby: normalizeDnsName(standby.anchor.DNSName ?? ""),
      primaryName: primary.anchor.LoadBalancerName ?? "",
      standbyName: standby.anchor.LoadBalancerName ?? "",
    };
    const [p, s] = [index.pointingAt(pair.primary), index.pointingAt(pair.standby)];
    // Failover records are checked as sets by the failover rules; the others must have twins.
    const [plain, plainStandby] = [p.filter((r) => !r.failover), s.filter((r) => !r.failover)];
    // A name with records for both load balancers (a weighted or latency set) pairs them through the pair.
    const standbyIds = new Set(plainStandby.map(recordId));
    const evidence: TwinEvidence[] = [...new Set(plain.map(recordId))]
      .filter((id) => standbyIds.has(id))
      .map((id) => ({ primaryId: id, standbyId: id, via: `record set ${id}` }));
    const match = matchTwins(candidates(plain), candidates(plainStandby), evidence, context.names);
    const unmatched = unmatchedOf(
      match,
      route53Module,
      (name) => `records[${name}]`,
      "DNS record",
      (role) =>
        role === "primary"
          ? `it points at the primary load balancer ${pair.primaryName}; no record of that name without its region points at ${pair.standbyName}`
          : `it points at the standby load balancer ${pair.standbyName}`,
    );
    const view: Route53View = { failover: await failoverSets(index, [...p, ...s], pair, context) };
    return {
      twins: [{ label: "", primary: view, secondary: view }],
      unmatched,
      links: match.links,
    };
  },
};
