/**
 * Finds every pair of every type it is handed: primaries tagged enable=true and isPrimary=true in
 * the primary regions, pairs listed in drctl.yaml, and pairs AWS itself records. Every problem
 * with a pair becomes a finding on it; the other pairs are unaffected.
 */
import { parseArn, type Arn } from "../aws/arn.js";
import type { AwsClients } from "../aws/client-factory.js";
import { mapAwsError, NotFoundError } from "../aws/errors.js";
import type { Finding } from "../core/finding.js";
import { checkDeclared, pairFinding, regionFinding, viaOf, type Declaration } from "./declared.js";
import type { Pair, PairKind, Recorded, RecordedPairs } from "./kind.js";
import { recordedUnreadable } from "./recorded.js";
import { PAIR_RULES } from "./rules.js";
import { isTrue, TAG, tidyArn } from "./tags.js";
import { nearMissFinding, nearMissTags } from "./near-miss.js";
import { forgetTaggedListings, isTaggedPrimary, taggedInRegion } from "./tagging-api.js";
import type { NotCompared } from "../core/scan-result.js";

export type { Pair, PairKind } from "./kind.js";

export interface Discovery {
  pairs: Pair[];
  /** Pair-level findings: pairs that cannot be compared, and notes on pairs that can. */
  findings: Finding[];
  /** Per primary region, the tagged primaries of types no kind owns, counted by type. */
  notCompared: NotCompared[];
}

export interface DiscoverOptions {
  kinds: readonly PairKind<unknown>[];
  primaryRegions: readonly string[];
  configPairs: readonly { primary: string; secondary?: string }[];
}

/** A primary found, before its standby is checked and read. */
interface Candidate extends Declaration {
  kind: PairKind<unknown>;
  primary: unknown;
  /** Set for a pair AWS records: its standby is what AWS says, in these words. */
  recordedVia?: string;
  /** The primary's tags, when it was found by them. */
  tags?: Readonly<Record<string, string | undefined>>;
}

/** A candidate whose standby ARN passed every check. */
interface Valid {
  c: Candidate;
  standby: Arn;
  standbyArn: string;
}

const kindOf = (kinds: readonly PairKind<unknown>[], arn: Arn) => kinds.find((k) => k.owns(arn));

/** The tagged primaries of one kind in one region; a region that cannot be listed is one finding. */
async function taggedIn(aws: AwsClients, kind: PairKind<unknown>, region: string) {
  try {
    const { found, findings } = await kind.tagged(aws, region);
    const candidates = found
      .filter((t) => isTrue(t.tags[TAG.enable]) && isTrue(t.tags[TAG.isPrimary]))
      .map((t): Candidate => ({
        kind,
        name: t.name,
        primaryArn: t.arn,
        primary: t.resource,
        primaryRegion: region,
        secondary: t.tags[TAG.secondaryArn],
        source: "tags",
        tags: t.tags,
      }));
    return { candidates, findings };
  } catch (err) {
    const mapped = mapAwsError(err, { service: kind.title, operation: "list tagged primaries", region });
    const finding = regionFinding(
      region,
      `(primaries in ${region})`,
      `could not list the tagged primaries of ${region}: ${mapped.message}`,
    );
    return { candidates: [], findings: [finding] };
  }
}

