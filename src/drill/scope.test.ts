import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { scopeProblems, type FaultTarget, type ScopeCheck } from "./scope.js";

const applications = configSchema.parse({
  applications: [
    { name: "api", tags: { app: "api" } },
    {
      name: "shop",
      tags: { app: "shop" },
      arns: ["arn:aws:autoscaling:*:*:*:autoScalingGroupName/shared-*"],
    },
  ],
}).applications;

const group = (name: string, tags: Record<string, string>, region = "us-east-1"): FaultTarget => ({
  name: `Auto Scaling group ${name}`,
  arn: `arn:aws:autoscaling:${region}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${name}`,
  tags,
});

const check = (over: Partial<ScopeCheck>): ScopeCheck => ({
  application: "api",
  regions: { primary: "us-east-1", standby: "us-west-2" },
  faultRegion: "us-east-1",
  scope: "primary",
  applications,
  targets: { targets: [group("api-web", { app: "api" })] },
  locks: new Map(),
  ...over,
});

describe("scopeProblems: a drill touches only its own application, in its primary region", () => {
  it("its own resource in its primary region: nothing to refuse", () => {
    expect(scopeProblems(check({}))).toEqual([]);
  });

  it("another application's resource, its lock held by a run: refused, naming the application and the run", () => {
    const [problem, ...more] = scopeProblems(
      check({
        targets: { targets: [group("web", { app: "shop" })] },
        locks: new Map([["shop", "run run-1 by pid 42 on host (ops)"]]),
      }),
    );
    expect(more).toEqual([]);
    expect(problem).toMatch(
      /^Auto Scaling group web \(arn:.*\) belongs to application shop, not to api; shop's lock is held by run run-1 by pid 42/,
    );
    // Whatever the scope says.
    expect(
      scopeProblems(check({ scope: "any", targets: { targets: [group("web", { app: "shop" })] } })),
    ).toHaveLength(1);
  });

  it("a resource two applications claim: refused, both named", () => {
    expect(scopeProblems(check({ targets: { targets: [group("shared-web", { app: "api" })] } }))).toEqual([
      expect.stringMatching(/shared-web .* belongs to applications api and shop: a fault on it touches both/),
    ]);
  });

  it("a resource no application claims: refused unless scope any", () => {
    const targets = { targets: [group("batch", {})] };
    expect(scopeProblems(check({ targets }))).toEqual([
      expect.stringMatching(/batch .* is not a resource of api: api's resources are those with tags app=api/),
    ]);
    expect(scopeProblems(check({ targets, scope: "any" }))).toEqual([]);
  });

  it("an application drctl.yaml does not list: nothing is known to be its own", () => {
    expect(
      scopeProblems(check({ application: "billing", targets: { targets: [group("batch", {})] } }))[0],
    ).toMatch(/application billing is not under applications: in drctl\.yaml/);
  });

  it("the standby region: refused unless scope standby or any", () => {
    const standby = {
      faultRegion: "us-west-2",
      targets: { targets: [group("api-web", { app: "api" }, "us-west-2")] },
    };
    expect(scopeProblems(check(standby))).toEqual([
      expect.stringMatching(
        /^the fault acts in us-west-2, not in api's primary region us-east-1; fault\.scope: standby/,
      ),
      expect.stringMatching(/is in us-west-2, not in api's primary region/),
    ]);
    expect(scopeProblems(check({ ...standby, scope: "standby" }))).toEqual([]);
    expect(scopeProblems(check({ ...standby, faultRegion: "eu-west-1", scope: "standby" }))).toHaveLength(1);
  });

  it("a fault drctl cannot read (a command): refused unless scope any", () => {
    const targets = { untold: "drctl cannot tell what a fault.command acts on" };
    expect(scopeProblems(check({ targets }))).toEqual([
      "drctl cannot tell what a fault.command acts on, so nothing shows it touches only api; fault.scope: any with a reason says it does",
    ]);
    expect(scopeProblems(check({ targets, scope: "any" }))).toEqual([]);
  });
});
