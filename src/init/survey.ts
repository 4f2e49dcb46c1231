/**
 * What `drctl init` reads of an account: every tagged resource of each region (one Resource
 * Groups Tagging API listing per region, as pairing reads it), and every data store with the
 * copies AWS records for it (the data-store types' own discovery, as freshness reads it). When
 * the tagging API is denied, load balancers and data stores are listed per service instead,
 * without their tags, and the survey says so.
 */
import { AutoScalingClient, paginateDescribeAutoScalingGroups } from "@aws-sdk/client-auto-scaling";
import {
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { parseArn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import { AccessDeniedError, mapAwsError } from "../aws/errors.js";
import { MetricReader } from "../aws/metrics.js";
import { RegionCaches } from "../aws/region-cache.js";
import { ops } from "../aws/services.js";
import type { FreshnessContext, PrimaryStore, Protection, StoreType } from "../datastores/type.js";
import { nameFromArn } from "../pairs/near-miss.js";
import { taggedResources } from "../pairs/tagged.js";
import type { Group } from "./strategy.js";

export const FALLBACK_PERMISSIONS = ops("ELBv2", "DescribeLoadBalancers");
/** The Auto Scaling groups, whose capacities tell the strategy (the tagging API does not list them). */
export const GROUP_PERMISSIONS = ops("AutoScaling", "DescribeAutoScalingGroups");

/** A resource of a region, as init knows it. */
export interface Resource {
  arn: string;
  region: string;
  /** Its Name tag, else the last part of its ARN. */
  name: string;
  /** "elasticloadbalancing:loadbalancer", "sqs:", "s3:": what twins must share. */
  type: string;
  /** Empty when the tags could not be read. */
  tags: Record<string, string>;
}

/** A copy AWS records, with the store it is a copy of. */
export interface Copy {
  kind: string;
  primary: PrimaryStore;
  standbyArn: string;
  standbyRegion: string;
}

export interface Survey {
  resources: Resource[];
  stores: PrimaryStore[];
  copies: Copy[];
  /** Every Auto Scaling group of the regions, with its desired capacity. */
  groups: Group[];
  /** What could not be read, and what was done instead: each becomes a comment in the file. */
  notes: string[];
}

export function typeOfArn(arn: string): string {
  try {
    const a = parseArn(arn);
    return `${a.service}:${a.resourceType}`;
  } catch {
    return "?";
  }
}

function resourceOf(arn: string, region: string, tags: Record<string, string>): Resource {
  return { arn, region, name: tags.Name?.trim() || nameFromArn(arn), type: typeOfArn(arn), tags };
}

/** The load balancers of a region, without tags: what the tagging API would have given for them. */
async function loadBalancers(aws: AwsClients, region: string): Promise<Resource[]> {
  const out: Resource[] = [];
  try {
    const client = aws.get(ElasticLoadBalancingV2Client, region);
    for await (const page of paginateDescribeLoadBalancers({ client }, {}))
      for (const lb of page.LoadBalancers ?? [])
        if (lb.LoadBalancerArn) out.push(resourceOf(lb.LoadBalancerArn, region, {}));
  } catch (err) {
    throw mapAwsError(err, { service: "ELBv2", operation: "DescribeLoadBalancers", region });
  }
  return out;
}

/** One region's tagged resources, or its load balancers when the tagging API is denied. */
async function regionResources(aws: AwsClients, region: string, notes: string[]): Promise<Resource[]> {
  try {
    return (await taggedResources(aws, region)).map((t) => resourceOf(t.arn, region, t.tags));
  } catch (err) {
    if (!(err instanceof AccessDeniedError)) {
      notes.push(
        `${region}: the tagged resources could not be listed (${err instanceof Error ? err.message : String(err)})`,
      );
      return [];
    }
    notes.push(
      `${region}: the Resource Groups Tagging API was denied (${err.message}); load balancers and data stores were listed per service instead, without their tags: pairs by tag, applications and near-miss tags there are unknown`,
    );
    try {
      return await loadBalancers(aws, region);
    } catch (listErr) {
      notes.push(`${region}: load balancers could not be listed either (${(listErr as Error).message})`);
      return [];
    }
  }
}

function contextFor(aws: AwsClients, regions: readonly string[]): FreshnessContext {
  const caches = new RegionCaches(aws);
  const now = new Date();
  return {
    aws,
    now,
    windowSeconds: 900,
    metrics: new MetricReader(aws, { start: new Date(now.getTime() - 900_000), end: now }),
    region: (r) => caches.for(r, undefined),
    // Every region is read as a primary: which one is the primary is what init works out.
    primaryRegions: regions,
    standbyRegions: regions,
    settings: { backupRetentionDays: { min: 7, max: 30 } },
  };
}

const copyOf = (p: Protection): Copy[] =>
  p.standbyArn && p.standbyRegion && p.standbyRegion !== p.primary.region
    ? [{ kind: p.kind, primary: p.primary, standbyArn: p.standbyArn, standbyRegion: p.standbyRegion }]
    : [];

/** Every store of the regions and its copies, through each data-store type's own discovery. */
async function storesOf(
  aws: AwsClients,
  regions: readonly string[],
  types: readonly StoreType[],
  notes: string[],
) {
  const ctx = contextFor(aws, regions);
  const found = await Promise.all(
    types.map((t) =>
      t.discover(ctx).catch((err: unknown) => {
        notes.push(
          `${t.title} could not be read (${err instanceof Error ? err.message : String(err)}): its stores are not listed`,
        );
        return { stores: [], protections: [] };
      }),
    ),
  );
  const stores = new Map<string, PrimaryStore>();
  for (const d of found) for (const s of d.stores) if (!stores.has(s.arn)) stores.set(s.arn, s);
  return { stores: [...stores.values()], copies: found.flatMap((d) => d.protections.flatMap(copyOf)) };
}

/** A region's Auto Scaling groups (100 a page); none, with a note, when they cannot be read. */
async function regionGroups(aws: AwsClients, region: string, notes: string[]): Promise<Group[]> {
  const out: Group[] = [];
  try {
    const client = aws.get(AutoScalingClient, region);
    for await (const page of paginateDescribeAutoScalingGroups({ client, pageSize: 100 }, {}))
      for (const g of page.AutoScalingGroups ?? [])
        // A group without a desired capacity says nothing of how the standby runs.
        if (g.DesiredCapacity !== undefined)
          out.push({
            arn: g.AutoScalingGroupARN ?? "",
            region,
            name: g.AutoScalingGroupName ?? "",
            desired: g.DesiredCapacity,
            tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
          });
  } catch (err) {
    const mapped = mapAwsError(err, {
      service: "AutoScaling",
      operation: "DescribeAutoScalingGroups",
      region,
    });
    notes.push(
      `${region}: the Auto Scaling groups could not be read (${mapped.message}): the strategy is not inferred from them`,
    );
    return [];
  }
  return out;
}

/** Reads the regions, `progress` told as each region is done. */
export async function survey(
  aws: AwsClients,
  regions: readonly string[],
  types: readonly StoreType[],
  progress: (line: string) => void,
): Promise<Survey> {
  const notes: string[] = [];
  const byArn = new Map<string, Resource>();
  let done = 0;
  const groups: Group[] = [];
  await Promise.all(
    regions.map(async (region) => {
      for (const r of await regionResources(aws, region, notes)) if (!byArn.has(r.arn)) byArn.set(r.arn, r);
      groups.push(...(await regionGroups(aws, region, notes)));
      progress(
        `read the tagged resources and Auto Scaling groups of ${region} (${++done}/${regions.length})`,
      );
    }),
  );
  progress(`reading the data stores of ${regions.join(", ")} and their copies`);
  const { stores, copies } = await storesOf(aws, regions, types, notes);
  // A store is in its own region (a bucket's tags may be listed from any region).
  for (const s of stores) {
    const known = byArn.get(s.arn);
    byArn.set(s.arn, known ? { ...known, region: s.region } : resourceOf(s.arn, s.region, {}));
  }
  // Sorted, so two runs over the same account write the same file (a --dry-run diff shows only changes).
  const resources = [...byArn.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn),
  );
  groups.sort((a, b) => a.arn.localeCompare(b.arn));
  return { resources, stores, copies, groups, notes: notes.sort() };
}
