import { EC2Client } from "@aws-sdk/client-ec2";
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, changeWorld, type World } from "../demo/world/build.js";
import { buildNetwork } from "../demo/world/network.js";
import { runCli } from "../src/cli/program.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan } from "../src/scan/engine.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { useEmulator } from "./harness/emulator.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
let world: World;

async function drctl(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(["--endpoint-url", env.emulator.endpoint, ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

function config(dir: string, extra = ""): string {
  const file = join(dir, "drctl.yaml");
  writeFileSync(
    file,
    `strategy: pilot-light\nstore: ${join(dir, "history.sqlite")}\nnotify:\n  email:\n    outbox: ${join(dir, "outbox")}\n${extra}`,
  );
  return file;
}

beforeAll(async () => {
  world = await buildWorld(await env.clients(), { pairs: 3 });
});

describe("scans kept in the history", () => {
  it("says what changed since the last scan, emails it, and lists and diffs the runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-history-"));
    const cfg = config(dir);
    const first = await drctl("--config", cfg, "scan", "--fail-on", "never");
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/first stored scan: \d+ open findings; stored as \S+ in SQLite file/);
    await changeWorld(world, await env.clients());
    const second = await drctl("--config", cfg, "--json", "scan", "--fail-on", "never");
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/1 new, 1 resolved since \S+ \(/);
    const json = JSON.parse(second.stdout) as ScanResult & {
      history: { new: number; resolved: number; since: string };
    };
    expect(json.history).toMatchObject({ new: 1, resolved: 1 });
    // Two scans, two emails: the first with everything new, the second with the change.
    expect(readdirSync(join(dir, "outbox")).filter((f) => f.endsWith(".eml"))).toHaveLength(2);

    const history = await drctl("--config", cfg, "history");
    expect(history.stdout.split("\n").filter((l) => l.includes(" scan "))).toHaveLength(2);
    const diff = await drctl("--config", cfg, "--json", "diff");
    const d = JSON.parse(diff.stdout) as {
      new: { ruleId: string; pair: string }[];
      resolved: { ruleId: string; pair: string }[];
    };
    expect(d.new.map((f) => `${f.pair} ${f.ruleId}`)).toEqual(["web-001 listener.ssl-policy"]);
    expect(d.resolved.map((f) => `${f.pair} ${f.ruleId}`)).toEqual(["web-002 load-balancer.attributes"]);
    const unknown = await drctl("--config", cfg, "diff", "nope", "nada");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run "nope"/);
  });

  it("still prints the result when the history file is corrupt, names the problem, and exits 3", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-history-"));
    writeFileSync(join(dir, "history.sqlite"), "not a database ".repeat(500));
    const r = await drctl("--config", config(dir), "scan", "--fail-on", "never");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^PAIR\s+STATUS/);
    expect(r.stderr).toMatch(
      /the scan result was not stored, so nothing was sent: the history file .* is not a readable drctl history database/,
    );
  });

  it("stores the result when the email cannot be sent, reports why, and exits 3", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drctl-history-"));
    const r = await drctl(
      "--config",
      config(dir, "    transport: smtp\n    smtp:\n      host: 127.0.0.1\n      port: 9\n"),
      "scan",
      "--fail-on",
      "never",
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/notification through email \(SMTP\) failed: .*ECONNREFUSED/);
    const store = SqliteHistory.open(join(dir, "history.sqlite"));
    expect(await store.list()).toHaveLength(1);
    store.close();
  });
});

describe("a standby in another account", () => {
  it("is read through the role named in config", async () => {
    const OTHER = "222222222222";
    const aws = await env.clients({
      accounts: { [OTHER]: { roleArn: `arn:aws:iam::${OTHER}:role/drctl-read` } },
    });
    const network = await buildNetwork(aws.get(EC2Client, "us-west-2", OTHER), "us-west-2", "10.5");
    const standby = await aws
      .get(ElasticLoadBalancingV2Client, "us-west-2", OTHER)
      .send(new CreateLoadBalancerCommand({ Name: "cross-account", Subnets: network.subnetIds }));
    const standbyArn = standby.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    expect(standbyArn).toContain(`:${OTHER}:`);
    const home = await buildNetwork(aws.get(EC2Client, "eu-west-1"), "eu-west-1", "10.6");
    const primary = await aws
      .get(ElasticLoadBalancingV2Client, "eu-west-1")
      .send(new CreateLoadBalancerCommand({ Name: "cross-account", Subnets: home.subnetIds }));
    await aws.get(ElasticLoadBalancingV2Client, "eu-west-1").send(
      new AddTagsCommand({
        ResourceArns: [primary.LoadBalancers?.[0]?.LoadBalancerArn ?? ""],
        Tags: [
          { Key: "enable", Value: "true" },
          { Key: "isPrimary", Value: "true" },
          { Key: "secondaryARN", Value: standbyArn },
        ],
      }),
    );
    const settings = { strategy: "warm-standby" as const, certificateExpiryDays: 30, now: new Date() };
    const viaRole = await runScan(aws, {
      types: RESOURCE_TYPES,
      primaryRegions: ["eu-west-1"],
      configPairs: [],
      settings,
      suppressions: [],
      concurrency: 2,
    });
    expect(viaRole.pairs.map((p) => [p.name, p.secondaryArn, p.status])).toEqual([
      ["cross-account", standbyArn, "pass"],
    ]);
    expect(aws.counter.byOperation["STS.AssumeRole"]).toBe(1);
    // Without the role, the caller's own account has no such load balancer.
    const withoutRole = await runScan(await env.clients(), {
      types: RESOURCE_TYPES,
      primaryRegions: ["eu-west-1"],
      configPairs: [],
      settings,
      suppressions: [],
      concurrency: 2,
    });
    expect(withoutRole.pairs[0]?.findings.map((f) => f.ruleId)).toEqual(["pair.standby-not-found"]);
  });
});
