import type { LoadBalancer } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RegionCache } from "../aws/region-cache.js";

/** Something that reads one side of a pair; Side.get runs it at most once per side. */
export interface Collector<C> {
  readonly type: string;
  collect(side: Side): Promise<C>;
}

/** One load balancer of a pair and what has been read about it so far. */
export class Side {
  private readonly parts = new Map<Collector<unknown>, Promise<unknown>>();

  constructor(
    readonly role: "primary" | "standby",
    readonly lb: LoadBalancer,
    readonly cache: RegionCache,
  ) {}

  get arn(): string {
    return this.lb.LoadBalancerArn ?? "";
  }

  get region(): string {
    return this.cache.region;
  }

  /** The collector's result for this side, read on first use and shared after. */
  get<C>(collector: Collector<C>): Promise<C> {
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
