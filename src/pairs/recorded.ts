/**
 * How a type reads the pairs AWS records, region by region: a region whose read fails (access
 * denied to the listing, throttled to exhaustion) is one error finding naming the call and the
 * region, and every other region, and every pair found by tag or drctl.yaml, is unaffected.
 */
import type { Finding } from "../core/finding.js";
import { regionFinding } from "./declared.js";
import type { Recorded, RecordedPairs } from "./kind.js";

/** The finding for a region whose recorded pairs could not be read; `err` names the call (mapAwsError). */
export function recordedUnreadable(title: string, region: string, err: unknown): Finding {
  const reason = err instanceof Error ? err.message : String(err);
  return regionFinding(
    region,
    `(recorded ${title.toLowerCase()} pairs in ${region})`,
    `could not read the ${title.toLowerCase()} pairs AWS records in ${region} (replicas, global members): ${reason}`,
  );
}

/** `read` for each region, at once; a region that throws is a finding, the others' pairs are kept. */
export async function recordedPerRegion<R>(
  title: string,
  regions: readonly string[],
  read: (region: string) => Promise<Recorded<R>[]>,
): Promise<RecordedPairs<R>> {
  const perRegion = await Promise.all(
    regions.map(async (region): Promise<RecordedPairs<R>> => {
      try {
        return { found: await read(region), findings: [] };
      } catch (err) {
        return { found: [], findings: [recordedUnreadable(title, region, err)] };
      }
    }),
  );
  return { found: perRegion.flatMap((r) => r.found), findings: perRegion.flatMap((r) => r.findings) };
}