/** The primaries drctl.yaml lists, read by ARN (they may be in any region). */
async function configured(aws: AwsClients, options: DiscoverOptions) {
  const findings: Finding[] = [];
  const candidates: Candidate[] = [];
  for (const kind of options.kinds) {
    const listed = options.configPairs.filter((p) => {
      const arn = tryParse(p.primary);
      return arn !== undefined && kind.owns(arn);
    });
    if (listed.length === 0) continue;
    const read = await kind.describe(
      aws,
      listed.map((p) => parseArn(tidyArn(p.primary))),
    );
    for (const p of listed) {
      const arn = tidyArn(p.primary);
      const resource = read.get(arn);
      const name = arn.split(/[:/]/).at(-2) ?? arn;
      if (resource === undefined || resource instanceof Error) {
        findings.push(
          pairFinding(
            { name, primaryArn: arn },
            {
              rule: PAIR_RULES.unreadable,
              status: resource instanceof NotFoundError || resource === undefined ? "missing" : "error",
              message: `the primary ${arn} listed in drctl.yaml could not be read: ${resource?.message ?? "not found"}`,
              secondary: p.secondary ?? null,
            },
          ),
        );
        continue;
      }
      const primaryRegion = parseArn(arn).region;
      candidates.push({
        kind,
        name: kind.nameOf(resource),
        primaryArn: arn,
        primary: resource,
        primaryRegion,
        secondary: p.secondary,
        source: "config",
      });
    }
  }
  return { candidates, findings };
}

function tryParse(text: string): Arn | undefined {
  try {
    return parseArn(tidyArn(text));
  } catch {
    return undefined;
  }
}

/** What a kind records; a kind that throws outright is one finding on every primary region. */
async function recordedOf(
  aws: AwsClients,
  kind: PairKind<unknown>,
  options: DiscoverOptions,
  declared: ReadonlySet<string>,
): Promise<RecordedPairs<unknown>> {
  try {
    return (await kind.recorded?.(aws, options.primaryRegions, declared)) ?? { found: [], findings: [] };
  } catch (err) {
    return { found: [], findings: [recordedUnreadable(kind.title, options.primaryRegions.join(", "), err)] };
  }
}

/** A recorded primary that could not be read: a finding on its pair, as a tagged one's is. */
function unreadableRecorded(kind: PairKind<unknown>, r: Recorded, err: Error): Finding {
  const name = r.primaryArn.split(/[:/]/).at(-1) ?? r.primaryArn;
  return pairFinding(
    { name, primaryArn: r.primaryArn },
    {
      rule: PAIR_RULES.unreadable,
      status: "error",
      message: `the ${kind.title.toLowerCase()} ${name}, paired by ${r.via}, could not be read: ${err.message}`,
      secondary: r.standbyArn,
    },
  );
}

/**
 * The pairs AWS records, for primaries no tag or config entry declares (those say more). A read
 * that fails is a finding, never a silent gap; the primary a kind read to find its pair is kept.
 */
async function recordedBy(aws: AwsClients, options: DiscoverOptions, declared: ReadonlySet<string>) {
  const out: Candidate[] = [];
  const findings: Finding[] = [];
  for (const kind of options.kinds) {
    if (!kind.recorded) continue;
    const result = await recordedOf(aws, kind, options, declared);
    findings.push(...result.findings);
    const recorded = result.found.filter((r) => !declared.has(r.primaryArn));
    const unread = recorded.filter((r) => r.primary === undefined);
    const read =
      unread.length > 0
        ? await kind.describe(
            aws,
            unread.map((r) => parseArn(r.primaryArn)),
          )
        : new Map<string, unknown>();
    for (const r of recorded) {
      const resource = r.primary ?? read.get(r.primaryArn);
      if (resource === undefined || resource instanceof NotFoundError) continue;
      if (resource instanceof Error) {
        findings.push(unreadableRecorded(kind, r, resource));
        continue;
      }
      out.push({
        kind,
        name: kind.nameOf(resource),
        primaryArn: r.primaryArn,
        primary: resource,
        primaryRegion: parseArn(r.primaryArn).region,
        secondary: r.standbyArn,
        source: "config",
        recordedVia: r.via,
      });
    }
  }
  return { candidates: out, findings };
}

