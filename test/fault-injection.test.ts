import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorld } from "../demo/world/build.js";
import { takeInventory, type Inventory } from "../src/inventory/inventory.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy } from "./harness/fault-proxy.js";

const env = useEmulator();
const regions = ["us-east-1", "us-west-2"];
let clean: Inventory;
let proxy: FaultProxy | undefined;

beforeAll(async () => {
  const aws = await env.clients();
  await buildWorld(aws, { pairs: 6 });
  clean = await takeInventory(aws, regions);
});
afterAll(async () => proxy?.stop());

describe("reading through a proxy that throttles, fails and delays", () => {
  it("reads back exactly what a clean read does, and the counter shows every retry", async () => {
    proxy = await FaultProxy.start(env.emulator.endpoint, {
      seed: 20261121,
      throttle: 0.25,
      serverError: 0.15,
      delay: 0.3,
      delayMaxMs: 150,
      maxConsecutiveFaults: 3,
    });
    const aws = await env.clients({ endpointUrl: proxy.endpoint, maxAttempts: 6 });
    const faulty = await takeInventory(aws, regions);
    await proxy.stop();

    expect(faulty).toEqual(clean);
    expect(proxy.stats.throttled).toBeGreaterThan(0);
    expect(proxy.stats.serverErrors).toBeGreaterThan(0);
    expect(proxy.stats.delayed).toBeGreaterThan(0);
    // Each injected fault cost exactly one retry (and so did each error of the emulator itself, on a
    // loaded machine), and each request the proxy saw was counted.
    expect(aws.counter.totalRetries).toBe(proxy.faults + proxy.stats.upstreamErrors);
    expect(aws.counter.total).toBe(proxy.stats.requests);
    console.log(
      `fault proxy: ${JSON.stringify(proxy.stats)}; drctl counted ${aws.counter.total} calls, ${aws.counter.totalRetries} retries`,
    );
  });

  it("turns throttling that outlasts the retries into per-type errors, not a crash", async () => {
    const always = await FaultProxy.start(env.emulator.endpoint, {
      seed: 1,
      throttle: 1,
      serverError: 0,
      delay: 0,
      delayMaxMs: 0,
      maxConsecutiveFaults: Number.POSITIVE_INFINITY,
    });
    try {
      const aws = await env.clients({ endpointUrl: always.endpoint, maxAttempts: 2 });
      const result = await takeInventory(aws, ["us-west-2"]);
      const all = [...result.regions.flatMap((r) => r.counts), ...result.global];
      expect(all.length).toBeGreaterThan(10);
      for (const c of all) {
        expect(c).toHaveProperty("error");
        expect("error" in c ? c.error : "").toMatch(/throttled on .* after all retries/);
      }
    } finally {
      await always.stop();
    }
  });
});
