import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../core/rule-cases.testing.js";
import { rdsClusterRules } from "../rds-cluster/rules.js";
import { cases as clusterCases } from "../rds-cluster/rules.cases.js";
import { rdsInstanceRules } from "../rds-instance/rules.js";
import { cases as instanceCases } from "../rds-instance/rules.cases.js";

/** The comparisons both types make through ./compare.ts, by the rule id's suffix. */
const SHARED = ["engine", "engine-version", "encryption", "deletion-protection", "iam-auth", "parameters"];

describe("comparisons shared by DB instances and DB clusters", () => {
  it.each(SHARED)("%s: a cluster's difference is said in the instance's words", (what) => {
    const cluster = rdsClusterRules.find((r) => r.id === `rds-cluster.${what}`);
    const instance = rdsInstanceRules.find((r) => r.id === `rds-instance.${what}`);
    const fail = clusterCases[`rds-cluster.${what}`]?.fail;
    const base = instanceCases[`rds-instance.${what}`]?.pass[0];
    if (!cluster || !instance || !fail || !base) throw new Error(`rule or case missing for ${what}`);
    const found = cluster.check(fail[0], fail[1], SETTINGS);
    expect(found.length).toBeGreaterThan(0);
    // The same settings on two instances give the same differences.
    const asInstance = (c: (typeof fail)[0]) => ({
      ...base,
      engine: c.engine,
      engineVersion: c.engineVersion,
      majorVersion: c.majorVersion,
      encrypted: c.encrypted,
      deletionProtection: c.deletionProtection,
      iamAuth: c.iamAuth,
      parameters: c.parameters,
    });
    expect(instance.check(asInstance(fail[0]), asInstance(fail[1]), SETTINGS)).toEqual(found);
  });
});
