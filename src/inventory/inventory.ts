import { iamActionsOf } from "../aws/services.js";
import type { AwsClients } from "../aws/client-factory.js";
import {
  AccessDeniedError,
  EndpointUnreachableError,
  mapAwsError,
  NotFoundError,
  ThrottledError,
} from "../aws/errors.js";
import type { DrctlError } from "../errors.js";
import { RESOURCE_COUNTS, type ResourceCount } from "./resource-counts.js";

/**
 * A count, or why it could not be read (a denied call never hides the other counts): `error` is
 * the whole message, naming the call and region; `cause` is what many failures may share
 * ("could not reach the endpoint: connect ECONNREFUSED 127.0.0.1:1"), for summaries.
 */
export type CountResult =
  { resourceType: string; count: number } | { resourceType: string; error: string; cause: string };

/** The part of a failure that does not depend on which call failed. */
export function causeOf(err: DrctlError): string {
  const inner = err.cause instanceof Error ? err.cause.message : "";
  const detail = inner || err.message;
  const kind =
    err instanceof AccessDeniedError
      ? "access denied"
      : err instanceof ThrottledError
        ? "throttled after all retries"
        : err instanceof EndpointUnreachableError
          ? "could not reach the endpoint"
          : err instanceof NotFoundError
            ? "not found"
            : "";
  return kind ? `${kind}: ${detail}` : detail;
}

export interface RegionInventory {
  region: string;
  counts: CountResult[];
}

export interface Inventory {
  regions: RegionInventory[];
  /** Global services (Route 53), counted once. */
  global: CountResult[];
}

async function countOne(aws: AwsClients, counter: ResourceCount, region: string): Promise<CountResult> {
  try {
    return { resourceType: counter.resourceType, count: await counter.count(aws, region) };
  } catch (err) {
    const first = counter.permissions[0];
    const [service = "aws", operation = counter.resourceType] = first
      ? (iamActionsOf(first)[0]?.split(":") ?? [])
      : [];
    const mapped = mapAwsError(err, { service, operation, region });
    return { resourceType: counter.resourceType, error: mapped.message, cause: causeOf(mapped) };
  }
}

/** Counts every resource type drctl knows in each region, all regions at once. */
export async function takeInventory(aws: AwsClients, regions: string[]): Promise<Inventory> {
  const regional = RESOURCE_COUNTS.filter((c) => c.scope === "regional");
  const global = RESOURCE_COUNTS.filter((c) => c.scope === "global");
  const [regionResults, globalResults] = await Promise.all([
    Promise.all(
      regions.map(async (region) => ({
        region,
        counts: await Promise.all(regional.map((c) => countOne(aws, c, region))),
      })),
    ),
    Promise.all(global.map((c) => countOne(aws, c, regions[0] ?? "us-east-1"))),
  ]);
  return { regions: regionResults, global: globalResults };
}

/** Plain-text table: one row per resource type, one column per region. */
export function formatInventory(inventory: Inventory): string {
  const regions = inventory.regions.map((r) => r.region);
  const cell = (c: CountResult | undefined) =>
    c === undefined ? "-" : "count" in c ? String(c.count) : "error";
  const rows: string[][] = [["resource", ...regions]];
  for (const [i, first] of (inventory.regions[0]?.counts ?? []).entries()) {
    rows.push([first.resourceType, ...inventory.regions.map((r) => cell(r.counts[i]))]);
  }
  for (const c of inventory.global) rows.push([c.resourceType, `${cell(c)} (global)`]);
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r.map((v, col) => (col === 0 ? v.padEnd(widths[col] ?? 0) : v.padStart(widths[col] ?? 0))).join("  "),
  );
  return lines.join("\n");
}

/** Every count that failed, with where: `VPCs in us-east-1: could not reach ...`. */
export function inventoryFailures(inventory: Inventory): { where: string; error: string; cause: string }[] {
  return [
    ...inventory.regions.flatMap((r) =>
      r.counts.flatMap((c) => ("error" in c ? [{ where: `${c.resourceType} in ${r.region}`, ...c }] : [])),
    ),
    ...inventory.global.flatMap((c) => ("error" in c ? [{ where: `${c.resourceType} (global)`, ...c }] : [])),
  ].map(({ where, error, cause }) => ({ where, error, cause }));
}
