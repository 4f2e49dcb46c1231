import type { AwsClients, SdkClient, SdkClientClass } from "./client-factory.js";
import { isTransient, mapAwsError } from "./errors.js";

/**
 * A list a resource type reads region-wide, declared next to the type: every page of the
 * region's items, each under its key. The cache reads it once per region and account and shares
 * it between every pair and store.
 */
export interface RegionList<Item, Value = Item> {
  /** Names the list in the cache. */
  name: string;
  /** For error messages: "ELBv2", "DescribeTargetGroups". */
  service: string;
  operation: string;
  /** Every page of the region's items (a paginator over the region's client). */
  pages(cache: RegionCache): AsyncIterable<readonly Item[]>;
  key(item: Item): string;
  value?(item: Item): Value;
}

/**
 * What a run reads once per region and account and shares between pairs and stores. Each list is
 * fetched on first use with region-wide paged calls; concurrent readers wait for the same promise
 * instead of calling again.
 */
export class RegionCache {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly aws: AwsClients,
    readonly region: string,
    readonly account: string | undefined,
    private readonly retryDelayMs = 1000,
  ) {}

  /**
   * The shared result of `load`, read once. A read that fails transiently (throttled after the
   * SDK's own retries, a 5xx, the endpoint not reached) is tried again before its failure is kept:
   * every pair of the region would otherwise report this resource type unreadable.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = retryTransient(load, this.retryDelayMs);
      this.memo.set(key, hit);
    }
    return hit;
  }

  /** Where a call of this cache's region and account is made, for error messages. */
  site(service: string, operation: string) {
    return { service, operation, region: this.region, ...(this.account ? { account: this.account } : {}) };
  }

  /** A client of this region and account. */
  client<C extends SdkClient>(Client: SdkClientClass<C>): C {
    return this.aws.get(Client, this.region, this.account);
  }

  /** A region-wide list, read once: key -> value. */
  list<Item, Value = Item>(spec: RegionList<Item, Value>): Promise<ReadonlyMap<string, Value>> {
    return this.once(`list:${spec.name}`, async () => {
      const out = new Map<string, Value>();
      try {
        for await (const items of spec.pages(this))
          for (const item of items)
            out.set(spec.key(item), spec.value ? spec.value(item) : (item as unknown as Value));
      } catch (err) {
        throw mapAwsError(err, this.site(spec.service, spec.operation));
      }
      return out;
    });
  }
}

const SHARED_READ_ATTEMPTS = 3;

async function retryTransient<T>(load: () => Promise<T>, delayMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await load();
    } catch (err) {
      if (attempt >= SHARED_READ_ATTEMPTS || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
    }
  }
}

/** One RegionCache per (region, account) for a whole run. */
export class RegionCaches {
  private readonly caches = new Map<string, RegionCache>();
  constructor(private readonly aws: AwsClients) {}

  for(region: string, account: string | undefined): RegionCache {
    const key = `${region}|${account ?? ""}`;
    let cache = this.caches.get(key);
    if (!cache) {
      cache = new RegionCache(this.aws, region, account);
      this.caches.set(key, cache);
    }
    return cache;
  }
}

const pairingCaches = new WeakMap<AwsClients, Map<string, RegionCache>>();

/**
 * The region cache pairing reads through for one set of clients (one run): the region-wide
 * listings that find tagged primaries, recorded pairs and standbys are each read once, whatever
 * type asks. An account reached with the caller's own credentials shares the caller's lists.
 */
export function pairingCache(aws: AwsClients, region: string, account: string | undefined): RegionCache {
  let caches = pairingCaches.get(aws);
  if (!caches) pairingCaches.set(aws, (caches = new Map<string, RegionCache>()));
  const key = `${region}|${aws.accessKey(account)}`;
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new RegionCache(aws, region, account)));
  return cache;
}

/** The pairing cache of the run `cache` belongs to, when pairing made one (a scan does). */
export function pairingCacheOf(cache: RegionCache): RegionCache | undefined {
  return pairingCaches.get(cache.aws)?.get(`${cache.region}|${cache.aws.accessKey(cache.account)}`);
}
