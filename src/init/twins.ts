/**
 * Twin names: the part of a resource's name left once region and role words are set aside, so
 * orders-use1 and orders-euw1, app-primary and app-dr, web-blue and web-green meet as twins.
 */

/** Words that say a side, not what the resource is. */
const ROLE_WORDS = new Set([
  "primary",
  "secondary",
  "standby",
  "dr",
  "replica",
  "main",
  "backup",
  "failover",
  "active",
  "passive",
  "blue",
  "green",
  "p",
  "s",
]);

/** us-east-1 -> use1, as names abbreviate regions. */
const regionCode = (region: string) => {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${direction[0] ?? ""}${number}`;
};

/** The name with region names, region codes and role words removed; "" when nothing is left. */
export function twinBase(name: string, regions: readonly string[]): string {
  let text = name.toLowerCase();
  for (const r of regions.filter(Boolean).sort((a, b) => b.length - a.length))
    text = text.split(r).join("-").split(regionCode(r)).join("-");
  return text
    .split(/[-_.\s]+/)
    .filter((w) => w !== "" && !ROLE_WORDS.has(w))
    .join("-");
}
