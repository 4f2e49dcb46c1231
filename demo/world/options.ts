/** What world to build, and the names everything in it gets. */
export interface WorldOptions {
  pairs: number;
  primaryRegion: string;
  standbyRegion: string;
  /** The public zone the failover records live in. */
  domain: string;
  /** How many pairs are built at once (the emulator serialises much of the work anyway). */
  concurrency: number;
}

export const DEFAULT_WORLD: WorldOptions = {
  pairs: 6,
  primaryRegion: "us-east-1",
  standbyRegion: "us-west-2",
  domain: "example.com",
  concurrency: 8,
};

export const MAX_PAIRS = 1000;

export type Side = "primary" | "standby";

/** web-001, web-002, ... the same name in both regions, as teams usually do. */
export function pairName(index: number): string {
  return `web-${String(index).padStart(3, "0")}`;
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
