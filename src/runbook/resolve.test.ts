import { describe, expect, it } from "vitest";
import { resolveParams, type ValueSources } from "./resolve.js";

const sources: ValueSources = {
  outputs: (id) => (id === "promote" ? { endpoint: "db.example" } : undefined),
  config: { desired: 3, zone: "example.com", dryRun: false },
  ssm: (name) => Promise.resolve(name === "/app/region" ? "us-west-2" : undefined),
};

describe("resolveParams", () => {
  it("replaces step outputs, config values and SSM parameters, keeping a lone reference's type", async () => {
    const out = await resolveParams(
      {
        desired: "${config.desired}",
        label: "n=${config.desired} in ${ssm:/app/region}",
        endpoint: "${steps.promote.outputs.endpoint}",
        nested: [{ zone: "${config.zone}" }, "${config.dryRun}"],
        plain: 7,
      },
      sources,
      "f.yaml: step x",
    );
    expect(out).toEqual({
      desired: 3,
      label: "n=3 in us-west-2",
      endpoint: "db.example",
      nested: [{ zone: "example.com" }, false],
      plain: 7,
    });
  });

  it("names the missing reference and where to define it", async () => {
    await expect(resolveParams("${config.nope}", sources, "f.yaml: step x")).rejects.toThrow(
      /f.yaml: step x: \$\{config.nope\} has no value \(expected "nope" in the runbook's config: block or --set nope=VALUE; known: desired, zone, dryRun\)/,
    );
    await expect(resolveParams("${steps.scale.outputs.n}", sources, "w")).rejects.toThrow(
      /is "scale" listed in after:/,
    );
    await expect(resolveParams("${ssm:/missing}", sources, "w")).rejects.toThrow(
      /no SSM parameter \/missing/,
    );
  });
});
