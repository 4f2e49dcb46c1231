/**
 * How names of twins differ between regions in real accounts, and the key that is left when the
 * differences are taken out: region codes (us-east-1, useast1, use1, east, iad), role words
 * (primary, standby, dr, blue, green; p or s as a last segment) and the parts of the pair's own
 * load-balancer names that tell the two sides apart (app-p-a / app-s-a, checkout-web / zeta9-web).
 */

/** The side a name belongs to: its region and its load balancer's name, against the other side's. */
export interface NameSide {
  region: string;
  /** This side's load-balancer name (the pair's own name on this side). */
  ownName: string;
  /** The other side's load-balancer name. */
  otherName: string;
}

/** Airport codes AWS and many teams use for regions (iad for us-east-1, pdx for us-west-2). */
const AIRPORT_CODES: Readonly<Record<string, string>> = {
  "us-east-1": "iad",
  "us-east-2": "cmh",
  "us-west-1": "sfo",
  "us-west-2": "pdx",
  "ca-central-1": "yul",
  "eu-west-1": "dub",
  "eu-west-2": "lhr",
  "eu-west-3": "cdg",
  "eu-central-1": "fra",
  "eu-central-2": "zrh",
  "eu-north-1": "arn",
  "eu-south-1": "mxp",
  "ap-northeast-1": "nrt",
  "ap-northeast-2": "icn",
  "ap-northeast-3": "kix",
  "ap-southeast-1": "sin",
  "ap-southeast-2": "syd",
  "ap-south-1": "bom",
  "sa-east-1": "gru",
};

/** Words that say which role or colour a copy has, not what it is. */
const ROLE_WORDS = new Set([
  "primary",
  "secondary",
  "standby",
  "stby",
  "dr",
  "failover",
  "active",
  "passive",
  "blue",
  "green",
  "main",
  "backup",
  "pri",
  "sec",
]);
/** Only as the last segment: app-p / app-s. */
const ROLE_SUFFIXES = new Set(["p", "s"]);

const SEPARATORS = /[-_.\s/:]+/;

export function tokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(SEPARATORS)
    .filter((t) => t !== "");
}

/** The ways a region is written inside names: us-east-1, useast1, use1, us-e1, iad. */
export function regionSpellings(region: string): string[] {
  const [area = "", direction = "", number = ""] = region.toLowerCase().split("-");
  const spellings = [
    region.toLowerCase(),
    `${area}${direction}${number}`,
    `${area}${direction[0] ?? ""}${number}`,
    `${area}-${direction[0] ?? ""}${number}`,
    `${area}-${direction}-${number}`,
    `${area}${direction}-${number}`,
  ];
  const airport = AIRPORT_CODES[region];
  if (airport) spellings.push(airport);
  return [...new Set(spellings)].sort((a, b) => b.length - a.length);
}

/** Each region's spellings as whole-token patterns, compiled once: a pair keys thousands of names. */
const regionPatterns = new Map<string, RegExp[]>();

function patternsOf(region: string): RegExp[] {
  let patterns = regionPatterns.get(region);
  if (!patterns) {
    patterns = regionSpellings(region).map((spelling) => {
      const escaped = spelling.replace(/[-.]/g, "\\$&");
      return new RegExp(`(^|[-_.\\s/:])${escaped}(?=$|[-_.\\s/:])`, "g");
    });
    regionPatterns.set(region, patterns);
  }
  return patterns;
}

/** Removes the region as whole tokens (never inside a word: "house1" is no region). */
function withoutRegion(text: string, region: string): string {
  let out = text.toLowerCase();
  // A global pattern's replace starts from the beginning whatever its lastIndex: sharing is safe.
  for (const pattern of patternsOf(region)) out = out.replace(pattern, "$1");
  return out;
}

/**
 * The name keys of one side: what depends on the side alone (its region, and the tokens that tell
 * its load balancer from the other's) is worked out once for all the names it keys.
 */
export function nameKeyer(side: NameSide): (name: string) => string {
  const [, direction = ""] = side.region.toLowerCase().split("-");
  const own = tokens(withoutRegion(side.ownName, side.region));
  const other = new Set(tokens(side.otherName));
  // The tokens that tell this side's load balancer from the other's: "p" of app-p, all of "checkout".
  const distinguishing = new Set(own.filter((t) => !other.has(t)));
  return (name) => {
    const parts = tokens(withoutRegion(name, side.region)).filter(
      (t) => !ROLE_WORDS.has(t) && !distinguishing.has(t) && t !== direction,
    );
    while (parts.length > 0 && ROLE_SUFFIXES.has(parts.at(-1) ?? "")) parts.pop();
    return parts.join("-");
  };
}

/**
 * The key two twins share when their names differ only in region, role or the pair's own name:
 * "" when nothing is left (a group named exactly like its load balancer).
 */
export function nameKey(name: string, side: NameSide): string {
  return nameKeyer(side)(name);
}
