/**
 * The regions `drctl init` reads: those given, or every region the account has enabled (EC2
 * DescribeRegions). A region given that the account has not enabled is skipped with its reason,
 * never read (its calls would fail) and never silently dropped.
 */
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError } from "../aws/errors.js";
import { ops } from "../aws/services.js";

export const REGION_PERMISSIONS = ops("EC2", "DescribeRegions");

export interface Skipped {
  region: string;
  reason: string;
}

export interface RegionChoice {
  regions: string[];
  skipped: Skipped[];
  /** How the regions were chosen, for the file's comment. */
  how: string;
}

/** "aws", "aws-cn", "aws-us-gov": DescribeRegions of the emulator returns every partition's. */
const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";

/** Each region of the account's partition and its opt-in status. */
async function accountRegions(aws: AwsClients, home: string): Promise<Map<string, string>> {
  try {
    const out = await aws.get(EC2Client, home).send(new DescribeRegionsCommand({ AllRegions: true }));
    return new Map(
      (out.Regions ?? [])
        .filter((r) => r.RegionName && partitionOf(r.RegionName) === partitionOf(home))
        .map((r) => [r.RegionName ?? "", r.OptInStatus ?? "opt-in-not-required"]),
    );
  } catch (err) {
    throw mapAwsError(err, { service: "EC2", operation: "DescribeRegions", region: home });
  }
}

const enabled = (status: string) => status !== "not-opted-in";

/**
 * The regions given (checked against the account's), or all it has enabled. When the regions are
 * given and DescribeRegions cannot be read, they are used as given, and `how` says so.
 */
export async function chooseRegions(
  aws: AwsClients,
  given: readonly string[],
  home: string,
): Promise<RegionChoice> {
  if (given.length === 0) {
    const all = await accountRegions(aws, home);
    const regions = [...all].filter(([, s]) => enabled(s)).map(([r]) => r);
    return { regions: regions.sort(), skipped: [], how: "every region enabled in the account" };
  }
  let all: Map<string, string>;
  try {
    all = await accountRegions(aws, given[0] ?? home);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { regions: [...given], skipped: [], how: `as given (could not check them: ${why})` };
  }
  const skipped: Skipped[] = [];
  const regions = given.filter((region) => {
    const status = all.get(region);
    if (status === undefined) skipped.push({ region, reason: "not a region of this account's partition" });
    else if (!enabled(status))
      skipped.push({ region, reason: `not enabled in this account (${status}): enable it, or leave it out` });
    return status !== undefined && enabled(status);
  });
  return { regions, skipped, how: "as given" };
}
