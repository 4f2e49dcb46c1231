/**
 * One failing read never drops more than it must: a failed tag batch costs only the load
 * balancers whose tags truly cannot be read; a region-wide read that fails for a while is tried
 * again before every pair reports it unreadable; and what a run could not read is never called
 * resolved.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildWorld, type World } from "../demo/world/build.js";
import { isReadFailure } from "../src/core/finding.js";
import type { ScanResult } from "../src/core/scan-result.js";
import { runScan, type ScanOptions } from "../src/scan/engine.js";
import { diffRuns } from "../src/history/diff.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS, type FaultPlan } from "./harness/fault-proxy.js";
import { RESOURCE_TYPES } from "../src/catalog.js";

const env = useEmulator();
let world: World;
let clean: ScanResult;

const options: ScanOptions = {
  types: RESOURCE_TYPES,
  primaryRegions: ["us-east-1"],
  configPairs: [],
  settings: { strategy: "pilot-light", certificateExpiryDays: 30, now: new Date() },
  suppressions: [],
  concurrency: 8,
};
const lines = (r: ScanResult) =>
  r.pairs
    .flatMap((p) => p.findings)
    .filter((f) => f.status !== "pass")
    .map((f) => `${f.pair} ${f.ruleId} ${f.path}`)
    .sort();

/** A scan through a proxy that fails what `fail` picks; clients retry once (the SDK's own retries). */
async function scanThrough(fail: FaultPlan["fail"]) {
  const proxy = await FaultProxy.start(env.emulator.endpoint, { ...NO_FAULTS, fail });
  try {
    const aws = await env.clients({ endpointUrl: proxy.endpoint, maxAttempts: 2 });
    return { result: await runScan(aws, options), calls: aws.counter.byOperation };
  } finally {
    await proxy.stop();
  }
}
const action = (body: string, name: string) => body.includes(`Action=${name}&`);

beforeAll(async () => {
  world = await buildWorld(await env.clients(), { pairs: 6 });
  clean = await runScan(await env.clients(), options);
});

describe("a failing tag batch", () => {
  it("loses only a load balancer deleted since the listing", async () => {
    const victim = world.pairs[2]?.primaryArn ?? "";
    const { result } = await scanThrough(({ body }) =>
      action(body, "DescribeTags") && body.includes(encodeURIComponent(victim))
        ? { status: 400, code: "LoadBalancerNotFound", message: `Load balancers '[${victim}]' not found` }
        : undefined,
    );
    const victimName = world.pairs[2]?.name;
    // Every other pair stays: the load balancers' and the database RDS records with its replica.
    expect(result.pairs.map((p) => p.name)).toEqual([
      "app-db",
      ...world.pairs.map((p) => p.name).filter((n) => n !== victimName),
    ]);
    expect(lines(result)).toEqual(lines(clean).filter((l) => !l.startsWith(`${victimName} `)));
  });

  it("reports, as unreadable, only the load balancer whose tags are denied", async () => {
    const victim = world.pairs[3]?.primaryArn ?? "";
    const { result } = await scanThrough(({ body }) =>
      action(body, "DescribeTags") && body.includes(encodeURIComponent(victim))
        ? {
            status: 403,
            code: "AccessDenied",
            message: "not authorized to perform elasticloadbalancing:DescribeTags",
          }
        : undefined,
    );
    const victimName = world.pairs[3]?.name ?? "";
    const failures = result.pairs.flatMap((p) => p.findings).filter(isReadFailure);
    expect(failures.map((f) => `${f.pair} ${f.ruleId}`)).toEqual([`${victimName} pair.unreadable`]);
    expect(failures[0]?.message).toMatch(
      /could not read the tags of web-004 in us-east-1, so whether it is a primary is unknown: access denied/,
    );
    // Every other pair is scanned as before.
    expect(lines(result).filter((l) => !l.startsWith(`${victimName} `))).toEqual(
      lines(clean).filter((l) => !l.startsWith(`${victimName} `)),
    );
  });
});

