/** Tag values are typed by people: compare them case-insensitively, ignoring surrounding spaces. */
export function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

/**
 * Lower-cases the fixed parts of an ARN typed into a tag (ARN:AWS:ElasticLoadBalancing:US-WEST-2:...)
 * and trims it; the resource part keeps its case, since names are case-sensitive.
 */
export function tidyArn(value: string): string {
  const parts = value.trim().split(":");
  if (parts.length < 6) return value.trim();
  return [...parts.slice(0, 5).map((p) => p.toLowerCase()), ...parts.slice(5)].join(":");
}

export const TAG = { enable: "enable", isPrimary: "isPrimary", secondaryArn: "secondaryARN" } as const;
