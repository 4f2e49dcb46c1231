/**
 * What an application is made of, as a plan lists it: load balancer pairs and their DNS records
 * from the newest scan, the Auto Scaling groups its runbooks act on, and its data stores with
 * their freshness and posture from the newest freshness run.
 */
import { resolve } from "node:path";
import type { Component, DataStoreRow, PostureRow } from "../core/plan-result.js";
import type { StepKinds } from "../runbook/kinds.js";
import { loadRunbook } from "../runbook/load.js";
import type { PlanEvidence } from "./evidence.js";

export type ScanPairs = NonNullable<PlanEvidence["scan"]>["result"]["pairs"];
export type FreshStores = NonNullable<PlanEvidence["freshness"]>["result"]["stores"];

/** The evidence "live": what a plan read itself from the account. */
export const LIVE = "live";

/** The Auto Scaling groups the runbooks' steps act on (as their kinds say), with the region each is in. */
export function groupsOf(
  kinds: StepKinds,
  files: (string | undefined)[],
  configDir: string,
  set: Record<string, string | number | boolean>,
): { name: string; region: string }[] {
  const out: { name: string; region: string }[] = [];
  for (const file of files) {
    if (!file) continue;
    try {
      const { runbook } = loadRunbook(kinds, resolve(configDir, file), set);
      for (const step of runbook.steps) {
        const region = step.region ?? runbook.region;
        let v = kinds.get(step.kind)?.autoScalingGroup?.(step.params);
        if (typeof v === "string") {
          const ref = /^\$\{config\.([A-Za-z0-9_.-]+)\}$/.exec(v)?.[1];
          if (ref !== undefined) v = runbook.config[ref];
        }
        if (typeof v === "string" && !v.includes("${")) out.push({ name: v, region });
      }
    } catch {
      // procedureOf says why the file does not load.
    }
  }
  return out;
}

/**
 * The tier of a pair's type, by the AWS service its primary's ARN names: what carries requests
 * (DNS, health checks, the alarms that move traffic, the network), what serves them, what holds
 * or passes on their data (databases, tables, queues, topics).
 */
const TIER_OF_SERVICE: Readonly<Record<string, Component["tier"]>> = {
  elasticloadbalancing: "load balancing",
  autoscaling: "compute",
  lambda: "compute",
  ec2: "traffic",
  rds: "data",
  dynamodb: "data",
  sqs: "data",
  sns: "data",
  route53: "traffic",
  cloudwatch: "traffic",
};

/** "load balancer pair", "sqs-queue pair": what a scan pair is, from its type (older runs: load balancers only). */
function pairKindOf(p: ScanPairs[number]): Pick<Component, "tier" | "kind"> {
  const service = p.primaryArn.split(":")[2] ?? "";
  const type = p.type ?? "load-balancer";
  return {
    tier: TIER_OF_SERVICE[service] ?? "compute",
    kind: `${type === "load-balancer" ? "load balancer" : type} pair`,
  };
}

/** Whether a pair's ARN names a load balancer (the pairs whose availability is read as one). */
export const isLoadBalancerArn = (arn: string) =>
  /^arn:[^:]+:elasticloadbalancing:.*:loadbalancer\//.test(arn);

/** Each pair of the scan, of any type, and each Route 53 record that points at one. */
export function pairComponents(pairs: ScanPairs, scanId: string | undefined): Component[] {
  const components: Component[] = [];
  for (const p of pairs) {
    const open = p.findings.filter((f) => f.status !== "pass" && !f.suppressed && f.severity !== "info");
    components.push({
      ...pairKindOf(p),
      name: p.name,
      primaryArn: p.primaryArn,
      standbyArn: p.secondaryArn,
      status: { value: p.status, ...(scanId ? { evidence: scanId } : {}) },
      detail: open.length === 0 ? "no open findings" : `${open.length} open findings`,
    });
    for (const t of (p.twins ?? []).filter((x) => x.type === "route53"))
      components.push({
        tier: "traffic",
        name: t.primary.name,
        kind: "Route 53 record",
        primaryArn: t.primary.id,
        standbyArn: t.standby.id,
        status: { value: p.status, ...(scanId ? { evidence: scanId } : {}) },
        detail: `points at ${p.name} (standby record ${t.standby.name})`,
      });
  }
  return components;
}

/** Each Auto Scaling group the runbooks act on, in the primary and (where they act there) standby regions. */
export function groupComponents(
  groups: { name: string; region: string }[],
  primary: string[],
  standby: string,
): Component[] {
  return [...new Set(groups.map((g) => g.name))].map((name) => {
    const regions = groups.filter((g) => g.name === name).map((g) => g.region);
    return {
      tier: "compute",
      name,
      kind: "Auto Scaling group",
      primaryArn: `${name} (${primary.filter((r) => regions.includes(r)).join(", ") || primary.join(", ")})`,
      standbyArn: standby && regions.includes(standby) ? `${name} (${standby})` : null,
      status: { value: "named by the runbook", evidence: LIVE },
      detail: `acted on by the runbook in ${[...new Set(regions)].join(", ")}`,
    };
  });
}

/** Each data store of the freshness run. */
export function storeComponents(stores: FreshStores, freshId: string | undefined): Component[] {
  return stores.map((s) => ({
    tier: "data",
    name: s.store,
    kind: s.kind,
    primaryArn: s.primaryArn,
    standbyArn: s.standbyArn,
    status: { value: s.status, ...(freshId ? { evidence: freshId } : {}) },
    detail: s.message,
  }));
}

/** The data stores' rows: how far behind each copy is, against its RPO. */
export function dataStoreRows(stores: FreshStores, freshId: string | undefined): DataStoreRow[] {
  return stores.map((s) => ({
    store: s.store,
    kind: s.kind,
    primaryArn: s.primaryArn,
    standbyArn: s.standbyArn,
    status: s.status,
    exposure: {
      value: s.exposureSeconds,
      ...(freshId ? { evidence: freshId } : {}),
      ...(s.exposureAtLeast ? { atLeast: true } : {}),
      ...(s.resolutionSeconds ? { resolutionSeconds: s.resolutionSeconds } : {}),
    },
    rpoSeconds: s.rpoSeconds,
    measuredBy: s.measuredBy,
    message: s.message,
    evidence: freshId ?? "",
  }));
}

/** The freshness run's open data-protection findings on these stores (or on what is the application's). */
export function postureRows(
  freshness: PlanEvidence["freshness"],
  stores: FreshStores,
  mine: (arn: string) => boolean,
  freshId: string | undefined,
): PostureRow[] {
  const storeArns = new Set(stores.map((s) => s.primaryArn));
  return (freshness?.result.findings ?? [])
    .filter(
      (f) => f.status !== "pass" && !f.suppressed && (storeArns.has(f.primaryArn) || mine(f.primaryArn)),
    )
    .map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      subject: f.pair,
      message: f.message,
      remediation: f.remediation,
      evidence: freshId ?? "",
    }));
}
