import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanResult } from "../src/core/scan-result.js";
import { diffRuns } from "../src/history/diff.js";
import { DynamoDbHistory, IncompleteRunError } from "../src/history/dynamodb.js";
import { HistoryFileError, SqliteHistory } from "../src/history/sqlite.js";
import { asScan, headerOf, type HistoryStore } from "../src/history/types.js";
import { useEmulator } from "./harness/emulator.js";

const env = useEmulator();

function scanResult(at: string, findings: { ruleId: string; path: string }[], padding = 0): ScanResult {
  return {
    version: 1,
    generatedAt: at,
    strategy: "warm-standby",
    expiredSuppressions: [],
    stats: { pairs: 1, durationMs: 5, calls: { "ELBv2.DescribeRules": 2 }, retries: 0 },
    pairs: [
      {
        name: "web-001",
        primaryArn: "arn:p",
        secondaryArn: "arn:s",
        status: findings.length ? "drift" : "pass",
        counts: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
        findings: findings.map((f) => ({
          pair: "web-001",
          primaryArn: "arn:p",
          secondaryArn: "arn:s",
          resourceType: "listener",
          ruleId: f.ruleId,
          severity: "high",
          status: "drift",
          path: f.path,
          primary: "x".repeat(padding),
          secondary: "y",
          message: "m",
          remediation: "r",
        })),
      },
    ],
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), "drctl-store-"));

async function contract(store: HistoryStore) {
  const runs = [
    headerOf(
      "scan",
      "20261120T100000Z-aaaa",
      scanResult("2026-11-20T10:00:00.000Z", [
        { ruleId: "listener.ssl-policy", path: "a" },
        { ruleId: "listener.alpn", path: "b" },
      ]),
      new Date("2026-11-20T10:00:05Z"),
    ),
    headerOf(
      "scan",
      "20261121T100000Z-bbbb",
      scanResult("2026-11-21T10:00:00.000Z", [
        { ruleId: "listener.alpn", path: "b" },
        { ruleId: "listener.protocol", path: "c" },
      ]),
      new Date("2026-11-21T10:00:05Z"),
    ),
    // larger than one DynamoDB item, in incompressible text
    headerOf(
      "scan",
      "20261121T110000Z-cccc",
      scanResult(
        "2026-11-21T11:00:00.000Z",
        [{ ruleId: "r", path: Math.random().toString(36).repeat(1) }],
        0,
      ),
      new Date(),
    ),
  ];
  const big = runs[2];
  if (big)
    big.result.pairs[0]?.findings.push(
      ...Array.from(
        { length: 3000 },
        (_, i) =>
          ({
            ...(big.result.pairs[0]?.findings[0] as never as object),
            path: `p${i}-${Math.random().toString(36)}${Math.random().toString(36)}`,
          }) as never,
      ),
    );
  for (const r of runs) await store.save(r);

  const listed = await store.list({ kind: "scan" });
  expect(listed.map((r) => r.id)).toEqual([
    "20261121T110000Z-cccc",
    "20261121T100000Z-bbbb",
    "20261120T100000Z-aaaa",
  ]);
  expect(listed[1]?.counts.high).toBe(2);
  expect((await store.list({ limit: 1 })).map((r) => r.id)).toEqual(["20261121T110000Z-cccc"]);

  const back = await store.get("20261121T100000Z-bbbb");
  expect(back?.result).toEqual(runs[1]?.result);
  expect(asScan(await store.get("20261121T110000Z-cccc"))?.result.pairs[0]?.findings.length).toBe(3001);
  expect(await store.get("nope")).toBeUndefined();

  // a run id is written once
  await expect(store.save(runs[0] as never)).rejects.toThrow();
  expect((await store.list()).length).toBe(3);

  const d = diffRuns(
    { id: "a", result: runs[0]?.result as ScanResult },
    { id: "b", result: runs[1]?.result as ScanResult },
  );
  expect(d.new.map((f) => f.ruleId)).toEqual(["listener.protocol"]);
  expect(d.resolved.map((f) => f.ruleId)).toEqual(["listener.ssl-policy"]);
  expect(d.unchanged.map((f) => f.ruleId)).toEqual(["listener.alpn"]);
}

