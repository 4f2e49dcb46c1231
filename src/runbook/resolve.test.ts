import { describe, expect, it } from "vitest";
import {
  checkSecretReferences,
  escapeReferences,
  resolveParams,
  ssmReferences,
  type ValueSources,
} from "./resolve.js";

const sources: ValueSources = {
  outputs: (id) => (id === "promote" ? { endpoint: "db.example", odd: "a ${ssm:/x} b" } : undefined),
  config: { desired: 3, zone: "example.com", dryRun: false },
  ssm: (name) =>
    Promise.resolve(
      name === "/app/region"
        ? { value: "us-west-2", secure: false }
        : name === "/app/db/password"
          ? { value: "S3cr3t-Pa55", secure: true }
          : name === "/app/pin"
            ? { value: "739", secure: true }
            : undefined,
    ),
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
    expect(out.value).toEqual({
      desired: 3,
      label: "n=3 in us-west-2",
      endpoint: "db.example",
      nested: [{ zone: "example.com" }, false],
      plain: 7,
    });
    expect(out.secrets).toEqual([]);
  });

  it("keeps ${ssm:...} references in the journal's view, and says which values were SecureStrings", async () => {
    const out = await resolveParams(
      { password: "${ssm:/app/db/password}", url: "https://x/${ssm:/app/region}?p=${config.desired}" },
      sources,
      "w",
    );
    expect(out.value).toEqual({ password: "S3cr3t-Pa55", url: "https://x/us-west-2?p=3" });
    expect(out.journal).toEqual({
      password: "${ssm:/app/db/password}",
      url: "https://x/${ssm:/app/region}?p=3",
    });
    expect(out.secrets).toEqual(["S3cr3t-Pa55"]);
  });

  it("reads $${ as a literal ${, and escapes literal values in the journal's view", async () => {
    const out = await resolveParams(
      { text: "cost $${config.desired} is ${config.desired}", out: "${steps.promote.outputs.odd}" },
      sources,
      "w",
    );
    expect(out.value).toEqual({ text: "cost ${config.desired} is 3", out: "a ${ssm:/x} b" });
    // The journal's view read back gives the same values, never a resolved reference.
    expect(out.journal).toEqual({ text: "cost $${config.desired} is 3", out: "a $${ssm:/x} b" });
    const again = await resolveParams(out.journal, sources, "w");
    expect(again.value).toEqual(out.value);
    expect(escapeReferences("$${a} ${b}")).toBe("$$${a} $${b}");
    expect((await resolveParams(escapeReferences("$${a} ${b}"), sources, "w")).value).toBe("$${a} ${b}");
    expect(ssmReferences({ a: ["${ssm:/p:3} $${ssm:/not}"] })).toEqual(["/p:3"]);
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

describe("SecureStrings where they cannot be kept secret", () => {
  it("refuses one in a process's arguments, saying to pass it as an environment variable", async () => {
    const params = { run: ["./probe.sh", "--password", "${ssm:/app/db/password}"], env: {} };
    await expect(resolveParams(params, sources, "f.yaml: step probe", { commands: ["run"] })).rejects.toThrow(
      /f.yaml: step probe: params.run\[2\]: \$\{ssm:\/app\/db\/password\} is a SecureString, and a process's arguments can be read by any user of the machine \(ps, \/proc\/PID\/cmdline\); pass it as an environment variable: env: \{ PASSWORD: "\$\{ssm:\/app\/db\/password\}" \}, and "\$PASSWORD" in a script/,
    );
    // Through env: (a process's environment is its own user's to read), and a String in arguments: taken.
    const ok = await resolveParams(
      { run: ["./probe.sh", "${ssm:/app/region}"], env: { PASSWORD: "${ssm:/app/db/password}" } },
      sources,
      "w",
      { commands: ["run"] },
    );
    expect(ok.value).toEqual({ run: ["./probe.sh", "us-west-2"], env: { PASSWORD: "S3cr3t-Pa55" } });
    expect(ok.secrets).toEqual(["S3cr3t-Pa55"]);
  });

  it("refuses one too short to scrub from output (3 characters), naming the reference, never the value", async () => {
    const refused = resolveParams({ message: "pin=${ssm:/app/pin}" }, sources, "f.yaml: step tell");
    await expect(refused).rejects.toThrow(
      /f.yaml: step tell: params.message: \$\{ssm:\/app\/pin\} is a SecureString value of fewer than 4 characters: drctl cannot keep a value that short out of its output and journal/,
    );
    await expect(refused).rejects.not.toThrow(/739/);
  });
});

describe("checkSecretReferences, before a run", () => {
  const ssm: ValueSources["ssm"] = (name) => sources.ssm(name);
  it("refuses a short SecureString or one in arguments, and leaves a parameter not there yet to its step", async () => {
    const where = "f.yaml: step s";
    await expect(
      checkSecretReferences({ note: "${steps.a.outputs.b} ${ssm:/app/pin}" }, ssm, where, []),
    ).rejects.toThrow(
      /f.yaml: step s: params.note: \$\{ssm:\/app\/pin\} is a SecureString value of fewer than 4/,
    );
    await expect(
      checkSecretReferences({ run: ["x", "${ssm:/app/db/password}"] }, ssm, where, ["run"]),
    ).rejects.toThrow(
      /params.run\[1\]: \$\{ssm:\/app\/db\/password\} is a SecureString, and a process's arguments/,
    );
    await expect(
      checkSecretReferences(
        { run: ["x", "${ssm:/written/later}"], env: { P: "${ssm:/app/db/password}" }, n: "${config.n}" },
        ssm,
        where,
        ["run"],
      ),
    ).resolves.toBeUndefined();
  });
});
