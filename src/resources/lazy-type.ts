/**
 * A readiness type that loads itself on demand. What discovery needs before any AWS answer (the
 * type's name, which ARNs it owns, how its primaries are found) is at hand; its pairing (the reads
 * by ARN, with its AWS SDK client) is loaded when it has something to read, and its modules (the
 * collectors and rules, with their clients) when a pair of it is compared. A scan of an account
 * with a few types loads only those, and none before its first AWS call.
 */
import type { Arn } from "../aws/arn.js";
import type { RuleInfo } from "../core/finding.js";
import type { PairKind } from "../pairs/kind.js";
import { listsTaggedPrimaries } from "../pairs/tagging-api.js";
import type { ResourceModule, ScanType } from "./module.js";

export interface TypeDescriptor<R> {
  type: string;
  title: string;
  owns: (arn: Arn) => boolean;
  /**
   * How its tagged primaries are found: "tagging-api" from the tagging API's listing of the
   * region (the type is loaded only when that lists one of its primaries), "own" by a listing of
   * its own (loaded to list them).
   */
  tagged: "tagging-api" | "own";
  /** Whether AWS records pairs of it (replicas, global tables): read on every scan. */
  recorded: boolean;
  otherKindRule?: RuleInfo;
  /** Its findings rest on state no API call changes (an alarm's state): see ResourceType. */
  readsState?: boolean;
  pairing: () => Promise<PairKind<R>>;
  modules: () => Promise<readonly ResourceModule<never, R>[]>;
}

/** Loads once; `loaded` is what it loaded, once it has. */
function once<T>(load: () => Promise<T>): { get: () => Promise<T>; loaded: () => T | undefined } {
  let promise: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get: () =>
      (promise ??= load().then((v) => (value = v))).catch((err: unknown) => {
        promise = undefined;
        throw err;
      }),
    loaded: () => value,
  };
}

/**
 * The type as a scan receives it. Its resources come only from its own pairing's reads (describe,
 * tagged, recorded), so its pairing is loaded by the time one of them is named or compared.
 */
export function lazyType<R>(d: TypeDescriptor<R>): ScanType<R> {
  const pairing = once(d.pairing);
  const modules = once(d.modules);
  const loaded = (): PairKind<R> => {
    const p = pairing.loaded();
    if (!p) throw new Error(`the ${d.title} type was asked about a resource before it read one`);
    return p;
  };
  const kind: PairKind<R> = {
    type: d.type,
    title: d.title,
    owns: d.owns,
    tagged: async (aws, region) => {
      if (d.tagged === "tagging-api" && !(await listsTaggedPrimaries(aws, region, d.owns)))
        return { found: [], findings: [] };
      return (await pairing.get()).tagged(aws, region);
    },
    describe: async (aws, arns) => (await pairing.get()).describe(aws, arns),
    nameOf: (resource) => loaded().nameOf(resource),
    incompatible: (primary, standby) => loaded().incompatible?.(primary, standby),
    ...(d.recorded
      ? {
          recorded: async (aws, regions, declared) => {
            const p = await pairing.get();
            return (await p.recorded?.(aws, regions, declared)) ?? { found: [], findings: [] };
          },
        }
      : {}),
    ...(d.otherKindRule ? { otherKindRule: d.otherKindRule } : {}),
  };
  return { pairing: kind, modules: modules.get, ...(d.readsState ? { readsState: true } : {}) };
}
