/**
 * Which strategy the standby follows, inferred (pure) from the Auto Scaling groups init read: a
 * standby whose groups run no instance while their primaries run some is pilot light; one whose
 * groups run instances is a warm standby. Groups pair by their DR tags, else by twin names between
 * the primary and standby regions. Nothing to judge by is said, and warm-standby is written for a
 * person to confirm.
 */
import { isTaggedPrimary } from "../pairs/tagging-api.js";
import { TAG, tidyArn } from "../pairs/tags.js";
import { twinBase } from "./twins.js";

/** An Auto Scaling group as init reads it. */
export interface Group {
  arn: string;
  region: string;
  name: string;
  /** Its desired capacity: instances, or the units of a mixed instances policy that counts vCPUs or memory. */
  desired: number;
  tags: Record<string, string>;
}

export interface StrategyChoice {
  strategy: "warm-standby" | "pilot-light";
  /** Why, for the comment above it. */
  why: string;
}

/** The group pairs between the two regions: by DR tag first, then by twin name among the rest. */
export function groupPairs(groups: readonly Group[], primary: string, standby: string): [Group, Group][] {
  const byArn = new Map(groups.map((g) => [g.arn, g]));
  const pairs: [Group, Group][] = [];
  const paired = new Set<string>();
  for (const g of groups.filter((x) => x.region === primary && isTaggedPrimary(x.tags))) {
    const twin = byArn.get(tidyArn(g.tags[TAG.secondaryArn] ?? ""));
    if (!twin || twin.region !== standby) continue;
    pairs.push([g, twin]);
    paired.add(g.arn).add(twin.arn);
  }
  // By twin name, only where the name is one group's on each side (web-blue and web-green in the
  // primary are not both the standby's web).
  const base = (g: Group) => twinBase(g.name, [primary, standby]);
  const free = (region: string) => groups.filter((g) => g.region === region && !paired.has(g.arn));
  const [here, there] = [free(primary), free(standby)];
  for (const g of here) {
    const b = base(g);
    const twins = there.filter((t) => b !== "" && base(t) === b);
    const rivals = here.filter((o) => base(o) === b);
    const [twin] = twins;
    if (twins.length === 1 && rivals.length === 1 && twin) pairs.push([g, twin]);
  }
  return pairs;
}

const shown = (pairs: readonly [Group, Group][]) =>
  pairs
    .slice(0, 3)
    .map(([p, s]) => `${s.name} at ${s.desired}, its primary ${p.name} at ${p.desired}`)
    .join(", ") + (pairs.length > 3 ? `, and ${pairs.length - 3} more` : "");

export function inferStrategy(
  groups: readonly Group[],
  primary: string | undefined,
  standby: string | undefined,
): StrategyChoice {
  const pairs = primary && standby ? groupPairs(groups, primary, standby) : [];
  const running = pairs.filter(([p]) => p.desired > 0);
  if (running.length === 0)
    return {
      strategy: "warm-standby",
      why: "no Auto Scaling group pair whose primary runs instances to tell by: warm-standby, to confirm",
    };
  const idle = running.filter(([, s]) => s.desired === 0);
  if (idle.length === running.length)
    return {
      strategy: "pilot-light",
      why: `inferred: the standby's Auto Scaling groups run nothing until failover (desired capacity: ${shown(idle)})`,
    };
  const warm = running.filter(([, s]) => s.desired > 0);
  return {
    strategy: "warm-standby",
    why: `inferred: ${warm.length} of ${running.length} standby Auto Scaling groups run instances (desired capacity: ${shown(warm)})`,
  };
}
