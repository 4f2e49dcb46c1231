import { describe, expect, it } from "vitest";
import { groupPairs, inferStrategy, type Group } from "./strategy.js";

const [P, S] = ["us-east-1", "eu-west-1"];
const group = (name: string, region: string, desired: number, tags: Record<string, string> = {}): Group => ({
  arn: `arn:aws:autoscaling:${region}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${name}`,
  region,
  name,
  desired,
  tags,
});

describe("the strategy init infers from Auto Scaling groups", () => {
  it("pilot light when every standby group of a running primary runs nothing, saying which", () => {
    const groups = [group("web-use1", P, 4), group("web-euw1", S, 0), group("api", P, 2), group("api", S, 0)];
    const choice = inferStrategy(groups, P, S);
    expect(choice.strategy).toBe("pilot-light");
    expect(choice.why).toBe(
      "inferred: the standby's Auto Scaling groups run nothing until failover (desired capacity: web-euw1 at 0, its primary web-use1 at 4, api at 0, its primary api at 2)",
    );
  });

  it("warm standby when a standby group runs instances, naming it", () => {
    const groups = [group("web", P, 4), group("web", S, 1), group("api", P, 2), group("api", S, 0)];
    expect(inferStrategy(groups, P, S)).toEqual({
      strategy: "warm-standby",
      why: "inferred: 1 of 2 standby Auto Scaling groups run instances (desired capacity: web at 1, its primary web at 4)",
    });
  });

  it("nothing to tell by (no pair, or primaries at 0): warm-standby, to confirm", () => {
    for (const groups of [[], [group("web", P, 3)], [group("web", P, 0), group("web", S, 0)]])
      expect(inferStrategy(groups, P, S)).toEqual({
        strategy: "warm-standby",
        why: "no Auto Scaling group pair whose primary runs instances to tell by: warm-standby, to confirm",
      });
    expect(inferStrategy([group("web", P, 3), group("web", S, 0)], P, undefined).strategy).toBe(
      "warm-standby",
    );
  });

  it("pairs by DR tags first, then by twin names, never two candidates and never across other regions", () => {
    const standby = group("dr-fleet", S, 0);
    const tagged = group("front", P, 2, { enable: "true", isPrimary: "true", secondaryARN: standby.arn });
    const twins = [group("jobs-primary", P, 1), group("jobs-dr", S, 0)];
    const twoCandidates = [group("batch", P, 1), group("batch-blue", S, 0), group("batch-green", S, 0)];
    const elsewhere = group("jobs", "ap-south-1", 5);
    // Two primaries whose names meet in one standby group: neither is its twin.
    const twoPrimaries = [group("api-blue", P, 2), group("api-green", P, 2), group("api", S, 0)];
    const pairs = groupPairs([tagged, standby, ...twins, ...twoCandidates, elsewhere, ...twoPrimaries], P, S);
    expect(pairs.map(([p, s]) => `${p.name}->${s.name}`)).toEqual([
      "front->dr-fleet",
      "jobs-primary->jobs-dr",
    ]);
  });

  it("names three pairs and counts the rest", () => {
    const groups = ["a", "b", "c", "d", "e"].flatMap((n) => [
      group(`${n}-use1`, P, 1),
      group(`${n}-euw1`, S, 0),
    ]);
    expect(inferStrategy(groups, P, S).why).toMatch(/its primary c-use1 at 1, and 2 more\)$/);
  });
});
