import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseArn } from "./aws/arn.js";
import {
  RESOURCE_MODULES,
  RESOURCE_TYPES,
  RESOURCE_TYPES_LOADED,
  ruleCatalog,
  STORE_TYPES,
} from "./catalog.js";
import type { PairKind } from "./pairs/kind.js";
import { findsTaggedThroughTaggingApi } from "./pairs/tagging-api.js";
import { modulesOf, type ResourceType } from "./resources/module.js";
import { READINESS_TYPE_DESCRIPTORS } from "./resources/readiness-types.js";
import type { RuleCases } from "./core/rule-cases.testing.js";
import { cases as drillCases } from "./drill/rules.cases.js";
import { DRILL_RULES } from "./drill/rules.js";

/**
 * Rules without a check() of their own: the engine and the twin matcher report them. Where each
 * is tested with a case that reports it and one that does not.
 */
const MADE_BY_THE_ENGINE: Record<string, string> = {
  missing: "src/core/twins.test.ts and test/scan-names.test.ts (a resource without a twin)",
  "ambiguous-twin": "src/core/twins.test.ts and test/scan-names.test.ts (two candidates, never guessed)",
  unreadable: "test/scan-world.test.ts and test/scan-resilience.test.ts (denied and failing reads)",
  "not-found": "test/scan-names.test.ts (a group deleted while the scan ran)",
  "preflight.broken":
    "made by src/drill/preflight.ts from a store freshness finds broken; no test reports it yet",
  "preflight.error":
    "made by src/drill/preflight.ts from a store freshness could not read; no test reports it yet",
  records: "test/scan-semantics.test.ts and test/scan-names.test.ts (records matched as twins)",
};

/** Every case beside every rules.ts: the readiness scan's types, the data-store types and the drill. */
async function allCases(): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  for (const folder of ["resources", "datastores"]) {
    const dir = new URL(`./${folder}/`, import.meta.url);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !existsSync(new URL(`${entry.name}/rules.cases.ts`, dir))) continue;
      const module = (await import(`./${folder}/${entry.name}/rules.cases.ts`)) as {
        cases: RuleCases<unknown>;
      };
      for (const [id, c] of Object.entries(module.cases)) found.set(id, c);
    }
  }
  // A drill's rules check what the drill saw: their cases are beside them in src/drill/.
  for (const [id, c] of Object.entries(drillCases)) found.set(id, c);
  return found;
}

/** The rules with a check() of their own: every one needs cases. */
const checkedRules = () => [
  ...RESOURCE_MODULES.flatMap((m) => m.rules.map((r) => r.id)),
  ...STORE_TYPES.flatMap((t) => t.rules.map((r) => r.id)),
  ...DRILL_RULES.map((r) => r.id),
];

describe("the rule catalogue", () => {
  it("has a passing and a failing case beside every rule that checks twins", async () => {
    const cases = await allCases();
    const checked = checkedRules();
    expect(checked.length).toBeGreaterThan(30);
    expect(checked.filter((id) => !cases.has(id))).toEqual([]);
    // And no case for a rule that does not exist (a renamed rule leaves its case behind).
    expect([...cases.keys()].filter((id) => !checked.includes(id))).toEqual([]);
  });

  it("says where every rule the engine reports is tested", () => {
    const checked = new Set(checkedRules());
    const others = ruleCatalog()
      .filter((g) => g.type !== "pair")
      .flatMap((g) => g.rules.map((r) => r.id))
      .filter((id) => !checked.has(id));
    expect(others.filter((id) => !(id.split(".").slice(1).join(".") in MADE_BY_THE_ENGINE))).toEqual([]);
  });

  it("gives every rule a remediation and a rationale", () => {
    for (const r of ruleCatalog().flatMap((g) => g.rules)) {
      expect(r.remediation.length, r.id).toBeGreaterThan(20);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
    }
  });
});

/** ARNs of every type and of near neighbours no type (or another type) owns. */
const SAMPLE_ARNS = [
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/edge/50dc6c495c0c9188",
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/gwy/inspect/50dc6c495c0c9188",
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/classic-web",
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/50dc6c495c0c9188",
  "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:7d2c1e1a-1b2c-4d5e-8f90-123456789abc:autoScalingGroupName/web",
  "arn:aws:autoscaling:eu-west-1:123456789012:launchConfiguration:7d2c:launchConfigurationName/web",
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:high-cpu",
  "arn:aws:route53:::healthcheck/abcdef12-3456-7890-abcd-ef1234567890",
  "arn:aws:route53:::hostedzone/Z123",
  "arn:aws:sqs:eu-west-1:123456789012:orders",
  "arn:aws:sns:eu-west-1:123456789012:alerts",
  "arn:aws:sns:eu-west-1:123456789012:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286",
  "arn:aws:lambda:eu-west-1:123456789012:function:resize",
  "arn:aws:lambda:eu-west-1:123456789012:layer:shared:3",
  "arn:aws:rds:eu-west-1:123456789012:db:orders",
  "arn:aws:rds:eu-west-1:123456789012:cluster:orders",
  "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-1",
  "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
  "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000",
  "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc123",
  "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc123",
  "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc123",
  "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages/prod",
  "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3",
  "arn:aws:kafka:eu-west-1:123456789012:cluster/events/7d2c1e1a-1b2c-4d5e-8f90-123456789abc-2",
  "arn:aws:s3:::bucket-name",
].map((a) => parseArn(a));

describe("the readiness types a scan loads on demand", () => {
  const loaded = (i: number) => RESOURCE_TYPES_LOADED[i] as ResourceType<unknown>;

  it("are the catalogue's types, in its order, saying the same before they are loaded", () => {
    expect(RESOURCE_TYPES.map((t) => t.pairing.type)).toEqual(
      RESOURCE_TYPES_LOADED.map((t) => t.pairing.type),
    );
    for (const [i, lazy] of RESOURCE_TYPES.entries()) {
      const real = loaded(i).pairing;
      const kind = lazy.pairing as PairKind<unknown>;
      expect(kind.title, real.type).toBe(real.title);
      expect(kind.otherKindRule, real.type).toBe(real.otherKindRule);
      expect(kind.recorded !== undefined, `${real.type} recorded`).toBe(real.recorded !== undefined);
      expect(lazy.readsState ?? false, `${real.type} readsState`).toBe(loaded(i).readsState ?? false);
      expect(
        SAMPLE_ARNS.filter((a) => kind.owns(a)),
        real.type,
      ).toEqual(SAMPLE_ARNS.filter((a) => real.owns(a)));
      expect(
        SAMPLE_ARNS.some((a) => real.owns(a)),
        `${real.type} has a sample ARN`,
      ).toBe(true);
    }
  });

  it("load the catalogue's pairing and modules, each type's own", async () => {
    for (const [i, lazy] of RESOURCE_TYPES.entries()) {
      const real = loaded(i);
      expect(await modulesOf(lazy), real.pairing.type).toEqual(real.modules);
      expect((await modulesOf(lazy))[0], real.pairing.type).toBe(real.modules[0]);
    }
  });

  it("skip loading a type whose primaries only the tagging API lists exactly when the type's own tagged reads that listing", () => {
    const byTaggingApi = RESOURCE_TYPES_LOADED.filter((t) => findsTaggedThroughTaggingApi(t.pairing));
    expect(byTaggingApi.map((t) => t.pairing.type)).toEqual(
      READINESS_TYPE_DESCRIPTORS.filter((d) => d.tagged === "tagging-api").map((d) => d.type),
    );
  });
});
