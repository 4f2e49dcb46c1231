/**
 * DR tags that nearly match drctl's (`Enable=true`, `IsPrimary=true`, `SecondaryArn=...`,
 * `enable=yes`, `enable =true`): one detector, used by the scan (a finding on the resource) and by
 * `drctl init` (listed in the file it writes), each with the exact command that fixes the tag.
 *
 * A near-miss never pairs. Pairing on a guessed key would make drctl's tags mean one thing to the
 * scan and another to everything else that reads them (freshness, runbooks, other tools filtering
 * on enable=true), and `Enable=yes` on its own may belong to something other than drctl: the fix
 * is said, and nothing is paired until the tag is right.
 *
 * Values are compared as pairing compares them (isTrue, tidyArn: case and surrounding spaces
 * ignored), so `enable=True` already pairs and is no near-miss.
 */
import { findingOf, type Finding } from "../core/finding.js";
import { PAIR_RULES } from "./rules.js";
import { isTrue, TAG, tidyArn } from "./tags.js";

/** A tag that looks like one of drctl's and is not, with the tag it should be. */
export interface NearMiss {
  key: string;
  value: string;
  expectedKey: string;
  expectedValue: string;
  /** "tag key `SecondaryArn` should be `secondaryARN`", "tag value `yes` of `enable` should be `true`". */
  what: string;
}

/** Values people write for "true" that drctl does not read as true. */
const YES_LIKE = new Set(["yes", "y", "1", "on", "enabled", "t"]);

/** A key folded so `Is_Primary`, `is-primary ` and `IsPrimary` all meet `isPrimary`. */
const fold = (key: string) => key.replace(/[\s_-]/g, "").toLowerCase();
const CANONICAL = new Map(Object.values(TAG).map((k) => [fold(k), k]));

function expectedValueOf(key: string, value: string): string {
  if (key === TAG.secondaryArn) return tidyArn(value);
  const v = value.trim().toLowerCase();
  return isTrue(v) || YES_LIKE.has(v) ? "true" : value.trim();
}

/** The near-miss one tag is, if any. */
function nearMissOf(key: string, value: string): NearMiss | undefined {
  const canonical = CANONICAL.get(fold(key));
  if (canonical === undefined) return undefined;
  const expectedValue = expectedValueOf(canonical, value);
  if (key !== canonical) {
    const what = `tag key \`${key}\` should be \`${canonical}\``;
    return { key, value, expectedKey: canonical, expectedValue, what };
  }
  // The key is right: only a value meaning yes that drctl does not read as true is a near-miss.
  if (canonical === TAG.secondaryArn || isTrue(value) || expectedValue !== "true") return undefined;
  const what = `tag value \`${value}\` of \`${key}\` should be \`true\``;
  return { key, value, expectedKey: canonical, expectedValue, what };
}

/**
 * The near-misses among a resource's tags, when they look meant for drctl: two of the three DR
 * keys (right or nearly), or a near-miss secondaryARN holding an ARN. A lone `Enable` tag is
 * another tool's.
 */
export function nearMissTags(tags: Readonly<Record<string, string | undefined>>): NearMiss[] {
  const entries = Object.entries(tags).flatMap(([k, v]) => (v === undefined ? [] : [[k, v] as const]));
  const misses = entries.flatMap(([k, v]) => nearMissOf(k, v) ?? []);
  if (misses.length === 0) return [];
  const drKeys = new Set(entries.flatMap(([k]) => CANONICAL.get(fold(k)) ?? []));
  const arnNearMiss = misses.some((m) => m.expectedKey === TAG.secondaryArn && /^arn:/i.test(m.value.trim()));
  return drKeys.size >= 2 || arnNearMiss ? misses : [];
}

/** A word for a shell, single-quoted unless plainly safe (a tag key or value is data). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The commands that fix one near-miss: the right tag added, the wrong key removed (if it differs). */
export function nearMissFix(arn: string, region: string, miss: NearMiss): string {
  const on = `--region ${shellWord(region)} --resource-arn-list ${shellWord(arn)}`;
  const tag = `aws resourcegroupstaggingapi tag-resources ${on} --tags ${shellWord(`${miss.expectedKey}=${miss.expectedValue}`)}`;
  if (miss.key === miss.expectedKey) return tag;
  return `${tag} && aws resourcegroupstaggingapi untag-resources ${on} --tag-keys ${shellWord(miss.key)}`;
}

/** A resource's name from its ARN: a load balancer's or target group's is before its id. */
export function nameFromArn(arn: string): string {
  const parts = arn.split(/[:/]/);
  return (/^arn:[^:]+:elasticloadbalancing:/.test(arn) ? parts.at(-2) : parts.at(-1)) ?? arn;
}

/** The scan's finding on a resource for one near-miss tag. */
export function nearMissFinding(arn: string, region: string, miss: NearMiss): Finding {
  const name = nameFromArn(arn);
  return findingOf(PAIR_RULES.nearMissTag, {
    pair: name,
    primaryArn: arn,
    secondaryArn: null,
    status: "drift",
    path: `tags[${miss.key}]`,
    primary: `${miss.key}=${miss.value}`,
    secondary: `${miss.expectedKey}=${miss.expectedValue}`,
    message: `${name} is not paired: ${miss.what}: ${nearMissFix(arn, region, miss)}`,
  });
}