describe("a region-wide read that fails for a while", () => {
  it("is tried again before its failure is kept, so no pair reports it unreadable", async () => {
    let failures = 0;
    const { result, calls } = await scanThrough(({ region, body }) => {
      // The first three DescribeTargetGroups of the standby region fail: more than the SDK retries.
      if (region !== "us-west-2" || !action(body, "DescribeTargetGroups") || failures >= 3) return undefined;
      failures++;
      return "server";
    });
    expect(failures).toBe(3);
    expect(result.pairs.flatMap((p) => p.findings).filter(isReadFailure)).toEqual([]);
    expect(lines(result)).toEqual(lines(clean));
    // Once per region when it works, plus the failed attempts: never once per pair.
    expect(calls["ELBv2.DescribeTargetGroups"]).toBe(2 + 3);
  });

  it("is reported on every pair it affects once it keeps failing, and read only a few times", async () => {
    const { result, calls } = await scanThrough(({ body }) =>
      action(body, "DescribeTargetGroups") ? "server" : undefined,
    );
    const failures = result.pairs.flatMap((p) => p.findings).filter(isReadFailure);
    expect(new Set(failures.map((f) => f.ruleId))).toEqual(new Set(["target-group.unreadable"]));
    expect(failures.map((f) => f.pair).sort()).toEqual(world.pairs.map((p) => p.name).sort());
    // Two regions, three tries each (of up to two attempts: the SDK's retry quota decides).
    expect(calls["ELBv2.DescribeTargetGroups"]).toBeGreaterThanOrEqual(2 * 3);
    expect(calls["ELBv2.DescribeTargetGroups"]).toBeLessThanOrEqual(2 * 3 * 2);
  });
});

describe("what a run could not read", () => {
  it("is unknown in the diff, never resolved", async () => {
    // The standby's listeners cannot be read this time: their findings are not fixed, just unread.
    const standbyOf2 = world.pairs[1]?.standbyArn ?? "";
    const { result } = await scanThrough(({ body }) =>
      action(body, "DescribeListeners") && body.includes(encodeURIComponent(standbyOf2))
        ? { status: 403, code: "AccessDenied", message: "not authorized" }
        : undefined,
    );
    const d = diffRuns({ id: "before", result: clean }, { id: "after", result });
    const pair2 = world.pairs[1]?.name ?? "";
    // Listeners, and what is read through them (target groups, certificates), were not read.
    const unread = new Set(["listener", "target-group", "certificate"]);
    const before = clean.pairs
      .find((p) => p.name === pair2)
      ?.findings.filter((f) => unread.has(f.resourceType) && f.status !== "pass");
    expect(before?.some((f) => f.resourceType === "listener")).toBe(true);
    expect(d.unknown.map((f) => `${f.pair} ${f.ruleId} ${f.path}`).sort()).toEqual(
      before?.map((f) => `${f.pair} ${f.ruleId} ${f.path}`).sort(),
    );
    expect(d.resolved).toEqual([]);
    // The read failures themselves are new.
    expect(d.new.map((f) => `${f.pair} ${f.ruleId}`).sort()).toEqual(
      [...unread].map((t) => `${pair2} ${t}.unreadable`).sort(),
    );
  });

  it("is unknown for every pair of a region whose primaries could not be listed", async () => {
    const { result } = await scanThrough(({ body }) =>
      action(body, "DescribeLoadBalancers")
        ? { status: 403, code: "AccessDenied", message: "not authorized" }
        : undefined,
    );
    const d = diffRuns({ id: "before", result: clean }, { id: "after", result });
    expect(d.resolved).toEqual([]);
    expect(d.unknown.length).toBe(
      clean.pairs.flatMap((p) => p.findings).filter((f) => f.status !== "pass").length,
    );
  });
});
