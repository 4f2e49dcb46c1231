import type { RegionCache } from "../aws/region-cache.js";

/** Something that reads one side of a pair; Side.get runs it at most once per side. */
export interface Collector<C, A = unknown> {
  readonly type: string;
  collect(side: Side<A>): Promise<C>;
}

/** One side of a pair: the anchor resource (a load balancer, a group, a function) and what has been read about it. */
export class Side<A = unknown> {
  private readonly parts = new Map<Collector<unknown, A>, Promise<unknown>>();

  constructor(
    readonly role: "primary" | "standby",
    readonly arn: string,
    readonly anchor: A,
    readonly cache: RegionCache,
  ) {}

  get region(): string {
    return this.cache.region;
  }

  /** The collector's result for this side, read on first use and shared after. */
  get<C>(collector: Collector<C, A>): Promise<C> {
    let part = this.parts.get(collector) as Promise<C> | undefined;
    if (!part) {
      part = collector.collect(this);
      // A failed part is reported by every module that needs it; keep Node from calling it unhandled.
      part.catch(() => undefined);
      this.parts.set(collector, part);
    }
    return part;
  }
}