/** Every candidate, each primary once: drctl.yaml over tags over what AWS records. */
async function candidatesOf(aws: AwsClients, options: DiscoverOptions) {
  const findings: Finding[] = [];
  const byPrimary = new Map<string, Candidate>();
  // Types that share the tagging API's listing fail together: its failure is said once.
  const said = new Set<string>();
  for (const region of options.primaryRegions)
    for (const kind of options.kinds) {
      const found = await taggedIn(aws, kind, region);
      for (const c of found.candidates) byPrimary.set(c.primaryArn, c);
      for (const f of found.findings) {
        const key = `${f.pair}|${f.path}|${f.message}`;
        if (!said.has(key)) findings.push(f);
        said.add(key);
      }
    }
  const fromConfig = await configured(aws, options);
  for (const c of fromConfig.candidates) byPrimary.set(c.primaryArn, c);
  findings.push(...fromConfig.findings);
  const recorded = await recordedBy(aws, options, new Set(byPrimary.keys()));
  for (const c of recorded.candidates) byPrimary.set(c.primaryArn, c);
  findings.push(...recorded.findings);
  return { candidates: [...byPrimary.values()], findings };
}

/** Candidates whose standby ARN is sound, minus two primaries naming each other. */
function validOf(candidates: readonly Candidate[], kinds: readonly PairKind<unknown>[], findings: Finding[]) {
  const valid: Valid[] = [];
  for (const c of candidates) {
    const checked = checkDeclared(c, c.kind, (arn) => kindOf(kinds, arn));
    if (checked.ok) valid.push({ c, standby: checked.standby, standbyArn: checked.standbyArn });
    else findings.push(pairFinding(c, checked));
  }
  const secondaryOf = new Map(valid.map((v) => [v.c.primaryArn, v.standbyArn]));
  return valid.filter((v) => {
    if (secondaryOf.get(v.standbyArn) !== v.c.primaryArn) return true;
    findings.push(
      pairFinding(v.c, {
        rule: PAIR_RULES.selfReference,
        status: "error",
        message: `${v.c.name} and the ${v.c.kind.title.toLowerCase()} it names as standby are tagged as each other's primary and standby`,
        secondary: v.standbyArn,
      }),
    );
    return false;
  });
}

/** One standby claimed by several primaries: reported on each, and each is still compared. */
function claimedTwice(valid: readonly Valid[], findings: Finding[]): void {
  const claims = new Map<string, Valid[]>();
  for (const v of valid) claims.set(v.standbyArn, [...(claims.get(v.standbyArn) ?? []), v]);
  for (const v of valid) {
    const others = (claims.get(v.standbyArn) ?? []).filter((o) => o !== v).map((o) => o.c.name);
    if (others.length > 0)
      findings.push(
        pairFinding(v.c, {
          rule: PAIR_RULES.claimedTwice,
          status: "drift",
          message: `${v.c.name}'s standby is also claimed by ${others.join(", ")}`,
          secondary: v.standbyArn,
        }),
      );
  }
}

/** The pair of a valid candidate whose standby was read, or the finding that says why not. */
function pairOf(v: Valid, found: unknown): Pair | Finding {
  const { c } = v;
  if (found === undefined || found instanceof NotFoundError)
    return pairFinding(c, {
      rule: PAIR_RULES.standbyNotFound,
      status: "missing",
      // A global resource (a Route 53 health check) has no region in its ARN.
      message: `${c.name}'s standby ${v.standbyArn} does not exist${v.standby.region ? ` in ${v.standby.region}` : ""}`,
      secondary: v.standbyArn,
    });
  if (found instanceof Error)
    return pairFinding(c, {
      rule: PAIR_RULES.unreadable,
      status: "error",
      message: `${c.name}'s standby could not be read: ${found.message}`,
      secondary: v.standbyArn,
    });
  const mismatch = c.kind.incompatible?.(c.primary, found);
  if (mismatch)
    return pairFinding(
      c,
      { rule: PAIR_RULES.typeMismatch, status: "drift", message: mismatch.message, secondary: v.standbyArn },
      mismatch.standby,
    );
  return {
    kind: c.kind,
    name: c.name,
    standbyName: c.kind.nameOf(found) || v.standbyArn,
    source: c.recordedVia ? "aws" : c.source,
    via: c.recordedVia ?? viaOf(c.source),
    primary: c.primary,
    standby: found,
    primaryArn: c.primaryArn,
    standbyArn: v.standbyArn,
    primaryRegion: c.primaryRegion,
    standbyRegion: v.standby.region,
    primaryAccount: parseArn(c.primaryArn).account,
    standbyAccount: v.standby.account,
    primaryTags: Object.fromEntries(
      Object.entries(c.tags ?? {}).flatMap(([k, value]) => (value === undefined ? [] : [[k, value]])),
    ),
  };
}