describe("history store", () => {
  it("SQLite: saves, lists newest first, reads back and diffs runs", async () => {
    const store = SqliteHistory.open(join(tmp(), "nested", "history.sqlite"));
    expect(store.schemaVersion).toBe(2);
    await contract(store);
    store.close();
  });

  it("DynamoDB (emulator): the same contract, with chunked results and TTL", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-history", "us-east-1");
    await contract(new DynamoDbHistory(aws, "drctl-history", "us-east-1"));
  });

  it("DynamoDB: a 5 MB run reads back equal, its chunks read over several pages of the query", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-big", "us-east-1");
    const store = new DynamoDbHistory(aws, "drctl-big", "us-east-1");
    // Random text does not compress: about 5 MB of JSON, 3.8 MB gzipped, 13 chunks of 300 KB.
    const result = scanResult("2026-11-22T10:00:00.000Z", [{ ruleId: "listener.rule-actions", path: "x" }]);
    const template = result.pairs[0]?.findings[0];
    if (!template || !result.pairs[0]) throw new Error("no finding to copy");
    result.pairs[0].findings = Array.from({ length: 500 }, (_, i) => ({
      ...template,
      path: `listeners[443].rules[${i}]`,
      primary: randomBytes(7500).toString("base64"),
    }));
    expect(JSON.stringify(result).length).toBeGreaterThan(5_000_000);
    const run = headerOf("scan", "20261122T100000Z-big5", result, new Date());
    await store.save(run);
    const queriesBefore = aws.counter.byOperation["DynamoDB.Query"] ?? 0;
    const back = await store.get(run.id);
    // moto answers a Query with at most 1 MB, as DynamoDB does: one query would have been cut short.
    expect((aws.counter.byOperation["DynamoDB.Query"] ?? 0) - queriesBefore).toBeGreaterThanOrEqual(4);
    expect(back?.result).toEqual(result);
  });

  it("DynamoDB: a run whose header records chunks that are missing is a clear error, not a truncated result", async () => {
    const aws = await env.clients();
    await DynamoDbHistory.createTable(aws, "drctl-torn", "us-east-1");
    const store = new DynamoDbHistory(aws, "drctl-torn", "us-east-1");
    const result = scanResult("2026-11-22T11:00:00.000Z", [{ ruleId: "r", path: "p" }]);
    const template = result.pairs[0]?.findings[0];
    if (!template || !result.pairs[0]) throw new Error("no finding to copy");
    result.pairs[0].findings = Array.from({ length: 100 }, (_, i) => ({
      ...template,
      path: `p${i}`,
      primary: randomBytes(7500).toString("base64"),
    }));
    await store.save(headerOf("scan", "20261122T110000Z-torn", result, new Date()));
    await aws.get(DynamoDBClient, "us-east-1").send(
      new DeleteItemCommand({
        TableName: "drctl-torn",
        Key: { PK: { S: "RUN#20261122T110000Z-torn" }, SK: { S: "CHUNK#0001" } },
      }),
    );
    const err = await store.get("20261122T110000Z-torn").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IncompleteRunError);
    expect((err as Error).message).toBe(
      "run 20261122T110000Z-torn in DynamoDB table drctl-torn in us-east-1 is incomplete: its header records 3 chunks, 2 were found (missing CHUNK#0001); it was left as it is",
    );
    // The listing still shows it: the history is not rewritten to hide a damaged run.
    expect((await store.list()).map((r) => r.id)).toEqual(["20261122T110000Z-torn"]);
  });

  it("DynamoDB: access denied names the action and the table", async () => {
    const aws = await env.clients({ accounts: {} });
    const store = new DynamoDbHistory(aws, "no-such-table", "us-east-1");
    const err = await store.list().catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/DynamoDB\.Query on table no-such-table in us-east-1/);
  });

  it("SQLite: a locked file gives a clear error and loses nothing", async () => {
    const file = join(tmp(), "history.sqlite");
    const store = SqliteHistory.open(file);
    await store.save(
      headerOf("scan", "20261120T100000Z-aaaa", scanResult("2026-11-20T10:00:00.000Z", []), new Date()),
    );
    const other = new Database(file, { timeout: 0 });
    other.exec("BEGIN EXCLUSIVE");
    const started = Date.now();
    const saving = store.save(
      headerOf("scan", "20261121T100000Z-bbbb", scanResult("2026-11-21T10:00:00.000Z", []), new Date()),
    );
    await expect(saving).rejects.toThrow(HistoryFileError);
    await expect(saving).rejects.toThrow(/is locked by another process \(SQLITE_BUSY\); nothing was written/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    other.exec("ROLLBACK");
    other.close();
    expect((await store.list()).map((r) => r.id)).toEqual(["20261120T100000Z-aaaa"]);
    store.close();
  });

  it("SQLite: a corrupt file gives a clear error and is left untouched", () => {
    const file = join(tmp(), "history.sqlite");
    writeFileSync(file, "this is not a database, but someone's notes\n".repeat(200));
    const before = readFileSync(file);
    expect(() => SqliteHistory.open(file)).toThrow(
      /is not a readable drctl history database \(SQLITE_NOTADB.*left untouched/,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
