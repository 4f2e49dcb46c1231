import { describe, expect, it } from "vitest";
import type { FreshnessResult, StoreResult, StoreStatus } from "../core/freshness-result.js";
import type { Finding } from "../core/finding.js";
import { diffFreshness, freshnessDiffSentence } from "./diff.js";

const arn = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

const store = (name: string, status: StoreStatus): StoreResult => ({
  kind: "dynamodb-global-table",
  store: name,
  application: null,
  primaryArn: arn(name),
  primaryRegion: "us-east-1",
  standbyArn: null,
  standbyRegion: "us-west-2",
  status,
  exposureSeconds: status === "error" ? null : 60,
  rpoSeconds: 900,
  measuredBy: "test",
  message: `${name}: ${status}`,
  evidence: [],
});

const finding = (name: string, ruleId: string, status: Finding["status"] = "drift"): Finding => ({
  pair: name,
  primaryArn: name === "" ? "" : arn(name),
  secondaryArn: null,
  resourceType: "dynamodb",
  ruleId,
  severity: "high",
  status,
  path: ruleId.endsWith(".unreadable") ? "type[dynamodb]" : "table",
  primary: null,
  secondary: null,
  message: `${name} ${ruleId}`,
  remediation: "",
});

const run = (id: string, stores: StoreResult[], findings: Finding[] = []) => ({
  id,
  result: {
    version: 1,
    generatedAt: "2026-12-01T12:00:00.000Z",
    rpoSeconds: 900,
    stores,
    findings,
    stats: { stores: stores.length, durationMs: 1, calls: {}, retries: 0 },
  } satisfies FreshnessResult,
});

describe("the freshness diff: what the later run could not read is unknown, never resolved", () => {
  it("a store that could not be measured is unknown, and its findings are neither resolved nor new", () => {
    const before = run(
      "a",
      [store("orders", "breach"), store("events", "ok")],
      [finding("orders", "dynamodb.pitr")],
    );
    const after = run(
      "b",
      [store("orders", "error"), store("events", "ok")],
      [finding("orders", "dynamodb.unreadable", "error")],
    );
    const d = diffFreshness(before, after);
    expect(d.changed).toEqual([]);
    expect(d.unknownStores.map((c) => [c.store, c.from, c.to])).toEqual([["orders", "breach", "error"]]);
    expect(d.resolvedFindings).toEqual([]);
    expect(d.unknownFindings.map((f) => f.ruleId)).toEqual(["dynamodb.pitr"]);
    expect(freshnessDiffSentence(d)).toBe(
      "0 stores changed status, 1 new and 0 resolved findings, 2 unknown (not read this time) since a",
    );
  });

  it("a store not seen while a whole type could not be listed is unknown, not gone", () => {
    const before = run(
      "a",
      [store("orders", "breach"), store("events", "ok")],
      [finding("orders", "dynamodb.pitr")],
    );
    const after = run("b", [store("events", "ok")], [finding("", "dynamodb.unreadable", "error")]);
    const d = diffFreshness(before, after);
    expect(d.changed).toEqual([]);
    expect(d.unknownStores.map((c) => [c.store, c.from, c.to])).toEqual([["orders", "breach", "(not read)"]]);
    expect(d.resolvedFindings).toEqual([]);
    expect(d.unknownFindings.map((f) => f.ruleId)).toEqual(["dynamodb.pitr"]);
  });

  it("a run that read everything says gone and resolved as before", () => {
    const before = run(
      "a",
      [store("orders", "breach"), store("events", "ok")],
      [finding("orders", "dynamodb.pitr")],
    );
    const after = run("b", [store("events", "ok")]);
    const d = diffFreshness(before, after);
    expect(d.changed.map((c) => [c.store, c.from, c.to])).toEqual([["orders", "breach", "(gone)"]]);
    expect(d.resolvedFindings.map((f) => f.ruleId)).toEqual(["dynamodb.pitr"]);
    expect(d.unknownStores).toEqual([]);
    expect(d.unknownFindings).toEqual([]);
    expect(freshnessDiffSentence(d)).toBe("1 stores changed status, 0 new and 1 resolved findings since a");
  });

  it("the first run has nothing to compare with: every store is listed as new", () => {
    const d = diffFreshness(undefined, run("b", [store("orders", "error")]));
    expect(d.changed.map((c) => [c.store, c.from, c.to])).toEqual([["orders", "(new)", "error"]]);
    expect(d.unknownStores).toEqual([]);
  });
});
