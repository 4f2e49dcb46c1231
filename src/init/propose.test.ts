import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../config/schema.js";
import { propose } from "./propose.js";
import { renderConfig } from "./render.js";
import type { Resource, Survey } from "./survey.js";
import { twinBase } from "./twins.js";

const [P, S] = ["us-east-1", "eu-west-1"];
const A = "123456789012";
const queue = (name: string, region: string, tags: Record<string, string> = {}): Resource => ({
  arn: `arn:aws:sqs:${region}:${A}:${name}`,
  region,
  name,
  type: "sqs:",
  tags,
});
const store = (name: string, region = P) => ({
  type: "rds",
  arn: `arn:aws:rds:${region}:${A}:db:${name}`,
  name,
  region,
});
const empty: Survey = { resources: [], stores: [], copies: [], groups: [], notes: [] };
const all = () => true;

describe("twin names", () => {
  it("set region names, region codes and role words aside", () => {
    const regions = [P, S];
    expect(twinBase("jobs-use1", regions)).toBe(twinBase("jobs-euw1", regions));
    expect(twinBase("orders-primary", regions)).toBe(twinBase("orders-dr", regions));
    expect(twinBase("app-assets-us-east-1", regions)).toBe(twinBase("app-assets-eu-west-1", regions));
    expect(twinBase("web-blue", regions)).toBe("web");
    expect(twinBase("jobs", regions)).not.toBe(twinBase("jobs-archive", regions));
    expect(twinBase("dr", regions)).toBe("");
  });
});

describe("propose", () => {
  it("takes the standby region from where the copies are, never a default (eu-west-1, not us-west-2)", () => {
    const plan = propose(
      {
        ...empty,
        stores: [store("app-db")],
        copies: [
          {
            kind: "rds-read-replica",
            primary: store("app-db"),
            standbyArn: `arn:aws:rds:${S}:${A}:db:app-db-replica`,
            standbyRegion: S,
          },
        ],
      },
      ["us-west-2", S, P],
      all,
    );
    expect([plan.primary, plan.standby]).toEqual([P, S]);
    expect(plan.proposals).toEqual([
      expect.objectContaining({
        primary: `arn:aws:rds:${P}:${A}:db:app-db`,
        secondary: `arn:aws:rds:${S}:${A}:db:app-db-replica`,
        rpo: "5m",
        why: expect.stringContaining("read replica's source") as string,
      }),
    ]);
    expect(plan.unprotected).toEqual([]);
  });

  it("proposes one twin, lists two candidates without choosing, and leaves tagged pairs to their tags", () => {
    const plan = propose(
      {
        ...empty,
        resources: [
          queue("jobs-use1", P),
          queue("jobs-euw1", S),
          queue("alerts", P),
          queue("alerts-dr", S),
          queue("alerts-euw1", S),
          queue("web", P, {
            enable: "true",
            isPrimary: "true",
            secondaryARN: `arn:aws:sqs:${S}:${A}:web-dr`,
          }),
          queue("web-dr", S),
        ],
      },
      [P, S],
      all,
    );
    expect(plan.proposals.map((p) => [p.primary.split(":").at(-1), p.secondary.split(":").at(-1)])).toEqual([
      ["jobs-use1", "jobs-euw1"],
    ]);
    expect(plan.ambiguous.map((a) => [a.resource.name, a.candidates.map((c) => c.name)])).toEqual([
      ["alerts", ["alerts-dr", "alerts-euw1"]],
    ]);
    expect(plan.tagged.map((t) => t.name)).toEqual(["web"]);
  });

  it("groups applications by the tag most in use and says which", () => {
    const plan = propose(
      {
        ...empty,
        resources: [
          queue("a", P, { service: "billing", Application: "shop" }),
          queue("b", P, { service: "billing" }),
          queue("c", P, { service: "search" }),
        ],
      },
      [P, S],
      all,
    );
    expect(plan.applications.key).toBe("service");
    expect(plan.applications.apps.map((a) => [a.name, a.count])).toEqual([
      ["billing", 2],
      ["search", 1],
    ]);
    expect(plan.applications.why).toContain("Application on 1, service on 3");
  });
});

describe("render", () => {
  it("writes a file the schema accepts, values from AWS only ever as quoted strings or one-line comments", () => {
    const hostile = "x\n  evil: true # \u001b[2J";
    const plan = propose(
      {
        ...empty,
        resources: [queue("jobs-use1", P, { app: hostile }), queue("jobs-euw1", S)],
        stores: [{ ...store("db"), name: hostile }],
      },
      [P, S],
      all,
    );
    const text = renderConfig({
      plan,
      regions: [P, S],
      regionsHow: "as given",
      skipped: [{ region: "ap-east-1", reason: "not enabled in this account (not-opted-in)" }],
      notes: [hostile],
      generatedAt: new Date("2026-12-07T00:00:00Z"),
    });
    const config = configSchema.parse(parse(text));
    expect(config.applications.map((a) => a.tags)).toEqual([{ app: hostile }]);
    expect(config.pairs).toHaveLength(1);
    expect(text).not.toContain("\u001b");
    expect(text.split("\n").filter((l) => l.trimStart().startsWith("evil"))).toEqual([]);
    expect(text).toContain("# Skipped ap-east-1: not enabled in this account (not-opted-in).");
  });
});
