import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { criticalPath, waves } from "./dag.js";
import { loadRunbook } from "./load.js";

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "drctl-runbook-")), "failover.yaml");
  writeFileSync(path, text);
  return path;
}

const HEAD = "version: 1\nname: warm standby\napplication: shop\nregion: us-west-2\nsteps:\n";

describe("runbook files", () => {
  it("load with defaults and a content hash", () => {
    const { runbook, hash } = loadRunbook(
      file(
        `${HEAD}  - id: promote\n    kind: sleep\n    params: { seconds: 1 }\n  - id: scale\n    kind: sleep\n    after: [promote]\n`,
      ),
    );
    expect(runbook.steps.map((s) => [s.id, s.after, s.onFailure, s.retries])).toEqual([
      ["promote", [], "stop", 0],
      ["scale", ["promote"], "stop", 0],
    ]);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [`${HEAD}  - id: a\n    kind: sleep\n    afetr: [b]\n`, 8, 5, /unknown key "afetr"/],
    [
      `${HEAD}  - id: a\n    kind: sleep\n    after: [nope]\n`,
      8,
      12,
      /runs after "nope", which is not a step/,
    ],
    [`${HEAD}  - id: a\n    kind: sleep\n  - id: a\n    kind: sleep\n`, 8, 9, /duplicate step id "a"/],
    [
      `${HEAD}  - id: a\n    kind: sleep\n    after: [b]\n  - id: b\n    kind: sleep\n    after: [a]\n`,
      11,
      12,
      /cycle: (a -> b -> a|b -> a -> b)/,
    ],
    [`${HEAD}  - id: Bad_Id\n    kind: sleep\n`, 6, 9, /lower-case letters/],
    ["version: 1\nname: x\nregion: us-west-2\nsteps: []\n", 1, 1, /application/],
  ])("reports %#: at line %d column %d", (text, line, column, message) => {
    try {
      loadRunbook(file(text));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.message).toMatch(message);
      expect([e.line, e.column]).toEqual([line, column]);
    }
  });
});

describe("the step graph", () => {
  const steps = [
    { id: "promote", after: [] },
    { id: "scale", after: [] },
    { id: "params", after: ["promote"] },
    { id: "healthy", after: ["scale"] },
    { id: "dns", after: ["params", "healthy"] },
  ].map((s) => ({
    ...s,
    kind: "sleep",
    params: {},
    timeoutSeconds: 1,
    retries: 0,
    onFailure: "stop" as const,
  }));

  it("runs independent steps in the same wave", () => {
    expect(waves(steps).map((w) => w.map((s) => s.id))).toEqual([
      ["promote", "scale"],
      ["params", "healthy"],
      ["dns"],
    ]);
  });

  it("finds the critical path and its duration", () => {
    const took: Record<string, number> = { promote: 300, scale: 100, params: 10, healthy: 120, dns: 60 };
    expect(criticalPath(steps, (id) => took[id] ?? 0)).toEqual({
      path: ["promote", "params", "dns"],
      totalMs: 370,
    });
  });
});
