import { describe, expect, it } from "vitest";
import type { FreshnessResult, StoreResult, StoreStatus } from "../core/freshness-result.js";
import { freshnessFailed, nothingMeasured } from "./verdict.js";

const store = (name: string, status: StoreStatus): StoreResult => ({
  kind: "dynamodb-global-table",
  store: name,
  application: null,
  primaryArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`,
  primaryRegion: "us-east-1",
  standbyArn: null,
  standbyRegion: "us-west-2",
  status,
  exposureSeconds: null,
  rpoSeconds: 900,
  measuredBy: "CloudWatch AWS/DynamoDB ReplicationLatency",
  message: `${name}: no data points`,
  evidence: [],
});

const result = (...stores: StoreResult[]): FreshnessResult => ({
  version: 1,
  generatedAt: "2026-12-01T12:00:00.000Z",
  rpoSeconds: 900,
  stores,
  findings: [],
  stats: { stores: stores.length, durationMs: 1, calls: {}, retries: 0 },
});

describe("freshness's verdict: nothing measured is never a pass", () => {
  it("every store unknown fails at the default threshold, saying so", () => {
    const r = result(store("events", "unknown"), store("audit", "unknown"));
    expect(freshnessFailed(r, "high")).toBe(true);
    expect(nothingMeasured(r)).toMatch(
      /^nothing was measured: the freshness of every data store found is unknown \(2: events, audit\)/,
    );
    expect(freshnessFailed(r, "never")).toBe(false);
  });

  it("one store measured: unknown ones weigh as their status says (medium)", () => {
    const r = result(store("events", "unknown"), store("orders", "ok"));
    expect(nothingMeasured(r)).toBeUndefined();
    expect(freshnessFailed(r, "high")).toBe(false);
    expect(freshnessFailed(r, "medium")).toBe(true);
  });

  it("no store at all is said apart (nothing found), not as nothing measured", () => {
    expect(nothingMeasured(result())).toBeUndefined();
  });
});
