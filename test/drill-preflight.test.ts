/**
 * A drill's preflight keeps its scan and freshness runs in the history like any other, by the
 * same rule: a run that could not read everything is not kept, so nothing compares with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataStores } from "../demo/world/data.js";
import { RESOURCE_TYPES, STORE_TYPES } from "../src/catalog.js";
import { configSchema } from "../src/config/schema.js";
import { preflight } from "../src/drill/preflight.js";
import type { DrillFile } from "../src/drill/schema.js";
import { SqliteHistory } from "../src/history/sqlite.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsBehaviour } from "./harness/aws-behaviour.js";
import { useEmulator } from "./harness/emulator.js";
import { FaultProxy, NO_FAULTS } from "./harness/fault-proxy.js";

const env = useEmulator();
const [P, S] = ["us-east-1", "us-west-2"];
let proxy: FaultProxy;

beforeAll(async () => {
  const aws = await env.clients();
  const behaviour = new AwsBehaviour(aws);
  proxy = await behaviour.proxy(env.emulator.endpoint);
  await buildDataStores(await env.clients({ endpointUrl: proxy.endpoint }), behaviour, {
    primaryRegion: P,
    standbyRegion: S,
  });
});

afterAll(async () => {
  await proxy.stop();
});

describe("a drill's preflight", () => {
  const config = configSchema.parse({ regions: { primary: P, standby: S } });
  const drill = { application: "shop", regions: { primary: P, standby: S } } as DrillFile;
  const catalogue = { resources: RESOURCE_TYPES, datastores: STORE_TYPES };

  it("keeps the freshness run it measured when it read everything", async () => {
    const history = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), "drctl-preflight-")), "h.sqlite"));
    const checked = await preflight(
      await env.clients({ endpointUrl: proxy.endpoint }),
      drill,
      config,
      history,
      () => undefined,
      catalogue,
    );
    expect(checked.runs.freshness).toBeDefined();
    expect((await history.list({ kind: "freshness" })).map((r) => r.id)).toEqual([checked.runs.freshness]);
    history.close();
  });

  it("does not keep a freshness run that could not list a type", async () => {
    const denying = await FaultProxy.start(proxy.endpoint, {
      ...NO_FAULTS,
      deny: ({ target }) => target === "DynamoDB_20120810.ListTables",
    });
    try {
      const history = SqliteHistory.open(join(mkdtempSync(join(tmpdir(), "drctl-preflight-")), "h.sqlite"));
      const aws = await env.clients({ endpointUrl: denying.endpoint });
      const checked = await preflight(aws, drill, config, history, () => undefined, catalogue);
      expect(checked.runs.freshness).toBeUndefined();
      expect(await history.list({ kind: "freshness" })).toEqual([]);
      history.close();
    } finally {
      await denying.stop();
    }
  });
});
