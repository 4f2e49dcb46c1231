import { describe, expect, it } from "vitest";
import type { StoreResult } from "../core/freshness-result.js";
import type { ScanResult } from "../core/scan-result.js";
import { freshnessVerdict, pairsOf } from "./preflight.js";
import { drillRuleInfos } from "./rules.js";
import type { DrillFile } from "./schema.js";

const drill = { application: "orders" } as DrillFile;

const store = (over: Partial<StoreResult>): StoreResult => ({
  kind: "rds-read-replica",
  store: "orders-db",
  application: "orders",
  primaryArn: "arn:aws:rds:us-east-1:111122223333:db:orders-db",
  primaryRegion: "us-east-1",
  standbyArn: "arn:aws:rds:eu-west-1:111122223333:db:orders-db-dr",
  standbyRegion: "eu-west-1",
  status: "ok",
  exposureSeconds: 4,
  rpoSeconds: 300,
  measuredBy: "ReplicaLag",
  message: "4 s behind",
  evidence: [],
  ...over,
});

describe("the preflight's freshness verdict", () => {
  const catalogued = new Set(drillRuleInfos().map((r) => r.id));

  it("refuses on a broken store and on one that could not be read, each under a catalogued drill rule", () => {
    const verdict = freshnessVerdict(
      drill,
      [
        store({ status: "broken", message: "replication stopped", remediation: "recreate the replica" }),
        store({ store: "orders-table", status: "error", message: "AccessDenied" }),
        store({ store: "orders-bucket", status: "ok" }),
      ],
      () => undefined,
    );
    expect(verdict.findings.map((f) => [f.path, f.ruleId, f.status])).toEqual([
      ["orders-db", "drill.preflight.broken", "drift"],
      ["orders-table", "drill.preflight.error", "error"],
    ]);
    for (const f of verdict.findings) expect(catalogued.has(f.ruleId)).toBe(true);
    expect(verdict.findings[0]?.remediation).toBe("recreate the replica");
    expect(verdict.problems).toEqual(["replication is broken or unreadable for orders-db, orders-table"]);
  });

  it("lets a drill start when every store replicates, even late or unmeasured (the drill measures those)", () => {
    const verdict = freshnessVerdict(
      drill,
      [store({}), store({ status: "breach" }), store({ status: "unknown" })],
      () => undefined,
    );
    expect(verdict).toEqual({ findings: [], problems: [] });
  });
});

describe("the pairs a drill's preflight judges", () => {
  const pair = (name: string, primaryTags?: Record<string, string>): ScanResult["pairs"][number] => ({
    name,
    primaryArn: `arn:aws:sqs:us-east-1:111122223333:${name}`,
    secondaryArn: `arn:aws:sqs:eu-west-1:111122223333:${name}-dr`,
    status: "drift",
    counts: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
    findings: [],
    ...(primaryTags ? { primaryTags } : {}),
  });
  const scan = {
    pairs: [
      pair("orders-jobs", { Application: "Orders" }),
      pair("billing-jobs", { Application: "billing" }),
      pair("untagged"),
    ],
  } as ScanResult;

  it("are the application's own, of any type, by the tags found on each primary", () => {
    const app = { name: "orders", contacts: [], drills: [], tags: { Application: "orders" } };
    expect(pairsOf(scan, app).map((p) => p.name)).toEqual(["orders-jobs"]);
  });

  it("are those its ARNs name, tagged or not", () => {
    const app = { name: "orders", contacts: [], drills: [], arns: ["arn:aws:sqs:*:*:untagged"] };
    expect(pairsOf(scan, app).map((p) => p.name)).toEqual(["untagged"]);
  });
});