/** "ecs:service" for an ARN of an ECS service, "s3:bucket" for a bucket: how a type no kind owns is counted. */
const typeLabel = (arn: string) => {
  const parsed = tryParse(arn);
  // An S3 ARN names its bucket with no resource type.
  return parsed
    ? `${parsed.service}:${parsed.resourceType || (parsed.service === "s3" ? "bucket" : "(resource)")}`
    : "(unparsable ARN)";
};

/**
 * The tagged primaries of each region that no kind given owns, counted by type, so a tag that
 * declares a pair drctl does not compare is said once, never skipped without a word.
 */
async function notComparedIn(aws: AwsClients, options: DiscoverOptions): Promise<NotCompared[]> {
  const owned = (arn: string) => {
    const parsed = tryParse(arn);
    return parsed !== undefined && options.kinds.some((k) => k.owns(parsed));
  };
  return Promise.all(
    options.primaryRegions.map(async (region): Promise<NotCompared> => {
      try {
        const types: Record<string, number> = {};
        for (const t of await taggedInRegion(aws, region))
          if (isTaggedPrimary(t.tags) && !owned(t.arn))
            types[typeLabel(t.arn)] = (types[typeLabel(t.arn)] ?? 0) + 1;
        return { region, types };
      } catch (err) {
        return { region, types: {}, error: (err as Error).message };
      }
    }),
  );
}

/** DR tags that nearly match, on any resource of the primary regions (a listing that failed is said elsewhere). */
async function nearMissesIn(aws: AwsClients, regions: readonly string[]): Promise<Finding[]> {
  const lists = await Promise.all(regions.map((r) => taggedInRegion(aws, r).catch(() => [])));
  return lists.flat().flatMap((t) => nearMissTags(t.tags).map((m) => nearMissFinding(t.arn, t.region, m)));
}

/**
 * Finds every pair of the kinds given: primaries by tag in `primaryRegions`, those listed in
 * drctl.yaml, and those AWS records; standbys read by ARN, grouped by kind.
 */
export async function discoverPairs(aws: AwsClients, options: DiscoverOptions): Promise<Discovery> {
  forgetTaggedListings(aws);
  // Each primary region's tagging API listing is read in any case (near misses, types not
  // compared): asked for first, it is on its way while the types that need it are loaded.
  for (const region of options.primaryRegions) void taggedInRegion(aws, region);
  const { candidates, findings } = await candidatesOf(aws, options);
  const valid = validOf(candidates, options.kinds, findings);
  claimedTwice(valid, findings);
  const pairs: Pair[] = [];
  for (const kind of options.kinds) {
    const ofKind = valid.filter((v) => v.c.kind === kind);
    if (ofKind.length === 0) continue;
    const standbys = await kind.describe(
      aws,
      ofKind.map((v) => v.standby),
    );
    for (const v of ofKind) {
      const made = pairOf(v, standbys.get(v.standbyArn));
      if ("kind" in made) pairs.push(made);
      else findings.push(made);
    }
  }
  findings.push(...(await nearMissesIn(aws, options.primaryRegions)));
  const notCompared = (await notComparedIn(aws, options)).filter(
    (n) => n.error !== undefined || Object.keys(n.types).length > 0,
  );
  return { pairs: pairs.sort((a, b) => a.name.localeCompare(b.name)), findings, notCompared };
}
