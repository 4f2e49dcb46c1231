/** What world to build, and the names everything in it gets. */
export interface WorldOptions {
  pairs: number;
  primaryRegion: string;
  standbyRegion: string;
  /** The public zone the failover records live in. */
  domain: string;
  /** How many pairs are built at once (the emulator serialises much of the work anyway). */
  concurrency: number;
  /**
   * Which side's names follow the pair's naming style: "standby" (the primaries keep web-NNN, as
   * the demo shows), or "both" (app-p / app-s, blue / green on both sides).
   */
  styledSides: "standby" | "both";
}

export const DEFAULT_WORLD: WorldOptions = {
  pairs: 6,
  primaryRegion: "us-east-1",
  standbyRegion: "us-west-2",
  domain: "example.com",
  concurrency: 8,
  styledSides: "standby",
};

export const MAX_PAIRS = 1000;
/** The world builder goes further than the demo offers, for benchmarks of large fleets. */
export const MAX_WORLD_PAIRS = 10_000;

export type Side = "primary" | "standby";

/** web-001, web-002, ...: the base every name of the pair is made from. */
export function pairBase(index: number): string {
  return `web-${String(index).padStart(3, "0")}`;
}

/**
 * How the two sides of a pair are named, as real accounts name them: one style per pair, in
 * turn. Pair 1 keeps one name in both regions (the example runbooks use it); the others have
 * standby names of their own, one pair in seven sharing nothing with the primary's.
 */
export const NAMING_STYLES = [
  "same",
  "role-suffix",
  "region-code",
  "colour",
  "dr-prefix",
  "unrelated",
  "dr-suffix",
] as const;
export type NamingStyle = (typeof NAMING_STYLES)[number];

export function namingStyle(index: number): NamingStyle {
  return NAMING_STYLES[(index - 1) % NAMING_STYLES.length] ?? "same";
}

export interface PairNames {
  style: NamingStyle;
  /** The load balancer of each side (the primary's names the pair). */
  loadBalancer: Record<Side, string>;
  /** The words a side's target groups end in, per demo target group ("app", "api"). */
  targetGroupWord: Record<Side, Record<"app" | "api", string>>;
}

export function pairNames(
  index: number,
  regions: Record<Side, string>,
  styledSides: WorldOptions["styledSides"],
): PairNames {
  const base = pairBase(index);
  const style = namingStyle(index);
  const both = styledSides === "both";
  const styled = (side: Side): string => {
    if (side === "primary" && !both) return base;
    switch (style) {
      case "same":
        return base;
      case "role-suffix":
        return `${base}-${side === "primary" ? "p" : "s"}`;
      case "region-code":
        return `${base}-${regionTag(regions[side])}`;
      case "colour":
        return `${base}-${side === "primary" ? "blue" : "green"}`;
      case "dr-prefix":
        return side === "primary" ? base : `dr-${base}`;
      case "dr-suffix":
        return side === "primary" ? base : `${base}-dr`;
      case "unrelated":
        return side === "primary" ? base : `q${index}x`;
    }
  };
  const words = { app: "app", api: "api" };
  return {
    style,
    loadBalancer: { primary: styled("primary"), standby: styled("standby") },
    // Names that share nothing share no word either: only the pair can tell which group is which.
    targetGroupWord: {
      primary: words,
      standby: style === "unrelated" ? { app: "front", api: "back" } : words,
    },
  };
}

/** Every sixth pair is a network load balancer, so even a six-pair world has one. */
export function pairType(index: number): "application" | "network" {
  return index % 6 === 0 ? "network" : "application";
}

/** A short region tag for DNS names: us-east-1 -> use1. */
export function regionTag(region: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${direction[0] ?? ""}${number}`;
}
