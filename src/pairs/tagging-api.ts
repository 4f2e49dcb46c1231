/**
 * How most types find their tagged primaries: the Resource Groups Tagging API lists every tagged
 * resource of a region, of every type, 100 a page. It is read once per region for a whole run
 * (every type filters the same list by the ARNs it owns), and only the resources tagged as
 * primaries are then described, through the type's own batched describe. Types the tagging API
 * does not return (Auto Scaling groups, Route 53 health checks) list their tags themselves.
 */
import { parseArn, type Arn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import type { Finding } from "../core/finding.js";
import { pairFinding } from "./declared.js";
import type { PairKind, Tagged } from "./kind.js";
import { PAIR_RULES } from "./rules.js";
import { taggedResources, type TaggedResource } from "./tagged.js";
import { isTrue, TAG } from "./tags.js";

const listings = new WeakMap<AwsClients, Map<string, Promise<TaggedResource[]>>>();

/** Every tagged resource of a region, listed once per discovery (see forgetTaggedListings) and region. */
export function taggedInRegion(aws: AwsClients, region: string): Promise<TaggedResource[]> {
  let byRegion = listings.get(aws);
  if (!byRegion) listings.set(aws, (byRegion = new Map<string, Promise<TaggedResource[]>>()));
  let listing = byRegion.get(region);
  if (!listing) {
    listing = taggedResources(aws, region);
    listing.catch(() => undefined);
    byRegion.set(region, listing);
  }
  return listing;
}

/**
 * Starts a new discovery's listings: clients outlive a run (a warm Lambda keeps its clients
 * between invocations), and a listing of an earlier run would hide what was tagged since.
 */
export function forgetTaggedListings(aws: AwsClients): void {
  listings.delete(aws);
}

/** Whether the tags mark a resource as an enabled DR primary. */
export const isTaggedPrimary = (tags: Readonly<Record<string, string | undefined>>) =>
  isTrue(tags[TAG.enable]) && isTrue(tags[TAG.isPrimary]);

function tryParse(arn: string): Arn | undefined {
  try {
    return parseArn(arn);
  } catch {
    return undefined;
  }
}

/** The region's resources that `owns` accepts and whose tags mark them as primaries. */
async function taggedPrimariesOwned(aws: AwsClients, region: string, owns: (arn: Arn) => boolean) {
  return (await taggedInRegion(aws, region)).flatMap((t) => {
    const arn = tryParse(t.arn);
    return arn && owns(arn) && isTaggedPrimary(t.tags) ? [{ tagged: t, arn }] : [];
  });
}

/**
 * Whether the tagging API lists a primary that `owns` accepts in the region: a type whose
 * primaries come from that listing need not be loaded when it lists none of them.
 */
export async function listsTaggedPrimaries(
  aws: AwsClients,
  region: string,
  owns: (arn: Arn) => boolean,
): Promise<boolean> {
  return (await taggedPrimariesOwned(aws, region, owns)).length > 0;
}

/** The `tagged` functions made by taggedThroughTaggingApi (see findsTaggedThroughTaggingApi). */
const throughTaggingApi = new WeakSet<object>();

/** Whether a type's `tagged` is the tagging API's (and so finds nothing where it lists nothing). */
export const findsTaggedThroughTaggingApi = (kind: Pick<PairKind<unknown>, "tagged">) =>
  throughTaggingApi.has(kind.tagged);

/**
 * A type's `tagged`, through the tagging API: the region's resources this type owns that are
 * tagged as primaries, each described by ARN; one that cannot be described is a finding on it.
 */
export function taggedThroughTaggingApi<R>(
  kind: Pick<PairKind<R>, "owns" | "describe" | "nameOf" | "title">,
): PairKind<R>["tagged"] {
  const tagged: PairKind<R>["tagged"] = async (aws, region) => {
    const mine = await taggedPrimariesOwned(aws, region, (arn) => kind.owns(arn));
    if (mine.length === 0) return { found: [], findings: [] };
    const described = await kind.describe(
      aws,
      mine.map((m) => m.arn),
    );
    const findings: Finding[] = [];
    const found = mine.flatMap(({ tagged }): Tagged<R>[] => {
      const resource = described.get(tagged.arn);
      if (resource === undefined) return [];
      if (resource instanceof Error) {
        findings.push(unreadablePrimary(kind.title, tagged.arn, region, resource));
        return [];
      }
      return [{ arn: tagged.arn, name: kind.nameOf(resource), resource, tags: tagged.tags }];
    });
    return { found, findings };
  };
  throughTaggingApi.add(tagged);
  return tagged;
}

function unreadablePrimary(title: string, arn: string, region: string, err: Error): Finding {
  const name = arn.split(/[:/]/).at(-1) ?? arn;
  return pairFinding(
    { name, primaryArn: arn },
    {
      rule: PAIR_RULES.unreadable,
      status: "error",
      message: `the ${title.toLowerCase()} ${name} in ${region} is tagged as a primary but could not be read: ${err.message}`,
      secondary: null,
    },
  );
}
